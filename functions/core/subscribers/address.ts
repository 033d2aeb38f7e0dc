import { domainToASCII, domainToUnicode } from 'node:url';
import emailAddresses from 'email-addresses';
import { ValidationError } from '../errors.ts';

const MAX_ADDRESS = 254;
const MAX_LOCAL = 64;
const MAX_DOMAIN = 253;
const MAX_LABEL = 63;

/** RFC 5322 atext: what a dot-atom local part may hold besides the dots between atoms. */
const ATEXT = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+$/;

/**
 * Why the local part is not an RFC 5322 dot-atom, or undefined when it is. Quoted strings and
 * comments are valid RFC 5322 but no mailbox provider hands them out and SES handles them badly,
 * so they are refused by name like the real errors.
 */
function localPartProblem(local: string): string | undefined {
  if (local.startsWith('"') || local.endsWith('"')) {
    return 'quoted local parts ("…"@) are not accepted';
  }
  if (local.includes('(') || local.includes(')')) return 'comments in parentheses are not accepted';
  if (local.startsWith('.')) return 'the part before @ starts with a dot';
  if (local.endsWith('.')) return 'the part before @ ends with a dot';
  if (local.includes('..')) return 'the part before @ has two dots in a row';
  for (const atom of local.split('.')) {
    if (!ATEXT.test(atom)) {
      const bad = [...atom].find((c) => !ATEXT.test(c)) ?? '';
      return `the part before @ contains ${JSON.stringify(bad)}, which an address cannot hold unquoted`;
    }
  }
  return undefined;
}

/** Why an ASCII (punycode) domain cannot receive mail by its name, or undefined when it can. */
function domainProblem(domain: string): string | undefined {
  if (domain.startsWith('[')) return 'address literals ([1.2.3.4]) are not accepted: give a domain name';
  if (domain.length > MAX_DOMAIN) return `the domain is longer than ${MAX_DOMAIN} characters`;
  if (domain.startsWith('.')) return 'the domain starts with a dot';
  if (domain.endsWith('.')) return 'the domain ends with a dot';
  const labels = domain.split('.');
  if (labels.length < 2) return 'the domain needs a dot (like example.com)';
  for (const label of labels) {
    if (label === '') return 'the domain has two dots in a row';
    if (label.length > MAX_LABEL)
      return `the domain part "${label.slice(0, 20)}…" is longer than ${MAX_LABEL} characters`;
    if (label.startsWith('-')) return `the domain part "${label}" starts with a hyphen`;
    if (label.endsWith('-')) return `the domain part "${label}" ends with a hyphen`;
    if (!/^[a-z0-9-]+$/.test(label)) {
      const bad = [...label].find((c) => !/[a-z0-9-]/.test(c)) ?? '';
      return `the domain contains ${JSON.stringify(bad)}, which a host name cannot hold`;
    }
  }
  const tld = labels[labels.length - 1] as string;
  // RFC 3696 §2: a top-level domain is never all-numeric (so 255.255.255.255 is not a domain name).
  if (/^[0-9]+$/.test(tld)) return `the top-level domain "${tld}" is all digits, which no real one is`;
  if (tld.length < 2) return `the top-level domain "${tld}" is a single character`;
  return undefined;
}

function asciiCharacterProblem(domain: string): string | undefined {
  const bad = [...domain].find((c) => c <= '\x7f' && !/[a-z0-9.-]/.test(c));
  return bad === undefined
    ? undefined
    : `the domain contains ${JSON.stringify(bad)}, which a host name cannot hold`;
}

function hyphenProblem(unicodeDomain: string): string | undefined {
  const label = unicodeDomain.split('.').find((l) => l.startsWith('-') || l.endsWith('-'));
  return label === undefined ? undefined : `the domain part "${label}" starts or ends with a hyphen`;
}

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
  if (/[\u0000-\u001f\u007f-\u009f]/.test(value))
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
  if (rawDomain.length === 0) throw new ValidationError('email address has no domain after the @');
  if (local.length > MAX_LOCAL)
    throw new ValidationError(`the part before @ is longer than ${MAX_LOCAL} characters`);
  if (!/^[\u0020-\u007e]+$/.test(local)) {
    throw new ValidationError(
      'the part before @ must be ASCII (SES does not accept internationalized local parts)',
    );
  }
  const localProblem = localPartProblem(local);
  if (localProblem) throw new ValidationError(localProblem);
  const lower = rawDomain.toLowerCase();
  // An ASCII domain is judged as written (the URL parser would read "iana.123" as an IPv4 address);
  // an international one once in punycode, and by its Unicode labels too, where a hyphen at the
  // end of a label would otherwise hide inside the punycode.
  const ascii = !/[^\u0020-\u007e]/.test(lower);
  const domain = ascii ? lower : domainToASCII(lower);
  let problem: string | undefined;
  if (ascii) problem = domainProblem(lower);
  else if (!domain) problem = asciiCharacterProblem(lower) ?? 'it is not a valid international domain name';
  else problem = domainProblem(domain) ?? hyphenProblem(domainToUnicode(domain));
  if (problem) throw new ValidationError(`"${rawDomain}" is not a valid mail domain: ${problem}`);
  const address = `${local}@${domain}`;
  if (address.length > MAX_ADDRESS)
    throw new ValidationError(`email address is longer than ${MAX_ADDRESS} characters`);
  // The library's RFC 5322 parser as the last word, behind the checks above that name the problem.
  const parsed = emailAddresses.parseOneAddress({ input: address, rfc6532: false, rejectTLD: true });
  if (parsed?.type !== 'mailbox' || parsed.address !== address) {
    throw new ValidationError('not a valid email address');
  }
  return address;
}

/**
 * The identity of a mailbox: one mailbox is one subscriber, however its address is capitalized.
 * Every large mailbox provider treats the local part case-insensitively, so two spellings that
 * differ only in case are the same person. Takes a normalized address (domain already lower-cased
 * and in punycode, local part ASCII), so lower-casing the whole string is exact.
 */
export function mailboxKey(address: string): string {
  return address.trim().toLowerCase();
}
