import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../functions/core/errors.ts';
import { normalizeAddress } from '../../../functions/core/subscribers/address.ts';

/** What the signup form, the CLI and the import accept as one email address. */
describe('normalizeAddress', () => {
  it.each([
    ['a@example.com', 'a@example.com'],
    ['  a@example.com  ', 'a@example.com'],
    ['First.Last+tag@Example.COM', 'First.Last+tag@example.com'],
    ['a@B\u00fccher.example', 'a@xn--bcher-kva.example'],
    ['a@\u4f8b\u3048.\u30c6\u30b9\u30c8', 'a@xn--r8jz45g.xn--zckzah'],
    ["o'brien@example.ie", "o'brien@example.ie"],
    [`${'a'.repeat(64)}@example.com`, `${'a'.repeat(64)}@example.com`],
  ])('accepts %j as %j', (input, expected) => {
    expect(normalizeAddress(input)).toBe(expected);
  });

  const at254 = `${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(57)}.com`;
  it('accepts exactly 254 characters and refuses 255', () => {
    expect(at254).toHaveLength(254);
    expect(normalizeAddress(at254)).toBe(at254);
    const at255 = at254.replace('.com', '.coms');
    expect(at255).toHaveLength(255);
    expect(() => normalizeAddress(at255)).toThrow(/longer than 254/);
  });

  it.each([
    [undefined, /required/],
    [42, /required/],
    ['', /required/],
    ['   ', /required/],
    ['plainaddress', /exactly one @/],
    ['a@b@example.com', /exactly one @/],
    ['@example.com', /nothing before the @/],
    ['a@', /not a valid mail domain/],
    ['a@localhost', /not a valid mail domain/],
    ['a@-example.com', /not a valid mail domain/],
    ['a@exa_mple.com', /not a valid mail domain/],
    ['a@x,b@y.com', /exactly one email address/],
    ['a@x.com;b@y.com', /exactly one email address/],
    ['a b@example.com', /exactly one email address/],
    ['a@example.com\nBcc: victim@example.org', /control characters/],
    ['a@example.com\r\nSubject: hi', /control characters/],
    ['a\u0000@example.com', /control characters/],
    ['jos\u00e9@example.com', /ASCII/],
    ['\u7528\u6237@example.com', /ASCII/],
    [`${'a'.repeat(65)}@example.com`, /longer than 64/],
    ['"Name" <a@example.com>', /exactly one email address|not a valid/],
    ['<a@example.com>', /not a valid/],
    ['a..b@example.com', /not a valid/],
    ['.a@example.com', /not a valid/],
  ])('refuses %j with a clear ValidationError', (input, message) => {
    let error: unknown;
    try {
      normalizeAddress(input);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toMatch(message);
  });
});
