import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digestUserAgent, HttpFetcher } from '../../../functions/adapters/http/http-fetcher.ts';
import { probeSource } from '../../../functions/core/sources/probe.ts';
import { type Publisher, startPublisher } from '../../helpers/publisher.ts';

/** What `digest sources add` learns from its one fetch: the kind, from the response, and that it reads. */
let publisher: Publisher;
let fetcher: HttpFetcher;
beforeAll(async () => {
  publisher = await startPublisher();
  fetcher = new HttpFetcher({
    userAgent: digestUserAgent('digest', '1.0', 'http://localhost:3000'),
    allowPrivate: true,
  });
});
afterAll(async () => {
  fetcher?.close();
  await publisher?.close();
});

describe('probing a would-be source', () => {
  it('tells every kind from the response, whatever the URL says', async () => {
    const now = new Date();
    expect(await probeSource(fetcher, publisher.url('/feed.xml'), now)).toEqual({
      kind: 'rss',
      title: 'Coastal Courier – News',
      items: 5,
    });
    expect((await probeSource(fetcher, publisher.url('/redirect'), now)).kind).toBe('atom');
    expect((await probeSource(fetcher, publisher.url('/harbour.json'), now)).kind).toBe('jsonfeed');
    expect((await probeSource(fetcher, publisher.url('/bridges.rdf'), now)).kind).toBe('rdf');
    expect(await probeSource(fetcher, publisher.url('/page/election.html'), now)).toEqual({
      kind: 'html',
      title: 'Record turnout in regional election',
      items: 1,
    });
  });

  it('refuses what cannot be a source, saying why', async () => {
    const now = new Date();
    await expect(probeSource(fetcher, publisher.url('/wrong-type.xml'), now)).rejects.toThrow(
      /wrong content type image\/png/,
    );
    await expect(probeSource(fetcher, publisher.url('/malformed.xml'), now)).rejects.toThrow(/malformed RSS/);
    await expect(probeSource(fetcher, publisher.url('/500.xml'), now)).rejects.toThrow(/answered HTTP 500/);
    await expect(probeSource(fetcher, 'ftp://example.com/feed', now)).rejects.toThrow(/not an http\(s\) URL/);
  });
});
