import { describe, expect, it } from 'vitest';
import { splitLinks } from '../../widget/ui/links';
import { fmt, TEXT, typingLine } from '../../widget/ui/text';

describe('links', () => {
  it('makes links of http and https URLs only', () => {
    expect(splitLinks('see https://a.example/x?y=1 and http://b.example.')).toEqual([
      'see ',
      { href: 'https://a.example/x?y=1', text: 'https://a.example/x?y=1' },
      ' and ',
      { href: 'http://b.example/', text: 'http://b.example' },
      '.',
    ]);
  });

  it('leaves javascript:, data: and markup as text', () => {
    for (const t of ['javascript:alert(1)', 'JaVaScRiPt:alert(1)', 'data:text/html,<script>x</script>', '<a href="javascript:x">y</a>', 'vbscript:msgbox']) {
      expect(splitLinks(t)).toEqual([t]);
    }
  });

  it('does not let a URL swallow the markup after it', () => {
    expect(splitLinks('https://x.example<img src=x>')).toEqual([{ href: 'https://x.example/', text: 'https://x.example' }, '<img src=x>']);
  });

  it('leaves an unparsable URL as text', () => {
    expect(splitLinks('http://[::1')).toEqual(['http://[::1']);
  });
});

describe('text', () => {
  it('says who is typing', () => {
    expect(typingLine(TEXT, [])).toBe('');
    expect(typingLine(TEXT, ['Alice'])).toBe('Alice is typing…');
    expect(typingLine(TEXT, ['Alice', 'Bob'])).toBe('Alice and Bob are typing…');
    expect(typingLine(TEXT, ['Alice', 'Bob', 'Cy'])).toBe('3 people are typing…');
    expect(typingLine({ ...TEXT, typing1: '{a} schreibt…' }, ['Alice'])).toBe('Alice schreibt…');
  });

  it('fills placeholders', () => {
    expect(fmt('{n} online', { n: 3 })).toBe('3 online');
  });
});
