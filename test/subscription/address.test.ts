import { describe, expect, it } from 'vitest';
import { normaliseAddress } from '../../lambdas/subscription/address.ts';

describe('normaliseAddress', () => {
  it.each([
    ['reader@example.com', 'reader@example.com'],
    ['  Reader.Name+news@Example.CO.UK ', 'reader.name+news@example.co.uk'],
    ["o'neil@example.ie", "o'neil@example.ie"],
    ['leser@bücher.example', 'leser@xn--bcher-kva.example'],
    ['reader@пример.рф', 'reader@xn--e1afmkfd.xn--p1ai'],
    [`${'a'.repeat(64)}@example.com`, `${'a'.repeat(64)}@example.com`],
  ])('accepts %j as %j', (input, email) => {
    expect(normaliseAddress(input)).toEqual({ ok: true, email });
  });

  it('makes one subscriber of every spelling of one address', () => {
    const spellings = ['Reader@Bücher.Example', 'reader@BÜCHER.example', ' READER@xn--bcher-kva.example'];
    expect(new Set(spellings.map((spelling) => (normaliseAddress(spelling) as { email: string }).email)).size).toBe(1);
  });

  it.each([
    ['', 'Enter your email address'],
    [42, 'Enter your email address'],
    ['victim@example.com\r\nBcc: all@example.com', 'line breaks or other control characters'],
    ['victim@example.com\n', 'line breaks or other control characters'],
    ['tab\t@example.com', 'control characters'],
    ['nul\u0000@example.com', 'control characters'],
    ['line\u2028sep@example.com', 'control characters'],
    [`${'a'.repeat(64)}@${'b'.repeat(230)}.example`, 'at most 254 characters; this one has 303'],
    [`${'a'.repeat(65)}@example.com`, 'at most 64 characters'],
    [`${'a'.repeat(60)}@${'ü'.repeat(60)}.${'ü'.repeat(60)}.${'ü'.repeat(60)}.de`, 'once its domain is written in ASCII'],
    ['no-at-sign.example.com', 'such as name@example.com'],
    ['@example.com', 'such as name@example.com'],
    ['reader@', 'such as name@example.com'],
    ['reader@localhost', 'not a valid email address'],
    ['reader@example.123', 'not a valid'],
    ['reader@exa mple.com', 'not a valid'],
    ['.reader@example.com', 'not a valid email address'],
    ['read..er@example.com', 'not a valid email address'],
    ['"quoted"@example.com', 'not a valid email address'],
    ['two@at@example.com', 'not a valid email address'],
    ['josé@example.com', 'unaccented letters'],
    ['reader@-example.com', 'not a valid'],
  ])('rejects %j, saying why', (input, reason) => {
    const checked = normaliseAddress(input);
    expect(checked.ok).toBe(false);
    expect((checked as { reason: string }).reason).toContain(reason);
  });
});
