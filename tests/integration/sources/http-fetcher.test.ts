import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Resolver } from '../../../functions/adapters/http/guarded-lookup.ts';
import { digestUserAgent, HttpFetcher } from '../../../functions/adapters/http/http-fetcher.ts';
import type { FetchFailure, FetchResponse } from '../../../functions/core/sources/ports.ts';
import { type Publisher, startPublisher } from '../../helpers/publisher.ts';

/** The real fetcher against the loopback publisher: politeness, caps, charsets and SSRF refusals. */
let publisher: Publisher;
let fetcher: HttpFetcher;
const UA = digestUserAgent('The Weekly Digest', '0.1.0', 'https://digest.example.com');

beforeAll(async () => {
  publisher = await startPublisher({ slowMs: 2000 });
  fetcher = new HttpFetcher({ userAgent: UA, allowPrivate: true, timeoutMs: 1000, maxBytes: 1024 * 1024 });
});
afterAll(async () => {
  fetcher?.close();
  await publisher?.close();
});

const ok = (r: FetchResponse | FetchFailure): FetchResponse => {
  if (!r.ok) throw new Error(`expected a response, got ${r.reason}: ${r.message}`);
  return r;
};
const failed = (r: FetchResponse | FetchFailure): FetchFailure => {
  if (r.ok) throw new Error(`expected a failure, got HTTP ${r.status}`);
  return r;
};

describe('HTTP fetcher', () => {
  it('names the digest and its public URL, asks for gzip/br, and revalidates with a 304', async () => {
    publisher.resetRequests();
    const first = ok(await fetcher.get({ url: publisher.url('/feed.xml'), accept: 'application/rss+xml' }));
    expect(first.status).toBe(200);
    expect(first.body).toContain('Coastal Courier');
    const [request] = publisher.requests('/feed.xml');
    expect(request?.headers['user-agent']).toBe(
      'The-Weekly-Digest/0.1.0 (+https://digest.example.com; newsletter digest feed fetcher)',
    );
    expect(request?.headers['accept-encoding']).toBe('gzip, br');
    const again = ok(
      await fetcher.get({
        url: publisher.url('/feed.xml'),
        etag: first.headers.etag,
        lastModified: first.headers['last-modified'],
      }),
    );
    expect(again).toMatchObject({ status: 304, body: '', bytes: 0 });
    const second = publisher.requests('/feed.xml')[1];
    expect(second?.headers['if-none-match']).toBe(first.headers.etag);
    expect(second?.headers['if-modified-since']).toBe(first.headers['last-modified']);
    expect(second?.status).toBe(304);
  });

  it('decompresses gzip and br', async () => {
    const plain = ok(await fetcher.get({ url: publisher.url('/feed.xml') })).body;
    expect(ok(await fetcher.get({ url: publisher.url('/gzip/feed.xml') })).body).toBe(plain);
    expect(ok(await fetcher.get({ url: publisher.url('/br/feed.xml') })).body).toBe(plain);
  });

  it('caps the body, compressed (a zip bomb) or not', async () => {
    expect(failed(await fetcher.get({ url: publisher.url('/bomb.xml') }))).toMatchObject({
      reason: 'too-large',
      message: expect.stringMatching(/once decompressed/),
    });
    expect(failed(await fetcher.get({ url: publisher.url('/huge.xml') })).reason).toBe('too-large');
  });

  it('gives up on a slow answer at the deadline', async () => {
    expect(failed(await fetcher.get({ url: publisher.url('/slow.xml') }))).toMatchObject({
      reason: 'timeout',
      message: 'no complete answer within 1 s',
    });
  });

  it('follows a redirect and reports where it ended; stops a loop', async () => {
    const moved = ok(await fetcher.get({ url: publisher.url('/redirect') }));
    expect(moved).toMatchObject({ status: 200, url: publisher.url('/observatory.atom'), redirects: 1 });
    expect(failed(await fetcher.get({ url: publisher.url('/redirect-loop') })).reason).toBe(
      'too-many-redirects',
    );
  });

  it('returns error statuses without reading their bodies', async () => {
    expect(ok(await fetcher.get({ url: publisher.url('/500.xml') }))).toMatchObject({
      status: 500,
      body: '',
    });
    expect(ok(await fetcher.get({ url: publisher.url('/missing.xml') })).status).toBe(404);
  });

  it('decodes ISO-8859-1 declared in the prolog or the header; refuses an unknown charset by name', async () => {
    for (const path of ['/latin1.xml', '/latin1-header.xml']) {
      const r = ok(await fetcher.get({ url: publisher.url(path) }));
      expect(r.charset).toBe('windows-1252');
      expect(r.body).toContain('Café Müller on the Quai des Brêmes');
      expect(r.body).toContain('«&nbsp;We lost the chairs');
    }
    expect(failed(await fetcher.get({ url: publisher.url('/klingon.xml') }))).toMatchObject({
      reason: 'charset',
      message: 'charset "x-klingon" is not supported',
    });
  });

  it('fetches http and https only', async () => {
    for (const url of ['file:///etc/passwd', 'ftp://127.0.0.1/', 'javascript:alert(1)', 'not a url']) {
      expect(failed(await fetcher.get({ url })).reason).toBe('bad-url');
    }
    expect(failed(await fetcher.get({ url: publisher.url('/to-file') }))).toMatchObject({
      reason: 'bad-url',
      message: 'only http and https URLs can be fetched, not file:',
    });
  });
});

describe('HTTP fetcher, SSRF-safe by default', () => {
  const strict = new HttpFetcher({ userAgent: UA, allowPrivate: false, timeoutMs: 1000 });
  afterAll(() => strict.close());

  it('refuses a loopback URL, naming the address, without sending anything', async () => {
    publisher.resetRequests();
    const r = failed(await strict.get({ url: publisher.url('/feed.xml') }));
    expect(r.reason).toBe('blocked-address');
    expect(r.message).toMatch(/refused: 127\.0\.0\.1 is a loopback \(127\.0\.0\.0\/8\) address/);
    expect(publisher.requests()).toHaveLength(0);
  });

  it('refuses literal IPs in any notation, and names that resolve inside (checked at connect)', async () => {
    const port = new URL(publisher.origin).port;
    for (const host of [
      '0x7f.1',
      '2130706433',
      '127.1',
      '[::1]',
      '[::ffff:127.0.0.1]',
      '169.254.169.254',
      '10.0.0.1',
    ]) {
      expect(failed(await strict.get({ url: `http://${host}:${port}/feed.xml` })).reason, host).toBe(
        'blocked-address',
      );
    }
    const r = failed(await strict.get({ url: `http://localhost:${port}/feed.xml` }));
    expect(r.message).toMatch(/localhost resolves to (127\.0\.0\.1|::1) is a loopback/);
    expect(publisher.requests()).toHaveLength(0);
  });

  it('re-checks every redirect: an allowed host may not send us to the metadata service', async () => {
    // 127.0.0.1 stands in for a public host here; the redirect target is refused before connecting.
    const listed = new HttpFetcher({ userAgent: UA, allowPrivate: false, allowAddresses: ['127.0.0.1'] });
    try {
      const r = failed(await listed.get({ url: publisher.url('/to-metadata') }));
      expect(r.reason).toBe('blocked-address');
      expect(r.message).toMatch(/169\.254\.169\.254 is a cloud metadata service/);
    } finally {
      listed.close();
    }
  });

  it('a DNS answer that changes between two connections is checked again (rebinding)', async () => {
    const port = new URL(publisher.origin).port;
    const answers = ['127.0.0.1', '127.0.0.2'];
    let calls = 0;
    const resolver: Resolver = async () => [{ address: answers[Math.min(calls++, 1)] as string, family: 4 }];
    const rebinding = new HttpFetcher({
      userAgent: UA,
      allowPrivate: false,
      allowAddresses: ['127.0.0.1'],
      resolver,
    });
    try {
      publisher.resetRequests();
      expect(ok(await rebinding.get({ url: `http://feeds.rebind.test:${port}/feed.xml` })).status).toBe(200);
      rebinding.close(); // drop the kept-alive socket: the next request must resolve and connect again
      const second = failed(await rebinding.get({ url: `http://feeds.rebind.test:${port}/feed.xml` }));
      expect(second.message).toMatch(/feeds\.rebind\.test resolves to 127\.0\.0\.2 is a loopback/);
      expect(publisher.requests('/feed.xml')).toHaveLength(1);
      expect(calls).toBe(2);
    } finally {
      rebinding.close();
    }
  });
});
