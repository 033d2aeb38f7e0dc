import { randomUUID } from 'node:crypto';
import { copyFile, readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { type ServerType, serve } from '@hono/node-server';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { launchChromium } from '../../functions/adapters/browser.ts';
import { runLocalSend } from '../../functions/cli/commands/send.ts';
import {
  ARCHIVE_READER,
  type JsonFeed,
  publicArchiveHtml,
  rssFeed,
} from '../../functions/core/archive/feeds.ts';
import { archiveKey, viewKey } from '../../functions/core/issue/keys.ts';
import { prepareIssue } from '../../functions/core/issue/prepare.ts';
import type { IssueRecord } from '../../functions/core/model.ts';
import type { Brand } from '../../functions/core/render/compile.ts';
import { apiDeps } from '../../functions/handlers/api.ts';
import { createApp } from '../../functions/http/app.ts';
import { archiveRoutes } from '../../functions/http/archive.ts';
import { type LocalContext, openLocalContext } from '../../functions/local/context.ts';
import { type LocalEngines, startLocalEngines } from '../../functions/local/engines.ts';
import { createRuntime } from '../../functions/wiring/runtime.ts';
import { emulatorStore, tempWorkspace } from '../helpers/workspace.ts';

/**
 * The public archive on real parts: issues built and sent through the pipeline (dynalite, the SES
 * emulator, the blob folder), the HTTP app on @hono/node-server, pages opened in headless Chromium,
 * the RSS feed checked with fast-xml-parser and the JSON feed against JSON Feed 1.1.
 */
const FIXTURES = join(import.meta.dirname, '../fixtures', 'articles');
const READERS = ['ana@example.org', 'ben@example.org'];
const options = { dryRun: false, includeSent: false, retryUnknown: false, force: false };

let engines: LocalEngines;
let server: ServerType;
let base: string;
let ws: Awaited<ReturnType<typeof tempWorkspace>>;
let ctx: LocalContext;
let app: ReturnType<typeof createApp> | undefined;
let browser: Browser;

beforeAll(async () => {
  engines = await startLocalEngines();
  // The server starts first: its address is the public URL the issues link to.
  const port = await new Promise<number>((resolve) => {
    server = serve(
      {
        fetch: (request, env) => (app ? app.fetch(request, env) : new Response('starting', { status: 503 })),
        port: 0,
        hostname: '127.0.0.1',
      },
      (info: AddressInfo) => resolve(info.port),
    );
  });
  base = `http://127.0.0.1:${port}`;
  ws = await tempWorkspace({ env: { DIGEST_PUBLIC_URL: base } });
  ctx = await openLocalContext(ws.config, { inMemory: true, onEvent: () => {} });
  app = createApp(apiDeps(createRuntime({ ...process.env, ...ws.env })));
  const now = new Date().toISOString();
  for (const email of READERS) {
    await ctx.stores.subscribers.create({
      email,
      id: randomUUID(),
      status: 'confirmed',
      createdAt: now,
      updatedAt: now,
    });
  }
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await ctx?.close();
  await new Promise((resolve) => server?.close(resolve));
  await engines?.stop();
  await ws?.cleanup();
});

/** A local send with its CLI output kept off the terminal. */
async function send(): Promise<number> {
  const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    return await runLocalSend(ctx, options);
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

const get = (path: string) => fetch(`${base}${path}`);
const xml = new XMLParser({ ignoreAttributes: false });
function rssItems(body: string): { title: string; link: string; guid: unknown; description: string }[] {
  const item = xml.parse(body).rss.channel.item;
  return item === undefined ? [] : Array.isArray(item) ? item : [item];
}

describe('before any issue went out', () => {
  it('the index says so, and both feeds are valid and empty', async () => {
    const index = await get('/issues');
    expect(index.status).toBe(200);
    expect(await index.text()).toContain('No issue has gone out yet');
    const feed = await get('/issues/feed.xml');
    const body = await feed.text();
    expect(XMLValidator.validate(body)).toBe(true);
    expect(rssItems(body)).toEqual([]);
    const json = (await (await get('/issues/feed.json')).json()) as JsonFeed;
    expect(json).toMatchObject({ version: 'https://jsonfeed.org/version/1.1', items: [] });
  });
});

describe('the archive of sent issues', () => {
  let seed: IssueRecord;
  let ferry: IssueRecord;
  let building: IssueRecord;

  beforeAll(async () => {
    expect(await send()).toBe(0);
    [seed] = (await ctx.stores.issues.list()) as [IssueRecord];
    await copyFile(join(FIXTURES, 'harbour-ferry.md'), join(ws.seeds, 'harbour-ferry.md'));
    expect(await send()).toBe(0);
    [ferry] = (await ctx.stores.issues.list()) as [IssueRecord];
    // A third issue is built and stored but not sent yet: not public.
    await copyFile(join(FIXTURES, 'library-hours.txt'), join(ws.seeds, 'library-hours.txt'));
    const prepared = await prepareIssue(ctx.deps);
    if (prepared.kind !== 'ready') throw new Error(prepared.reason);
    building = prepared.issue;
    expect(building.state).toBe('sending');
    // The ferry issue ended partial (one recipient failed): it went out, so it is public.
    await ctx.stores.issues.setState(ferry.issueId, 'partial', {
      recipients: 2,
      sent: 1,
      skipped: 0,
      suppressed: 0,
      failed: 1,
      unknown: 0,
    });
    expect(new Set([seed.issueId, ferry.issueId, building.issueId]).size).toBe(3);
  });

  it('the index lists the sent and partial issues, newest first, and not the one still sending', async () => {
    const res = await get('/issues');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('public, max-age=300');
    const html = await res.text();
    const links = [...html.matchAll(/href="([^"]+\/issues\/\d{4}-[^"]+)"/g)].map((m) => m[1]);
    expect(links).toEqual([`${base}/issues/${ferry.issueId}`, `${base}/issues/${seed.issueId}`]);
    expect(html).toContain('Night ferry returns to the harbour');
    expect(html).not.toContain(building.issueId);
    expect(html).not.toContain('@example.org');
  });

  it('the email links its archive page ("View in browser"), and that page is served', async () => {
    const mail = (await emulatorStore(engines.sesEndpoint)).find((m) => m.subject === seed.subject);
    const url = `${base}/issues/${seed.issueId}`;
    expect(mail?.body.html).toMatch(new RegExp(`<a href="${url}"[^>]*>View in browser</a>`));
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
  });

  it('the archive page renders in headless Chromium with no unsubscribe token and no subscriber address', async () => {
    const page = await browser.newPage({ viewport: { width: 600, height: 900 } });
    const problems: string[] = [];
    // Console errors (a CSP violation, a script error) and failed loads; the browser's own favicon
    // request is not the page's.
    page.on('console', (m) => {
      if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) problems.push(m.text());
    });
    page.on('response', (r) => {
      if (r.status() >= 400 && !r.url().endsWith('/favicon.ico')) problems.push(`${r.url()}: ${r.status()}`);
    });
    page.on('requestfailed', (r) => problems.push(`${r.url()}: ${r.failure()?.errorText}`));
    try {
      const res = await page.goto(`${base}/issues/${seed.issueId}`, { waitUntil: 'load' });
      expect(res?.status()).toBe(200);
      // biome-ignore lint/performance/useDomNodeTextContent: Playwright's rendered text is what a reader sees
      const text = await page.innerText('body');
      expect(text).toContain('Xie Zhenhua');
      expect(text).toContain('This is the web copy of an issue of The Weekly Digest');
      expect(text).not.toContain('View in browser');
      const html = await page.content();
      for (const email of READERS) expect(html).not.toContain(email);
      expect(html).not.toMatch(/[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[a-z]{2,}/);
      expect(html).not.toMatch(/token=/i);
      expect(html).not.toContain(ARCHIVE_READER);
      expect(problems).toEqual([]);

      // The footer's unsubscribe link leads to a page that explains how, with nobody's token.
      const unsubscribe = page.getByRole('link', { name: /Unsubscribe from/ });
      expect(await unsubscribe.getAttribute('href')).toBe(`${base}/issues/unsubscribe`);
      await Promise.all([page.waitForURL(`${base}/issues/unsubscribe`), unsubscribe.click()]);
      // biome-ignore lint/performance/useDomNodeTextContent: Playwright's rendered text is what a reader sees
      expect(await page.innerText('h1')).toBe('Unsubscribe from The Weekly Digest');
    } finally {
      await page.close();
    }

    // The emails themselves do carry each reader's address and token: the archive copy is not one of them.
    const ben = (await emulatorStore(engines.sesEndpoint)).find(
      (m) => m.subject === seed.subject && m.destination.to.includes('ben@example.org'),
    );
    expect(ben?.body.html).toContain('because ben@example.org subscribed');
    expect(ben?.body.html).toMatch(/unsubscribe\?token=/);
  });

  it('the stored archive copies hold nothing personal, and each page, reached from the index in Chromium, lays out its headline', async () => {
    const published = [ferry, seed];
    for (const issue of published) {
      const stored = await readFile(
        join(ws.config.DIGEST_DATA_DIR, 'blobs', 'issues', issue.issueId, 'index.html'),
        'utf8',
      );
      for (const email of READERS) expect(stored).not.toContain(email);
      expect(stored).not.toMatch(/token=/i);
      expect(stored).not.toContain(ARCHIVE_READER);
      expect(stored).toContain(issue.articleTitles[0]);
    }
    const page = await browser.newPage();
    try {
      expect((await page.goto(`${base}/issues`))?.status()).toBe(200);
      const links = await page
        .locator('a[href*="/issues/2"]')
        .evaluateAll((as) => as.map((a) => a.getAttribute('href') ?? ''));
      expect(links).toEqual(published.map((i) => `${base}/issues/${i.issueId}`));
      for (const href of links) {
        await Promise.all([page.waitForURL(href), page.locator(`a[href="${href}"]`).first().click()]);
        const title = published.find((i) => href.endsWith(i.issueId))?.articleTitles[0] as string;
        // The headline is on screen (the hidden preheader repeats it; that copy must not count).
        const shown = page.getByText(title).filter({ visible: true });
        expect(await shown.count()).toBeGreaterThan(0);
        expect((await shown.first().boundingBox())?.width).toBeGreaterThan(0);
        const hrefs = await page
          .locator('a')
          .evaluateAll((as) => as.map((a) => a.getAttribute('href') ?? ''));
        for (const h of hrefs) expect(h).not.toMatch(/token=/i);
        await page.goBack();
      }
    } finally {
      await page.close();
    }
  });

  it('a partial issue is public too; its page has its own article only', async () => {
    const res = await get(`/issues/${ferry.issueId}`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('Marram');
    expect(html).not.toContain('Xie Zhenhua');
  });

  it('unknown, malformed and unpublished ids get a 404 page, never a stored file', async () => {
    const cases = [
      'nope',
      '2099-01-01-00000000',
      building.issueId,
      `${seed.issueId}.json`,
      '..%2F..%2Fsecret',
      `${seed.issueId}%2Fcompiled.json`,
      'x'.repeat(2000),
    ];
    for (const id of cases) {
      const res = await get(`/issues/${id}`);
      expect(res.status, id).toBe(404);
      const body = await res.text();
      expect(body, id).toMatch(/No such issue|Not found/);
      expect(body, id).not.toContain('Xie Zhenhua');
    }
    // The stored view and compiled copy are not reachable through any archive path.
    expect((await get(`/issues/${seed.issueId}/compiled.json`)).status).toBe(404);
    expect((await get(`/issues/${seed.issueId}/digest.json`)).status).toBe(404);
  });

  it('feed.xml is well-formed RSS 2.0 with one item per sent or partial issue, newest first', async () => {
    const res = await get('/issues/feed.xml');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/rss+xml; charset=utf-8');
    const body = await res.text();
    expect(XMLValidator.validate(body)).toBe(true);
    expect(xml.parse(body).rss['@_version']).toBe('2.0');
    const items = rssItems(body);
    expect(items.map((i) => i.link)).toEqual([
      `${base}/issues/${ferry.issueId}`,
      `${base}/issues/${seed.issueId}`,
    ]);
    expect(items.map((i) => i.title)).toEqual([ferry.subject, seed.subject]);
    expect(body).toContain('Marram');
    expect(body).not.toContain('@example.org');
    expect(body).not.toMatch(/token=/);
  });

  it('feed.json parses as JSON Feed 1.1 with the same items', async () => {
    const res = await get('/issues/feed.json');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/feed+json; charset=utf-8');
    const feed = (await res.json()) as JsonFeed;
    expect(feed.version).toBe('https://jsonfeed.org/version/1.1');
    expect(feed.feed_url).toBe(`${base}/issues/feed.json`);
    expect(feed.items.map((i) => i.id)).toEqual([
      `${base}/issues/${ferry.issueId}`,
      `${base}/issues/${seed.issueId}`,
    ]);
    for (const item of feed.items) {
      expect(item.url).toBe(item.id);
      expect(Number.isNaN(Date.parse(item.date_published))).toBe(false);
    }
    expect(feed.items[0]?.content_html).toContain('Marram');
    expect(feed.items[1]?.content_html).toContain('Xie Zhenhua');
  });

  it('a published issue whose web copy is missing is a 404, not a crash', async () => {
    const ghost: IssueRecord = {
      issueId: '2020-01-01-0badc0de',
      createdAt: '2020-01-01T00:00:00.000Z',
      state: 'sent',
      subject: 'Lost issue',
      articleHashes: [],
      articleFiles: [],
      articleTitles: ['Lost'],
    };
    await ctx.stores.issues.create(ghost);
    const res = await get(`/issues/${ghost.issueId}`);
    expect(res.status).toBe(404);
    expect(await res.text()).toContain('not available');
    // It still has a record, so it is listed (oldest); the feed falls back to its titles.
    const feed = (await (await get('/issues/feed.json')).json()) as JsonFeed;
    expect(feed.items.at(-1)?.title).toBe('Lost issue');
  });
});

describe('archive pieces on their own', () => {
  const brand: Brand = {
    name: 'Tom & Jerry <Weekly>',
    color: '#1a56db',
    postalAddress: '1 Example Street',
    lang: 'en',
    publicUrl: 'https://digest.test/',
  };

  it('the storage keys the archive reads and the pipeline writes live under the issue folder', () => {
    // The bucket layout the deployed functions' grants and the archive routes rely on.
    expect(archiveKey('2026-01-01-abcdef12')).toBe('issues/2026-01-01-abcdef12/index.html');
    expect(viewKey('2026-01-01-abcdef12')).toBe('issues/2026-01-01-abcdef12/digest.json');
  });

  it('publicArchiveHtml replaces the reader sentence, escapes the brand, and drops View in browser', () => {
    const html = `<a href="https://x/issues/1">View in browser</a><p style="m">You receive it because ${ARCHIVE_READER} subscribed.</p><span>${ARCHIVE_READER}</span>`;
    const out = publicArchiveHtml(html, brand);
    expect(out).not.toContain(ARCHIVE_READER);
    expect(out).not.toContain('View in browser');
    expect(out).toContain('<p style="m">This is the web copy of an issue of Tom &amp; Jerry &lt;Weekly&gt;.');
    expect(out).toContain('<a href="https://digest.test/"');
  });

  it('subjects and titles with markup stay well-formed XML, and unsent issues never reach a feed', () => {
    const issue = (issueId: string, state: IssueRecord['state'], subject: string): IssueRecord => ({
      issueId,
      createdAt: `${issueId.slice(0, 10)}T08:00:00.000Z`,
      state,
      subject,
      articleHashes: ['h'],
      articleFiles: ['a.txt'],
      articleTitles: ['Fish & chips <b>price</b> "up" ]]> again'],
    });
    const body = rssFeed(brand, [
      { issue: issue('2026-01-01-aaaaaaaa', 'sent', 'Tom & Jerry: <script>alert(1)</script> ]]>') },
      { issue: issue('2026-01-08-bbbbbbbb', 'building', 'Not yet') },
      { issue: issue('2026-01-15-cccccccc', 'sending', 'Not yet either') },
    ]);
    expect(XMLValidator.validate(body)).toBe(true);
    const items = rssItems(body);
    expect(items.map((i) => i.title)).toEqual(['Tom & Jerry: <script>alert(1)</script> ]]>']);
    expect(items[0]?.link).toBe('https://digest.test/issues/2026-01-01-aaaaaaaa');
  });

  it('the archive sub-app answers on its own, without the rest of the HTTP app', async () => {
    const routes = archiveRoutes({
      issues: ctx.stores.issues,
      blobs: ctx.deps.blobs,
      brand: { ...brand, publicUrl: base },
    });
    expect((await routes.request('/feed.json')).status).toBe(200);
    expect((await routes.request('/nope')).status).toBe(404);
    expect((await routes.request('/unsubscribe')).status).toBe(200);
  });
});
