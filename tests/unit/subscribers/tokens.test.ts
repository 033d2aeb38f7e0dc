import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../functions/core/errors.ts';
import { unsubscribeUrl } from '../../../functions/core/send/deliver.ts';
import { parseKeyring, signToken, TokenError, verifyToken } from '../../../functions/core/tokens.ts';

/** Link tokens: HMAC-SHA256 with a key id, purpose and expiry; rotation; every way to break one. */
const OLD = 'old:abcdefghijklmnopqrstuvwxyz012345';
const NEW = 'new:ZYXWVUTSRQPONMLKJIHGFEDCBA987654';
const now = 1_900_000_000;

describe('signToken / verifyToken', () => {
  const keys = parseKeyring(NEW);

  it('round-trips the claims', () => {
    const token = signToken(keys, { email: 'a@example.com', purpose: 'confirm', exp: now + 60, nonce: 'n1' });
    expect(token.split('.')).toHaveLength(3);
    expect(token.startsWith('new.')).toBe(true);
    expect(verifyToken(keys, token, 'confirm', now)).toEqual({
      email: 'a@example.com',
      purpose: 'confirm',
      exp: now + 60,
      nonce: 'n1',
    });
  });

  it('makes a fresh nonce per token unless one is given', () => {
    const a = signToken(keys, { email: 'a@example.com', purpose: 'confirm', exp: now });
    const b = signToken(keys, { email: 'a@example.com', purpose: 'confirm', exp: now });
    expect(a).not.toBe(b);
  });

  it('rotation: the first key signs, every key verifies; a retired key no longer does', () => {
    const oldToken = signToken(parseKeyring(OLD), { email: 'a@example.com', purpose: 'unsubscribe', exp: 0 });
    const rotated = parseKeyring(`${NEW},${OLD}`);
    expect(verifyToken(rotated, oldToken, 'unsubscribe', now).email).toBe('a@example.com');
    expect(
      signToken(rotated, { email: 'a@example.com', purpose: 'unsubscribe', exp: 0 }).startsWith('new.'),
    ).toBe(true);
    expect(() => verifyToken(parseKeyring(NEW), oldToken, 'unsubscribe', now)).toThrow(/unknown key/);
  });

  it('expiry: past is refused, exp 0 never expires', () => {
    const expired = signToken(keys, { email: 'a@example.com', purpose: 'confirm', exp: now - 1 });
    expect(() => verifyToken(keys, expired, 'confirm', now)).toThrow(/expired/);
    const forever = signToken(keys, { email: 'a@example.com', purpose: 'unsubscribe', exp: 0 });
    expect(verifyToken(keys, forever, 'unsubscribe', now + 10 * 365 * 86400).email).toBe('a@example.com');
  });

  it('the purpose is checked', () => {
    const token = signToken(keys, { email: 'a@example.com', purpose: 'unsubscribe', exp: 0 });
    expect(() => verifyToken(keys, token, 'confirm', now)).toThrow(/not a confirm token/);
  });

  const good = signToken(keys, { email: 'a@example.com', purpose: 'confirm', exp: now + 60, nonce: 'n' });
  const [kid, payload, sig] = good.split('.') as [string, string, string];
  const forged = Buffer.from(JSON.stringify(['b@example.com', 'confirm', now + 60, 'n'])).toString(
    'base64url',
  );
  const bad: [string, unknown, RegExp][] = [
    ['missing', undefined, /missing/],
    ['empty', '', /missing/],
    ['not a string', 42, /missing/],
    ['two parts', `${kid}.${payload}`, /malformed/],
    ['four parts', `${good}.x`, /malformed/],
    ['too long', `${kid}.${'a'.repeat(2000)}.${sig}`, /malformed/],
    ['another payload', `${kid}.${forged}.${sig}`, /signature is invalid/],
    ['a truncated signature', `${kid}.${payload}.${sig.slice(0, 10)}`, /signature is invalid/],
    ['an empty signature', `${kid}.${payload}.`, /signature is invalid/],
    ['another kid', `old.${payload}.${sig}`, /unknown key/],
  ];
  it.each(bad)('refuses a token that is %s, with a TokenError', (_name, token, message) => {
    let error: unknown;
    try {
      verifyToken(keys, token, 'confirm', now);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TokenError);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toMatch(message);
  });

  it('a validly signed payload of the wrong shape is refused', () => {
    // Only a holder of the key could make these; still, the claims are type-checked.
    const body = `new.${Buffer.from(JSON.stringify({ email: 'a' })).toString('base64url')}`;
    const mac = createHmac('sha256', 'ZYXWVUTSRQPONMLKJIHGFEDCBA987654').update(body).digest('base64url');
    expect(() => verifyToken(keys, `${body}.${mac}`, 'confirm', now)).toThrow(/malformed/);
  });
});

describe('parseKeyring', () => {
  it('reads kid:secret pairs, first one first', () => {
    expect(parseKeyring(` ${NEW} , ${OLD} `).map((k) => k.kid)).toEqual(['new', 'old']);
  });
  it.each([
    ['', /no token keys/],
    ['nokid', /key id/],
    [':abcdefghijklmnopqrstuvwxyz0123456789', /key id/],
    ['bad kid!:abcdefghijklmnopqrstuvwxyz0123456789', /key id/],
    ['k:short', /at least 32/],
  ])('refuses %j', (value, message) => {
    expect(() => parseKeyring(value)).toThrow(message);
  });
});

describe('compatibility with the digest', () => {
  it('the unsubscribe link of every digest verifies as a non-expiring unsubscribe token', () => {
    const keys = parseKeyring(`${NEW},${OLD}`);
    const url = new URL(unsubscribeUrl('https://digest.test/', keys, 'a@example.com'));
    expect(url.pathname).toBe('/unsubscribe');
    const claims = verifyToken(keys, url.searchParams.get('token'), 'unsubscribe', now);
    expect(claims).toMatchObject({ email: 'a@example.com', exp: 0 });
  });
});
