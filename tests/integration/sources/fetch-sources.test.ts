import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { folderArticles } from '../../../functions/adapters/article-files.ts';
import { makeClients } from '../../../functions/adapters/clients.ts';
import { DynamoSourceStore } from '../../../functions/adapters/dynamo/source-store.ts';
import { ensureTables } from '../../../functions/adapters/dynamo/tables.ts';
import { digestUserAgent, HttpFetcher } from '../../../functions/adapters/http/http-fetcher.ts';
import { type FetchRunReport, fetchSources } from '../../../functions/core/sources/fetch-sources.ts';
import type { SourceKind } from '../../../functions/core/sources/ports.ts';
import { type LocalEngines, startLocalEngines } from '../../../functions/local/engines.ts';
import { fixtureText, type Publisher, startPublisher } from '../../helpers/publisher.ts';

/**
 * The fetch run end to end: the loopback publisher, the real HTTP fetcher, the DynamoDB store on
 * dynalite and article files in a folder — every source kind, every failure, one story once.
 */
let engines: LocalEngines;
let clients: ReturnType<typeof makeClients>;
let publisher: Publisher;
let fetcher: HttpFetcher;
let dir: string;
let table = 0;

const CHROME = /cookie|Share on|Advertisement|All rights reserved|Related stories|Subscribe for|Read more/i;

beforeAll(async () => {
  engines = await startLocalEngines();
  clients = makeClients('us-east-1');
  publisher = await startPublisher({ slowMs: 3000 });
  fetcher = new HttpFetcher({
    userAgent: digestUserAgent('digest', '0.1.0', 'https://digest.example.com'),
    allowPrivate: true,
    timeoutMs: 1500,
    maxBytes: 2 * 1024 * 1024,
  });
  dir = await mkdtemp(join(tmpdir(), 'digest-fetch-'));
});
afterAll(async () => {
  fetcher?.close();
  await publisher?.close();
  clients?.dynamodb.destroy();
  await engines?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function freshWorld() {
  table++;
  const name = `sources-${table}`;
  await ensureTables(clients.dynamodb, {
    subscribers: 'subs',
    deliveries: 'dels',
    issues: 'issues',
    rateLimits: 'limits',
    sources: name,
  });
  const sources = new DynamoSourceStore(clients.ddb, name);
  const folder = join(dir, name);
  return { sources, folder, articles: folderArticles(folder) };
}

async function readArticles(folder: string) {
  const files = (await readdir(folder).catch(() => [] as string[])).sort();
  return Promise.all(
    files.map(async (file) => {
      const text = await readFile(join(folder, file), 'utf8');
      const match = /^---\n([\s\S]*?)\n---\n\n([\s\S]*)$/.exec(text);
      const meta = parseDocument(match?.[1] ?? '').toJS() as Record<string, unknown> & {
        title: string;
        source: string;
        url: string;
        also?: { source: string; url: string }[];
      };
      return { file, meta, body: match?.[2] ?? '' };
    }),
  );
}

const byName = (report: FetchRunReport, name: string) => {
  const found = report.sources.find((s) => s.name === name);
  if (!found) throw new Error(`no report for ${name}`);
  return found;
};

describe('fetch run over every kind of source', () => {
  let world: Awaited<ReturnType<typeof freshWorld>>;
  let first: FetchRunReport;
  const add = (path: string, name: string, kind: SourceKind = 'rss', section?: string) =>
    world.sources.add({ url: publisher.url(path), name, kind, section }, new Date());

  beforeAll(async () => {
    world = await freshWorld();
    await add('/feed.xml', 'Coastal Courier', 'rss', 'Local');
    await add('/redirect', 'Hilltop Observatory', 'atom', 'Science');
    await add('/harbour.json', 'Harbour Trust', 'jsonfeed');
    await add('/bridges.rdf', 'County Roads', 'rdf');
    await add('/latin1.xml', 'Petit Echo');
    await add('/gazette.xml', 'Island Gazette');
    await add('/page/election.html', 'Election Desk', 'html');
    await add('/hostile.xml', 'Hostile');
    await add('/500.xml', 'Broken Server');
    await add('/malformed.xml', 'Broken XML');
    await add('/wrong-type.xml', 'Not A Feed');
    await add('/slow.xml', 'Slow Server');
    await add('/huge.xml', 'Huge Feed');
    await add('/klingon.xml', 'Klingon');
    await add('/billion.xml', 'Laughs');
    publisher.resetRequests();
    first = await fetchSources({ ...world, fetcher, clock: () => new Date() });
  }, 60_000);

  it('reports every failing source by name and reason, and the others still ran', () => {
    expect(byName(first, 'Broken Server')).toMatchObject({
      status: 'failed',
      reason: 'HTTP 500',
      httpStatus: 500,
    });
    expect(byName(first, 'Broken XML')).toMatchObject({ status: 'failed', reason: 'malformed RSS document' });
    expect(byName(first, 'Not A Feed')).toMatchObject({
      status: 'failed',
      reason: 'wrong content type image/png: not a feed or a web page',
    });
    expect(byName(first, 'Slow Server')).toMatchObject({
      status: 'failed',
      reason: 'no complete answer within 1.5 s',
    });
    expect(byName(first, 'Huge Feed').reason).toMatch(/over the 2097152-byte limit/);
    expect(byName(first, 'Klingon').reason).toBe('charset "x-klingon" is not supported');
    expect(byName(first, 'Laughs').status).toBe('failed');
    for (const name of [
      'Coastal Courier',
      'Hilltop Observatory',
      'Harbour Trust',
      'County Roads',
      'Petit Echo',
      'Island Gazette',
      'Election Desk',
    ]) {
      expect(byName(first, name).status, name).toBe('new');
    }
  });

  it('fetches the pages of teaser items and keeps their text and quotes, not the teaser or the chrome', async () => {
    const articles = await readArticles(world.folder);
    const tram = articles.find((a) => a.meta.title === 'Council approves tram extension to Millbrook');
    expect(tram?.meta).toMatchObject({
      source: 'Coastal Courier',
      section: 'Local',
      url: publisher.url('/news/tram-extension.html'),
    });
    expect(tram?.body).toContain(
      '“For ten years people in Millbrook have been told to wait for the next plan,” said Mayor Helena Voss after the vote.',
    );
    expect(tram?.body).not.toMatch(CHROME);
    expect(tram?.body).not.toContain('extend the number 4 line …'); // the teaser
    expect(byName(first, 'Coastal Courier').itemsNew).toBe(4); // the 10-day-old item is outside the backlog
    expect(articles.some((a) => a.meta.title.startsWith('Archive'))).toBe(false);
  });

  it('uses full-text feeds without fetching the page', async () => {
    expect(publisher.requests().filter((r) => r.path.startsWith('/observatory/posts/'))).toHaveLength(0);
    expect(publisher.requests().filter((r) => r.path.startsWith('/harbour/'))).toHaveLength(0);
    const articles = await readArticles(world.folder);
    const comet = articles.find(
      (a) => a.meta.source === 'Hilltop Observatory' && a.meta.title.startsWith('Comet'),
    );
    expect(comet?.meta).toMatchObject({
      url: publisher.url('/observatory/posts/comet-k3.html'),
      section: 'Science',
    });
    expect(comet?.body).toContain('“It is small and it is far away, but it is ours,” she said.');
    expect(articles.filter((a) => a.meta.source === 'Harbour Trust')).toHaveLength(2);
    expect(
      articles.find((a) => a.meta.source === 'Harbour Trust' && a.meta.title.startsWith('Harbour'))?.meta.url,
    ).toBe(publisher.url('/harbour/cleanup.html'));
    const cafe = articles.find((a) => a.meta.source === 'Petit Echo');
    expect(cafe?.meta.title).toBe('Café Müller reopens after the flood');
    expect(cafe?.body).toContain('Owner José Núñez said');
  });

  it('turns the same story from two sources into one article naming both', async () => {
    const articles = await readArticles(world.folder);
    const wind = articles.filter((a) => /Skerrow Bank|offshore turbines/.test(a.meta.title));
    expect(wind).toHaveLength(1);
    expect(wind[0]?.meta.also).toEqual([
      { source: 'Island Gazette', url: publisher.url('/gazette/2026/skerrow-bank-approved') },
    ]);
    expect(byName(first, 'Island Gazette')).toMatchObject({ itemsNew: 1, duplicates: 1 });
    // A different story on the same topic is kept.
    expect(articles.filter((a) => a.meta.title.startsWith('Hallam Point'))).toHaveLength(1);
  });

  it('a page source becomes one article; a hostile feed leaves nothing dangerous', async () => {
    const articles = await readArticles(world.folder);
    expect(articles.find((a) => a.meta.source === 'Election Desk')?.meta.title).toBe(
      'Record turnout in regional election',
    );
    // Its items link to javascript: and data: URLs: without an http(s) link to the original
    // there is no story to carry, and the report says why.
    expect(articles.filter((a) => a.meta.source === 'Hostile')).toEqual([]);
    expect(byName(first, 'Hostile')).toMatchObject({
      status: 'unchanged',
      reason: '2 item(s) not taken: no link',
    });
    for (const a of articles) expect(a.body).not.toMatch(/<script|fetch\(|javascript:|data:text/);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: asserting that none are left
    for (const a of articles) expect(a.meta.title).not.toMatch(/[\u0000-\u001f\u202e]/);
  });

  it('revalidates with conditional GETs: 304s cost nothing and nothing is written twice', async () => {
    const before = (await readArticles(world.folder)).length;
    publisher.resetRequests();
    const second = await fetchSources({ ...world, fetcher, clock: () => new Date() });
    const feed = publisher.requests('/feed.xml');
    expect(feed).toHaveLength(1);
    expect(feed[0]?.headers['if-none-match']).toBeDefined();
    expect(feed[0]?.status).toBe(304);
    expect(publisher.requests().filter((r) => r.path.startsWith('/news/'))).toHaveLength(0);
    expect(byName(second, 'Coastal Courier')).toMatchObject({ status: 'unchanged', itemsNew: 0 });
    expect(second.articles).toEqual([]);
    expect((await readArticles(world.folder)).length).toBe(before);
    // Failures count up and back off.
    const broken = (await world.sources.list()).find((s) => s.name === 'Broken Server');
    expect(broken).toMatchObject({
      consecutiveFailures: 2,
      lastFetch: { status: 'failed', reason: 'HTTP 500' },
    });
    expect(broken?.nextAttemptAt).toBeDefined();
    const third = await fetchSources({ ...world, fetcher, clock: () => new Date() });
    expect(byName(third, 'Broken Server')).toMatchObject({
      status: 'skipped',
      reason: expect.stringMatching(/backing off after 2 failures/),
    });
  });

  it('a new item in a feed becomes exactly one new article', async () => {
    const feed = publisher.body('/feed.xml');
    publisher.setBody(
      '/feed.xml',
      feed.replace('    <item>', `${fixtureText('feeds/courier-new-item.xml')}    <item>`),
    );
    const next = await fetchSources({ ...world, fetcher, clock: () => new Date() });
    expect(byName(next, 'Coastal Courier')).toMatchObject({ status: 'new', itemsNew: 1, itemsUnchanged: 5 });
    expect(next.articles).toHaveLength(1);
    const ferry = (await readArticles(world.folder)).find((a) => a.file === next.articles[0]);
    expect(ferry?.meta.title).toBe('Late ferry to Skerrow kept on through the winter');
    expect(ferry?.body).toContain('“We planned for four hundred people a night and we got eight hundred');
  });
});

describe('first run limits', () => {
  it('takes at most N items per source, newest first, and never brings the rest back later', async () => {
    const world = await freshWorld();
    await world.sources.add({ url: publisher.url('/feed.xml'), name: 'Courier', kind: 'rss' }, new Date());
    const run = await fetchSources({ ...world, fetcher, clock: () => new Date() }, { maxItemsPerSource: 2 });
    const titles = (await readArticles(world.folder)).map((a) => a.meta.title).sort();
    // The new ferry item (1 h old) and the wind farm (6 h) are the newest two.
    expect(titles).toEqual([
      'Late ferry to Skerrow kept on through the winter',
      'Skerrow Bank wind farm wins final approval',
    ]);
    expect(run.articles).toHaveLength(2);
    publisher.setBody('/feed.xml', `${publisher.body('/feed.xml')} `); // new ETag: a full GET again
    const again = await fetchSources(
      { ...world, fetcher, clock: () => new Date() },
      { maxItemsPerSource: 2 },
    );
    expect(again.articles).toEqual([]);
  });

  it('honours --since: nothing older comes in on the first fetch', async () => {
    const world = await freshWorld();
    await world.sources.add(
      { url: publisher.url('/harbour.json'), name: 'Harbour', kind: 'jsonfeed' },
      new Date(),
    );
    const run = await fetchSources(
      { ...world, fetcher, clock: () => new Date() },
      { since: new Date(Date.now() - 3_600_000) },
    );
    // The cleanup is 12 h old; the tool library has no usable date, so it is let in.
    expect((await readArticles(world.folder)).map((a) => a.meta.title)).toEqual([
      'Library lends tools alongside books',
    ]);
    expect(run.sources[0]?.itemsNew).toBe(1);
  });
});

describe('one story once, across runs', () => {
  it('the same story arriving later from another source is recognized and not written again', async () => {
    const world = await freshWorld();
    await world.sources.add({ url: publisher.url('/feed.xml'), name: 'Courier', kind: 'rss' }, new Date());
    await fetchSources({ ...world, fetcher, clock: () => new Date() });
    await world.sources.add({ url: publisher.url('/gazette.xml'), name: 'Gazette', kind: 'rss' }, new Date());
    const later = await fetchSources({ ...world, fetcher, clock: () => new Date() });
    const gazette = byName(later, 'Gazette');
    expect(gazette).toMatchObject({ itemsNew: 1, duplicates: 1 }); // Hallam Point new; the wind farm known
    const titles = (await readArticles(world.folder)).map((a) => a.meta.title);
    expect(titles.filter((t) => /Skerrow Bank|offshore turbines/.test(t))).toHaveLength(1);
  });
});
