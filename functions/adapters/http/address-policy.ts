import { isIP } from 'node:net';

/**
 * Which addresses a fetch may connect to. Written by hand, not taken from a library, because it
 * is our security policy and must be readable in one place: every special-purpose range that
 * could reach something on our side of the network (loopback, private, link-local, unique-local,
 * CGNAT, cloud metadata), plus those that are never a public web server (documentation,
 * benchmarking, multicast, reserved), and the IPv6 forms that embed an IPv4 address (mapped,
 * compatible, NAT64, 6to4), which are judged by the address they embed.
 */

export interface AddressVerdict {
  address: string;
  allowed: boolean;
  /** Why it is refused, in words: "loopback", "cloud metadata (169.254.169.254)", … */
  range?: string | undefined;
}

const METADATA = new Map([
  ['169.254.169.254', 'cloud metadata service'],
  ['169.254.170.2', 'container metadata service'],
  ['100.100.100.200', 'cloud metadata service'],
  ['fd00:ec2::254', 'cloud metadata service'],
]);

type V4Range = [base: number, bits: number, name: string];
const V4: V4Range[] = [
  [0x00000000, 8, '"this network" (0.0.0.0/8)'],
  [0x0a000000, 8, 'private (10.0.0.0/8)'],
  [0x64400000, 10, 'carrier-grade NAT (100.64.0.0/10)'],
  [0x7f000000, 8, 'loopback (127.0.0.0/8)'],
  [0xa9fe0000, 16, 'link-local (169.254.0.0/16)'],
  [0xac100000, 12, 'private (172.16.0.0/12)'],
  [0xc0000000, 24, 'IETF protocol assignments (192.0.0.0/24)'],
  [0xc0000200, 24, 'documentation (192.0.2.0/24)'],
  [0xc0a80000, 16, 'private (192.168.0.0/16)'],
  [0xc6120000, 15, 'benchmarking (198.18.0.0/15)'],
  [0xc6336400, 24, 'documentation (198.51.100.0/24)'],
  [0xcb007100, 24, 'documentation (203.0.113.0/24)'],
  [0xe0000000, 4, 'multicast (224.0.0.0/4)'],
  [0xf0000000, 4, 'reserved (240.0.0.0/4)'],
];

type V6Range = [base: bigint, bits: number, name: string];
const v6 = (text: string) => parseIPv6(text) as bigint;
const V6: V6Range[] = [
  [v6('::'), 128, 'unspecified (::)'],
  [v6('::1'), 128, 'loopback (::1)'],
  [v6('64:ff9b:1::'), 48, 'local-use NAT64 (64:ff9b:1::/48)'],
  [v6('100::'), 64, 'discard-only (100::/64)'],
  [v6('2001::'), 32, 'Teredo tunnel (2001::/32)'],
  [v6('2001:db8::'), 32, 'documentation (2001:db8::/32)'],
  [v6('fc00::'), 7, 'unique-local (fc00::/7)'],
  [v6('fe80::'), 10, 'link-local (fe80::/10)'],
  [v6('fec0::'), 10, 'site-local (fec0::/10)'],
  [v6('ff00::'), 8, 'multicast (ff00::/8)'],
];

const inV6 = (value: bigint, [base, bits]: V6Range) =>
  value >> BigInt(128 - bits) === base >> BigInt(128 - bits);

/**
 * IPv4 in every notation `inet_aton` (and so Node and getaddrinfo) accepts: 1–4 parts, each
 * decimal, octal (leading 0) or hex (0x); the last part fills the remaining bytes.
 */
export function parseIPv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length < 1 || parts.length > 4) return undefined;
  const values: number[] = [];
  for (const part of parts) {
    let value: number;
    if (/^0x[0-9a-f]*$/i.test(part)) value = part.length === 2 ? 0 : Number.parseInt(part.slice(2), 16);
    else if (/^0[0-7]+$/.test(part)) value = Number.parseInt(part.slice(1), 8);
    else if (/^(0|[1-9][0-9]*)$/.test(part)) value = Number(part);
    else return undefined;
    if (!Number.isFinite(value)) return undefined;
    values.push(value);
  }
  const last = values.pop() as number;
  if (values.some((v) => v > 255) || last >= 256 ** (4 - values.length)) return undefined;
  return values.reduce((acc, v, i) => acc + v * 256 ** (3 - i), 0) + last;
}

/** IPv6 text (with `::`, an embedded dotted quad, brackets or a zone id) → 128-bit value. */
export function parseIPv6(text: string): bigint | undefined {
  let t = text.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  if (isIP(t) !== 6) return undefined;
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(t);
  if (dotted) {
    const v4 = parseIPv4(dotted[1] as string) as number;
    t = `${t.slice(0, -(dotted[1] as string).length)}${(v4 >>> 16).toString(16)}:${(v4 & 0xffff).toString(16)}`;
  }
  const [head, tail] = t.includes('::') ? t.split('::') : [t, undefined];
  const h = head ? head.split(':') : [];
  const tl = tail !== undefined && tail !== '' ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - tl.length).fill('0'), ...tl];
  if (groups.length !== 8) return undefined;
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(Number.parseInt(g, 16)), 0n);
}

const v4Text = (v: number) => [v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255].join('.');

function classifyV4(value: number, shown: string): AddressVerdict {
  const dotted = v4Text(value);
  const metadata = METADATA.get(dotted);
  if (metadata) return { address: shown, allowed: false, range: `${metadata} (${dotted})` };
  if (value === 0xffffffff) return { address: shown, allowed: false, range: 'broadcast (255.255.255.255)' };
  for (const [base, bits, name] of V4) {
    const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
    if ((value & mask) >>> 0 === base) return { address: shown, allowed: false, range: name };
  }
  return { address: shown, allowed: true };
}

function embedded(value: bigint): { v4: number; how: string } | undefined {
  const top96 = value >> 32n;
  const low = Number(value & 0xffffffffn);
  if (top96 === 0xffffn) return { v4: low, how: 'IPv4-mapped' };
  if (top96 === 0n && low > 1) return { v4: low, how: 'IPv4-compatible' };
  if (value >> 32n === v6('64:ff9b::') >> 32n) return { v4: low, how: 'NAT64' };
  if (value >> 112n === 0x2002n) return { v4: Number((value >> 80n) & 0xffffffffn), how: '6to4' };
  return undefined;
}

/** The verdict for one address, in any notation Node accepts. Unparseable input is refused. */
export function classifyAddress(address: string): AddressVerdict {
  const bare = address.replace(/^\[|\]$/g, '');
  if (!bare.includes(':')) {
    const value = parseIPv4(bare);
    if (value === undefined) return { address, allowed: false, range: 'not an IP address' };
    return classifyV4(value, address);
  }
  const value = parseIPv6(bare);
  if (value === undefined) return { address, allowed: false, range: 'not an IP address' };
  const compact = bare.replace(/%.*$/, '').toLowerCase();
  const metadata = METADATA.get(compact);
  if (metadata) return { address, allowed: false, range: `${metadata} (${compact})` };
  const inner = embedded(value);
  if (inner) {
    const verdict = classifyV4(inner.v4, address);
    return verdict.allowed
      ? verdict
      : { address, allowed: false, range: `${inner.how} ${v4Text(inner.v4)}, ${verdict.range}` };
  }
  for (const range of V6) if (inV6(value, range)) return { address, allowed: false, range: range[2] };
  return { address, allowed: true };
}
