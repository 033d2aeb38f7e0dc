import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../functions/core/errors.ts';
import { mailboxKey, normalizeAddress } from '../../../functions/core/subscribers/address.ts';

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
    ['a@', /no domain after the @/],
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
    ['<a@example.com>', /contains "<"/],
    ['a..b@example.com', /two dots in a row/],
    ['.a@example.com', /starts with a dot/],
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

/**
 * The error categories of public RFC 5321/5322 address test lists (isemail's names them
 * ISEMAIL_ERR_*, plus the numeric top-level domain it flags): a case of our own in each, every one
 * refused with a message that names the problem.
 */
describe('normalizeAddress refuses every error category of an RFC 5321/5322 test list', () => {
  it.each([
    ['no local part', '@news.example.org', /nothing before the @/],
    ['no domain', 'reader@', /no domain after the @/],
    ['two @', 'reader@@news.example.org', /exactly one @/],
    ['dot at the start of the local part', '.reader@news.example.org', /starts with a dot/],
    ['dot at the end of the local part', 'reader.@news.example.org', /ends with a dot/],
    ['consecutive dots in the local part', 'first..last@news.example.org', /two dots in a row/],
    ['dot at the start of the domain', 'reader@.news.example.org', /domain starts with a dot/],
    ['dot at the end of the domain', 'reader@news.example.org.', /domain ends with a dot/],
    ['consecutive dots in the domain', 'reader@news..example.org', /two dots in a row/],
    ['hyphen at the start of a label', 'reader@-news.example.org', /"-news" starts with a hyphen/],
    ['hyphen at the end of a label', 'reader@news-.example.org', /"news-" ends with a hyphen/],
    ['hyphen at the end of the domain', 'test@iana.org-', /"org-" ends with a hyphen/],
    ['hyphen at the start of the top-level domain', 'reader@news.-org', /"-org" starts with a hyphen/],
    [
      'numeric top-level domain (an IPv4 address)',
      'test@255.255.255.255',
      /top-level domain "255" is all digits/,
    ],
    [
      'numeric top-level domain after a name',
      'reader@news.example.42',
      /top-level domain "42" is all digits/,
    ],
    ['label longer than 63 characters', `reader@${'l'.repeat(64)}.example.org`, /longer than 63 characters/],
    ['character a host name cannot hold', 'reader@news_room.example.org', /contains "_"/],
    ['slash in the domain', 'reader@news/room.example.org', /contains "\/"/],
    ['unclosed domain literal', 'reader@[192.0.2.7', /address literals/],
    ['domain literal (closed)', 'reader@[192.0.2.7]', /address literals/],
    ['unclosed quoted string', '"reader@news.example.org', /quoted local parts/],
    ['text after a quoted string', '"first"last@news.example.org', /quoted local parts/],
    ['quoted string after text', 'first."last"@news.example.org', /quoted local parts/],
    ['unclosed comment', '(note.reader@news.example.org', /comments in parentheses/],
    ['comment in the local part', 'reader(note)@news.example.org', /comments in parentheses/],
    ['comment in the domain', 'reader@(note)news.example.org', /contains "\("/],
    ['backslash outside quotes', 'first\\last@news.example.org', /contains "\\\\"/],
    ['special character outside quotes', 'first[last]@news.example.org', /contains "\["/],
    ['colon outside quotes', 'first:last@news.example.org', /contains ":"/],
    ['CR without LF', 'reader@news.example.org\rX', /control characters/],
    ['folding white space around the @', 'reader @news.example.org', /no lists or spaces/],
    ['CRLF folding inside', 'reader@news.\r\n example.org', /control characters/],
    ['C1 control character', 'reader\u0085@news.example.org', /control characters/],
    ['non-ASCII local part (SES refuses it)', 'léa@news.example.org', /must be ASCII \(SES/],
  ])('%s: %j', (_category, input, message) => {
    let error: unknown;
    try {
      normalizeAddress(input);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toMatch(message);
  });

  it.each([
    ['digits in a label that is not the last', 'reader@7news.example.org'],
    ['an all-digit label before a named top-level domain', 'reader@123.example.org'],
    ['a punycode top-level domain', 'reader@news.xn--p1ai'],
    ['a double hyphen inside a label', 'reader@news--room.example.org'],
    ['every atext character', "!#$%&'*+-/=?^_`{|}~@news.example.org"],
  ])('still accepts %s: %j', (_what, input) => {
    expect(normalizeAddress(input)).toBe(input);
  });
});

describe('mailboxKey: one mailbox, one identity', () => {
  it('is the same for every capitalization of one address', () => {
    const spellings = ['reader@example.com', 'Reader@Example.com', 'READER@EXAMPLE.COM'];
    const keys = new Set(spellings.map((s) => mailboxKey(normalizeAddress(s))));
    expect([...keys]).toEqual(['reader@example.com']);
  });

  it('keeps the spelling the person typed in the normalized address', () => {
    expect(normalizeAddress('Reader@Example.com')).toBe('Reader@example.com');
  });
});
