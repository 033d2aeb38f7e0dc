import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { ValidationError } from './errors.ts';

/**
 * Signed, self-contained tokens for links in mail: HMAC-SHA256 over (address, purpose, expiry,
 * nonce), with a key id so secrets can rotate (new tokens use the first key; old keys still verify).
 */
export type TokenPurpose = 'confirm' | 'unsubscribe';

export interface TokenKey {
  kid: string;
  secret: Buffer;
}

export interface TokenClaims {
  email: string;
  purpose: TokenPurpose;
  /** Expiry in epoch seconds; 0 means the token does not expire (unsubscribe links). */
  exp: number;
  /** Random value; lets a confirm token be used once (the store keeps the expected nonce). */
  nonce: string;
}

export class TokenError extends ValidationError {
  override name = 'TokenError';
}

/** Parses "kid:secret,kid2:secret2" (secrets at least 32 characters). The first key signs. */
export function parseKeyring(value: string): TokenKey[] {
  const keys = value
    .split(',')
    .map((pair) => pair.trim())
    .filter(Boolean)
    .map((pair) => {
      const i = pair.indexOf(':');
      const kid = pair.slice(0, i);
      const secret = pair.slice(i + 1);
      if (i <= 0 || !/^[A-Za-z0-9_-]{1,16}$/.test(kid))
        throw new ValidationError('token key id must be 1-16 of [A-Za-z0-9_-]');
      if (secret.length < 32)
        throw new ValidationError(`token secret for key "${kid}" must be at least 32 characters`);
      return { kid, secret: Buffer.from(secret, 'utf8') };
    });
  if (keys.length === 0) throw new ValidationError('no token keys configured');
  return keys;
}

export function generateSecret(): string {
  return randomBytes(32).toString('base64url');
}

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64url');
const mac = (key: TokenKey, body: string) => createHmac('sha256', key.secret).update(body).digest();

export function signToken(keys: TokenKey[], claims: Omit<TokenClaims, 'nonce'> & { nonce?: string }): string {
  const key = keys[0];
  if (!key) throw new ValidationError('no token keys configured');
  const nonce = claims.nonce ?? randomBytes(9).toString('base64url');
  const payload = b64(JSON.stringify([claims.email, claims.purpose, claims.exp, nonce]));
  const body = `${key.kid}.${payload}`;
  return `${body}.${mac(key, body).toString('base64url')}`;
}

/** Verifies signature, purpose and expiry; throws TokenError saying which check failed. */
export function verifyToken(
  keys: TokenKey[],
  token: unknown,
  purpose: TokenPurpose,
  nowSeconds: number,
): TokenClaims {
  if (typeof token !== 'string' || token === '') throw new TokenError('token is missing');
  const parts = token.split('.');
  if (parts.length !== 3 || token.length > 1024) throw new TokenError('token is malformed');
  const [kid, payload, signature] = parts as [string, string, string];
  const key = keys.find((k) => k.kid === kid);
  if (!key) throw new TokenError('token was signed with an unknown key');
  const expected = mac(key, `${kid}.${payload}`);
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new TokenError('token signature is invalid (the link was altered)');
  }
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    throw new TokenError('token is malformed');
  }
  if (!Array.isArray(decoded) || decoded.length !== 4) throw new TokenError('token is malformed');
  const [email, tokenPurpose, exp, nonce] = decoded as unknown[];
  if (typeof email !== 'string' || typeof exp !== 'number' || typeof nonce !== 'string') {
    throw new TokenError('token is malformed');
  }
  if (tokenPurpose !== purpose) throw new TokenError(`token is not a ${purpose} token`);
  if (exp !== 0 && exp < nowSeconds) throw new TokenError('token has expired');
  return { email, purpose, exp, nonce };
}
