import { domainToASCII } from 'node:url';
import emailAddresses from 'email-addresses';
import { ValidationError } from '../errors.ts';

const MAX_ADDRESS = 254;
const MAX_LOCAL = 64;

/**
 * Validates one email address and returns its canonical form: the local part as written, the
 * domain lower-cased and in punycode. SES rejects non-ASCII local parts, so they are refused here.
 * Throws ValidationError naming the problem.
 */
export function normalizeAddress(input: unknown): string {
  if (typeof input !== 'string') throw new ValidationError('email address is required');
  const value = input.trim();
  if (value === '') throw new ValidationError('email address is required');
  // Refuse control characters outright: a newline here is a header-injection attempt.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
  if (/[\u0000-\u001f\u007f]/.test(value))
    throw new ValidationError('email address contains control characters');
  if (value.length > MAX_ADDRESS)
    throw new ValidationError(`email address is longer than ${MAX_ADDRESS} characters`);
  if (/[,;\s]/.test(value)) throw new ValidationError('give exactly one email address (no lists or spaces)');
  const at = value.lastIndexOf('@');
  if (at < 0 || value.indexOf('@') !== at)
    throw new ValidationError('email address must contain exactly one @');
  const local = value.slice(0, at);
  const rawDomain = value.slice(at + 1);
  if (local.length === 0) throw new ValidationError('email address has nothing before the @');
  if (local.length > MAX_LOCAL)
    throw new ValidationError(`the part before @ is longer than ${MAX_LOCAL} characters`);
  if (!/^[\u0020-\u007e]+$/.test(local)) {
    throw new ValidationError(
      'the part before @ must be ASCII (SES does not accept internationalized local parts)',
    );
  }
  const domain = domainToASCII(rawDomain.toLowerCase());
  if (!domain || !/^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$/.test(domain)) {
    throw new ValidationError(`"${rawDomain}" is not a valid mail domain`);
  }
  const address = `${local}@${domain}`;
  if (address.length > MAX_ADDRESS)
    throw new ValidationError(`email address is longer than ${MAX_ADDRESS} characters`);
  const parsed = emailAddresses.parseOneAddress({ input: address, rfc6532: false, rejectTLD: true });
  if (parsed?.type !== 'mailbox' || parsed.address !== address) {
    throw new ValidationError('not a valid email address');
  }
  return address;
}
