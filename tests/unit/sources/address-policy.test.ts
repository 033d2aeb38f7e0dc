import { describe, expect, it } from 'vitest';
import { classifyAddress, parseIPv4, parseIPv6 } from '../../../functions/adapters/http/address-policy.ts';

/** The SSRF classifier on every refused range, its edges, and the notations Node accepts. */
const refused: [string, RegExp][] = [
  ['127.0.0.1', /loopback/],
  ['127.255.255.255', /loopback/],
  ['10.0.0.0', /private \(10/],
  ['10.255.255.255', /private \(10/],
  ['172.16.0.0', /private \(172\.16/],
  ['172.31.255.255', /private \(172\.16/],
  ['192.168.0.1', /private \(192\.168/],
  ['192.168.255.255', /private \(192\.168/],
  ['169.254.0.1', /link-local/],
  ['169.254.169.254', /cloud metadata/],
  ['169.254.170.2', /container metadata/],
  ['100.64.0.0', /carrier-grade NAT/],
  ['100.127.255.255', /carrier-grade NAT/],
  ['100.100.100.200', /cloud metadata/],
  ['0.0.0.0', /this network/],
  ['0.255.255.255', /this network/],
  ['192.0.0.8', /IETF/],
  ['192.0.2.1', /documentation/],
  ['198.18.0.1', /benchmarking/],
  ['224.0.0.1', /multicast/],
  ['240.0.0.1', /reserved/],
  ['255.255.255.255', /broadcast/],
  ['::1', /loopback/],
  ['::', /unspecified/],
  ['0:0:0:0:0:0:0:1', /loopback/],
  ['fc00::1', /unique-local/],
  ['fdff:ffff::1', /unique-local/],
  ['fe80::1', /link-local/],
  ['fe80::1%eth0', /link-local/],
  ['febf:ffff::1', /link-local/],
  ['fec0::1', /site-local/],
  ['ff02::1', /multicast/],
  ['fd00:ec2::254', /cloud metadata/],
  ['2001:db8::1', /documentation/],
  ['2001:0:4136:e378::1', /Teredo/],
  // IPv4-mapped, -compatible, NAT64 and 6to4 forms are judged by the IPv4 address inside.
  ['::ffff:127.0.0.1', /IPv4-mapped 127\.0\.0\.1, loopback/],
  ['::ffff:7f00:1', /IPv4-mapped 127\.0\.0\.1, loopback/],
  ['[::ffff:a9fe:a9fe]', /IPv4-mapped 169\.254\.169\.254, cloud metadata/],
  ['::ffff:10.0.0.1', /IPv4-mapped 10\.0\.0\.1, private/],
  ['::ffff:192.168.1.1', /private/],
  ['::ffff:100.64.0.1', /carrier-grade/],
  ['::ffff:0.0.0.0', /this network/],
  ['::127.0.0.1', /IPv4-compatible 127\.0\.0\.1/],
  ['64:ff9b::7f00:1', /NAT64 127\.0\.0\.1/],
  ['64:ff9b::169.254.169.254', /NAT64 169\.254\.169\.254, cloud metadata/],
  ['64:ff9b:1::1', /local-use NAT64/],
  ['2002:a9fe:a9fe::1', /6to4 169\.254\.169\.254/],
  // IPv4 in the other notations inet_aton (and so Node's resolver) accepts.
  ['2130706433', /loopback/],
  ['0x7f000001', /loopback/],
  ['0x7f.1', /loopback/],
  ['127.1', /loopback/],
  ['0177.0.0.1', /loopback/],
  ['017700000001', /loopback/],
  ['0xa9.0xfe.0xa9.0xfe', /cloud metadata/],
  ['10.1', /private/],
  ['3232235777', /private \(192\.168/],
];

const allowed = [
  '8.8.8.8',
  '1.1.1.1',
  '9.255.255.255', // just below 10/8
  '11.0.0.0', // just above
  '172.15.255.255',
  '172.32.0.0',
  '192.167.255.255',
  '192.169.0.0',
  '169.253.255.255',
  '169.255.0.0',
  '100.63.255.255',
  '100.128.0.0',
  '126.255.255.255',
  '128.0.0.0',
  '223.255.255.255',
  '2606:4700:4700::1111',
  '2a00:1450:4001:80b::200e',
  '::ffff:8.8.8.8',
  '64:ff9b::808:808',
  '2002:808:808::1',
  'fbff:ffff::1', // just below fc00::/7
  'fe7f::1', // just below fe80::/10
];

describe('address policy', () => {
  it.each(refused)('refuses %s, naming why', (address, why) => {
    const verdict = classifyAddress(address);
    expect(verdict.allowed).toBe(false);
    expect(verdict.range).toMatch(why);
  });

  it.each(allowed)('allows the public address %s', (address) => {
    expect(classifyAddress(address)).toEqual({ address, allowed: true });
  });

  it('refuses what is not an address at all (a name must be resolved first)', () => {
    expect(classifyAddress('localhost')).toMatchObject({ allowed: false, range: 'not an IP address' });
    expect(classifyAddress('256.0.0.1')).toMatchObject({ allowed: false });
    expect(classifyAddress('1.2.3.4.5')).toMatchObject({ allowed: false });
    expect(classifyAddress('::ffff::1::')).toMatchObject({ allowed: false });
  });

  it('parses IPv4 like inet_aton and IPv6 with every shorthand', () => {
    expect(parseIPv4('127.0.0.1')).toBe(0x7f000001);
    expect(parseIPv4('0x7f.1')).toBe(0x7f000001);
    expect(parseIPv4('127.65535')).toBe(0x7f00ffff);
    expect(parseIPv4('127.16777216')).toBeUndefined(); // the last part fills 3 bytes at most
    expect(parseIPv4('08.0.0.1')).toBeUndefined(); // 08 is not octal
    expect(parseIPv6('::ffff:127.0.0.1')).toBe(parseIPv6('::ffff:7f00:1'));
    expect(parseIPv6('[fe80::1%lo0]')).toBe(parseIPv6('fe80::1'));
    expect(parseIPv6('1:2:3:4:5:6:7:8')).toBe(0x00010002000300040005000600070008n);
  });

  it('agrees with what the URL parser makes of odd hosts (a literal IP never reaches DNS)', () => {
    for (const host of ['0x7f.1', '2130706433', '0177.0.0.1', '127.1', '[::ffff:127.0.0.1]', '[0:0::1]']) {
      const { hostname } = new URL(`http://${host}/`);
      expect(classifyAddress(hostname).allowed, `${host} → ${hostname}`).toBe(false);
    }
  });
});
