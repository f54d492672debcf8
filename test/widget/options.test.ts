import { describe, expect, it } from 'vitest';
import { readOptions, socketUrl } from '../../widget/options';

const script = (src: string, dataset: Record<string, string>) => ({ src, dataset }) as unknown as HTMLScriptElement;
const PAGE = 'https://shop.example/products/1';

describe('embedding options', () => {
  it('talks to the origin of its own script unless api says otherwise', () => {
    const o = readOptions(script('https://chat.example:8443/widget.js?v=2', { key: 'pk_1', room: 'support' }), {}, PAGE);
    expect([o.api, o.key, o.room]).toEqual(['https://chat.example:8443', 'pk_1', 'support']);
    expect(socketUrl(o)).toBe('wss://chat.example:8443/v1/ws?key=pk_1');
    const p = readOptions(script('https://cdn.example/widget.js', { key: 'pk_1', api: 'http://api.example/' }), {}, PAGE);
    expect(socketUrl(p)).toBe('ws://api.example/v1/ws?key=pk_1');
  });

  it('reads data- attributes, and ParleyConfig wins over them', () => {
    const o = readOptions(
      script('https://chat.example/widget.js', { key: 'pk_1', tokenUrl: '/chat/token', name: 'Ann', position: 'bottom-left', open: '', textPlaceholder: 'Ask us', title: 'Help' }),
      { name: 'Anna', color: '#e11d48', text: { send: 'Go' } },
      PAGE,
    );
    expect(o).toMatchObject({ tokenUrl: 'https://shop.example/chat/token', name: 'Anna', position: 'bottom-left', open: true, color: '#e11d48' });
    expect([o.text.placeholder, o.text.title, o.text.send, o.text.close]).toEqual(['Ask us', 'Help', 'Go', 'Close chat']);
  });

  it('has defaults', () => {
    const o = readOptions(script('https://chat.example/widget.js', { key: 'pk_1', open: 'false' }), {}, PAGE);
    expect(o).toMatchObject({ room: 'lobby', position: undefined, theme: 'auto', askName: false, open: false, sound: false, token: undefined, tokenUrl: undefined });
    expect(readOptions(script('https://chat.example/widget.js', { key: 'pk_1', sound: '' }), {}, PAGE).sound).toBe(true);
    expect(o.text.title).toBe('Chat');
  });
});
