import type { LookupAddress } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { describe, expect, it } from 'vitest';
import {
  BlockedAddressError,
  guardedLookup,
  type Resolver,
} from '../../../functions/adapters/http/guarded-lookup.ts';

/** The agent's lookup hook with a stub resolver: it checks exactly the answer it connects with. */
function call(lookup: LookupFunction, host: string, options: { all?: boolean; family?: number } = {}) {
  return new Promise<{ error: NodeJS.ErrnoException | null; result: unknown }>((resolve) => {
    lookup(host, options, (error, address, family) =>
      resolve({ error, result: error ? undefined : options.all ? address : { address, family } }),
    );
  });
}

const stub = (answers: Record<string, LookupAddress[][]>): Resolver & { calls: string[] } => {
  const calls: string[] = [];
  const counts = new Map<string, number>();
  const resolver = async (host: string) => {
    calls.push(host);
    const n = counts.get(host) ?? 0;
    counts.set(host, n + 1);
    const list = answers[host];
    const answer = list?.[Math.min(n, list.length - 1)];
    if (!answer) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
    return answer;
  };
  return Object.assign(resolver, { calls });
};

const v4 = (address: string): LookupAddress => ({ address, family: 4 });
const v6 = (address: string): LookupAddress => ({ address, family: 6 });

describe('guarded lookup', () => {
  it('hands over a public answer unchanged, single or all', async () => {
    const lookup = guardedLookup(
      stub({ 'news.example': [[v4('93.184.216.34'), v6('2606:2800:220:1::1')]] }),
      {
        allowPrivate: false,
      },
    );
    expect(await call(lookup, 'news.example')).toEqual({
      error: null,
      result: { address: '93.184.216.34', family: 4 },
    });
    expect(await call(lookup, 'news.example', { all: true })).toEqual({
      error: null,
      result: [v4('93.184.216.34'), v6('2606:2800:220:1::1')],
    });
    expect(await call(lookup, 'news.example', { family: 6 })).toEqual({
      error: null,
      result: { address: '2606:2800:220:1::1', family: 6 },
    });
  });

  it('refuses a name that resolves to a private address, naming the name, the address and the range', async () => {
    const lookup = guardedLookup(stub({ 'intranet.example': [[v4('10.0.0.5')]] }), { allowPrivate: false });
    const { error } = await call(lookup, 'intranet.example');
    expect(error).toBeInstanceOf(BlockedAddressError);
    expect(error?.message).toMatch(
      /intranet\.example resolves to 10\.0\.0\.5 is a private \(10\.0\.0\.0\/8\) address/,
    );
    expect(error?.message).toMatch(/DIGEST_ALLOW_PRIVATE_SOURCES=true/);
  });

  it('refuses the whole answer when one of several addresses is inside (no fallback to the public one)', async () => {
    const lookup = guardedLookup(stub({ 'mixed.example': [[v4('93.184.216.34'), v4('169.254.169.254')]] }), {
      allowPrivate: false,
    });
    const { error } = await call(lookup, 'mixed.example', { all: true });
    expect(error?.message).toMatch(/169\.254\.169\.254 is a cloud metadata service/);
  });

  it('checks each connection on its own answer: a DNS answer that changes after a check cannot slip through', async () => {
    // DNS rebinding: the first answer is public, the next (a TTL of 0 later) points at loopback.
    const resolver = stub({ 'rebind.example': [[v4('93.184.216.34')], [v4('127.0.0.1')]] });
    const lookup = guardedLookup(resolver, { allowPrivate: false });
    const first = await call(lookup, 'rebind.example');
    expect(first).toEqual({ error: null, result: { address: '93.184.216.34', family: 4 } });
    // A design that checked first and connected later would now connect to 127.0.0.1 unchecked;
    // here the connect itself asks, and is refused.
    const second = await call(lookup, 'rebind.example');
    expect(second.error).toBeInstanceOf(BlockedAddressError);
    expect(second.error?.message).toMatch(/rebind\.example resolves to 127\.0\.0\.1 is a loopback/);
    expect(resolver.calls).toEqual(['rebind.example', 'rebind.example']);
  });

  it('refuses IPv6 loopback, IPv4-mapped and unique-local answers too', async () => {
    const lookup = guardedLookup(
      stub({
        a: [[v6('::1')]],
        b: [[v6('::ffff:127.0.0.1')]],
        c: [[v6('fd12:3456::1')]],
        d: [[v6('fe80::1')]],
      }),
      { allowPrivate: false },
    );
    for (const [host, why] of [
      ['a', /loopback/],
      ['b', /IPv4-mapped 127\.0\.0\.1/],
      ['c', /unique-local/],
      ['d', /link-local/],
    ] as const) {
      expect((await call(lookup, host)).error?.message).toMatch(why);
    }
  });

  it('allows private answers when local development says so, or for listed addresses only', async () => {
    const resolver = stub({ localhost: [[v4('127.0.0.1')]], other: [[v4('127.0.0.2')]] });
    expect((await call(guardedLookup(resolver, { allowPrivate: true }), 'localhost')).error).toBeNull();
    const listed = guardedLookup(resolver, { allowPrivate: false, allowAddresses: ['127.0.0.1'] });
    expect((await call(listed, 'localhost')).error).toBeNull();
    expect((await call(listed, 'other')).error).toBeInstanceOf(BlockedAddressError);
  });

  it('passes resolver failures and empty answers on as errors', async () => {
    const lookup = guardedLookup(stub({ empty: [[]] }), { allowPrivate: false });
    expect((await call(lookup, 'nowhere.example')).error?.code).toBe('ENOTFOUND');
    expect((await call(lookup, 'empty')).error?.code).toBe('ENOTFOUND');
  });
});
