import { describe, expect, it } from 'vitest';
import { createContentRules, isExecutable } from '../../api/chat/content-rules';
import { ChatError } from '../../api/chat/errors';

describe('content rules', () => {
  it.each([
    '<script>alert(1)</script>',
    'look <SCRIPT src=//x.example/a.js>',
    '<img src=x onerror=alert(1)>',
    '<a href="#" onclick = "steal()">win</a>',
    '<iframe src="https://evil.example">',
    '<svg/onload=alert(1)>',
    'click javascript:alert(document.cookie)',
    'JavaScript:void(0)',
    '<a href=" javascript: alert(1)">x</a>',
    '[x]( javascript:alert(1))',
    '<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>',
    '<button formaction=javascript:x>',
  ])('finds executable content in %j', (text) => {
    expect(isExecutable(text)).toBe(true);
  });

  it.each([
    'hello <world>',
    'a < b > c and x<y',
    'I <3 js',
    'use the onload event for that',
    'javascript is fun: try it',
    'JavaScript: The Good Parts',
    'note: javascript: is a URL scheme',
    'the <b>bold</b> tag and <i>italics</i>',
    'mailto:ann@example.com and https://example.com/a?b=c',
  ])('lets prose about code through: %j', (text) => {
    expect(isExecutable(text)).toBe(false);
  });

  const rules = createContentRules();
  const reason = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      return e instanceof ChatError ? e.code : 'other';
    }
    return 'passed';
  };

  it('refuses executable content unless the tenant allows it', () => {
    expect(reason(() => rules.apply({ rejectExecutable: true, profanity: 'off' }, '<script>x</script>'))).toBe('rejected');
    expect(rules.apply({ rejectExecutable: false, profanity: 'off' }, '<script>x</script>')).toBe('<script>x</script>');
  });

  it('leaves, masks or refuses profanity as the tenant chose, and never touches clean text', () => {
    const text = 'what the fuck is this';
    expect(rules.apply({ rejectExecutable: true, profanity: 'off' }, text)).toBe(text);
    expect(rules.apply({ rejectExecutable: true, profanity: 'mask' }, text)).toBe('what the **** is this');
    expect(reason(() => rules.apply({ rejectExecutable: true, profanity: 'reject' }, text))).toBe('rejected');
    for (const clean of ['Scunthorpe is a town', 'an assassin’s classic', 'hello there'])
      expect(rules.apply({ rejectExecutable: true, profanity: 'reject' }, clean)).toBe(clean);
  });
});
