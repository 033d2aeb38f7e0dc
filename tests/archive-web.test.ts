import { randomUUID } from 'node:crypto';
import { copyFile, readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { type ServerType, serve } from '@hono/node-server';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { launchChromium } from '../functions/adapters/browser.ts';
import { runLocalSend } from '../functions/cli/commands/send.ts';
import type { IssueRecord } from '../functions/core/model.ts';
import { prepareIssue } from '../functions/core/run.ts';
import { apiDeps } from '../functions/handlers/api.ts';
import { createRuntime, type Runtime } from '../functions/handlers/runtime.ts';
import { createApp } from '../functions/http/app.ts';
import type { LocalContext } from '../functions/local/context.ts';
import { emulatorStore, localContext, tempWorkspace } from './helpers/workspace.ts';

/**
 * The public archive through the real HTTP app (createApp, on @hono/node-server) after real sends:
 * pages in headless Chromium with no token and no subscriber address, only sent/partial issues,
 * 404 pages for anything else, RSS that is well-formed XML with one item per sent issue, JSON Feed 1.1.
 */
const FIXTURES = join(import.meta.dirname, 'fixtures', 'articles');
const READERS = ['reader.one@example.org', 'reader.two@example.org'];
const options = { dryRun: false, includeSent: false, retryUnknown: false, force: false };

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const address = probe.address();
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  if (!address || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** Runs a send with the CLI's output kept off the terminal. */
async function quietly<T>(fn: () => Promise<T>): Promise<T> {
  const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    return await fn();
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

let ws: Awaited<ReturnType<typeof tempWorkspace>>;
let ctx: LocalContext;
let rt: Runtime;
let server: ServerType;
let base: string;
let browser: Browser;
const sent: IssueRecord[] = [];
let unsent: IssueRecord;

beforeAll(async () => {
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  ws = await tempWorkspace({ env: { DIGEST_PUBLIC_URL: base } });
  ctx = await localContext(ws.config);
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
  // Two issues go out; a third is built and stored but not sent (state `sending`).
  expect(await quietly(() => runLocalSend(ctx, options))).toBe(0);
  await copyFile(join(FIXTURES, 'harbour-ferry.md'), join(ws.seeds, 'harbour-ferry.md'));
  expect(await quietly(() => runLocalSend(ctx, options))).toBe(0);
  sent.push(...(await ctx.stores.issues.list()));
  await copyFile(join(FIXTURES, 'library-hours.txt'), join(ws.seeds, 'library-hours.txt'));
  const prepared = await prepareIssue(ctx.deps);
  if (prepared.kind !== 'ready') throw new Error(prepared.reason);
  unsent = prepared.issue;

  rt = createRuntime({ ...process.env, ...ws.env });
  server = serve({ fetch: createApp(apiDeps(rt)).fetch, hostname: '127.0.0.1', port });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  await ctx?.close();
  await ws?.cleanup();
});

/** Nothing personal: no address of any subscriber, no token, no unfilled slot. */
function expectNothingPersonal(html: string) {
  for (const email of [...READERS, 'demo@example.com']) expect(html).not.toContain(email);
  expect(html).not.toMatch(/token=/i);
  expect(html).not.toMatch(/@@DIGEST_SLOT|DIGESTARCHIVEREADER/);
  expect(html).not.toMatch(/[A-Za-z0-9._%+-]+@example\.(org|com)/);
}

describe('issue archive on the web', () => {
  it('two issues went out, a third is still sending', () => {
    expect(sent.map((i) => i.state)).toEqual(['sent', 'sent']);
    expect(unsent.state).toBe('sending');
  });

  it('the email links to its archive page ("View in browser")', async () => {
    const mail = await emulatorStore(ctx.engines.sesEndpoint);
    const [newest] = sent;
    const copy = mail.find((m) => m.subject === newest?.subject);
    expect(copy?.body.html).toContain(`${base}/issues/${newest?.issueId}`);
    expect(copy?.body.html).toMatch(/View in browser/);
  });

  it('the stored archive copy has no token and no subscriber address', async () => {
    for (const issue of sent) {
      const html = await readFile(
        join(ws.config.DIGEST_DATA_DIR, 'blobs', 'issues', issue.issueId, 'index.html'),
        'utf8',
      );
      expectNothingPersonal(html);
      expect(html).toContain(issue.articleTitles[0]);
    }
  });

  it('each issue page renders in headless Chromium, reached from the index, with nothing personal', async () => {
    const page = await browser.newPage();
    try {
      const index = await page.goto(`${base}/issues`);
      expect(index?.status()).toBe(200);
      const links = await page
        .locator('a[href*="/issues/2"]')
        .evaluateAll((as) => as.map((a) => a.getAttribute('href') ?? ''));
      expect(links).toEqual(sent.map((i) => `${base}/issues/${i.issueId}`));
      expect(await page.content()).not.toContain(unsent.issueId);

      for (const issue of sent) {
        const response = await page.goto(`${base}/issues/${issue.issueId}`);
        expect(response?.status()).toBe(200);
        expect(response?.headers()['content-type']).toMatch(/^text\/html/);
        const text = await page.locator('body').textContent();
        expect(text).toContain(issue.articleTitles[0]);
        expectNothingPersonal(await page.content());
        const hrefs = await page
          .locator('a')
          .evaluateAll((as) => as.map((a) => a.getAttribute('href') ?? ''));
        expect(hrefs.length).toBeGreaterThan(0);
        for (const href of hrefs) expect(href).not.toMatch(/token|mailto:.*@example\.org/i);
        // The page lays out: the headline is on screen (the preheader copy of it is hidden).
        const shown = page.getByText(issue.articleTitles[0] as string).filter({ visible: true });
        expect(await shown.count()).toBeGreaterThan(0);
        const box = await shown.first().boundingBox();
        expect(box?.width).toBeGreaterThan(0);
      }
    } finally {
      await page.close();
    }
  });

  it('an issue that has not gone out, a malformed id and an unknown id are 404 pages', async () => {
    for (const path of [
      unsent.issueId,
      'not-an-issue',
      '2020-01-01-00000000',
      '..%2F..%2Fsecret',
      'feed.rss',
    ]) {
      const res = await fetch(`${base}/issues/${path}`);
      expect(res.status, path).toBe(404);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      expect(await res.text()).toMatch(/No such issue|Not found/i);
    }
  });

  it('feed.xml is well-formed RSS with one item per sent issue, newest first', async () => {
    const res = await fetch(`${base}/issues/feed.xml`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/xml/);
    const xml = await res.text();
    expect(XMLValidator.validate(xml)).toBe(true);
    const doc = new XMLParser({ ignoreAttributes: false }).parse(xml) as {
      rss: { '@_version': string; channel: { item: { link: string; title: string }[] | { link: string } } };
    };
    expect(doc.rss['@_version']).toBe('2.0');
    const items = [doc.rss.channel.item].flat();
    expect(items.map((i) => i.link)).toEqual(sent.map((i) => `${base}/issues/${i.issueId}`));
    expectNothingPersonal(xml);
  });

  it('feed.json parses as JSON Feed 1.1 with one item per sent issue', async () => {
    const res = await fetch(`${base}/issues/feed.json`);
    expect(res.status).toBe(200);
    const feed = (await res.json()) as {
      version: string;
      items: { id: string; url: string; title: string }[];
    };
    expect(feed.version).toBe('https://jsonfeed.org/version/1.1');
    expect(feed.items.map((i) => i.url)).toEqual(sent.map((i) => `${base}/issues/${i.issueId}`));
    expect(feed.items.map((i) => i.title)).toEqual(sent.map((i) => i.subject));
  });

  it('a partial issue is public too: it went out to most readers', async () => {
    await rt.stores.issues.setState(unsent.issueId, 'partial');
    expect((await fetch(`${base}/issues/${unsent.issueId}`)).status).toBe(200);
    const xml = await (await fetch(`${base}/issues/feed.xml`)).text();
    expect(XMLValidator.validate(xml)).toBe(true);
    const feed = (await (await fetch(`${base}/issues/feed.json`)).json()) as { items: { url: string }[] };
    expect(feed.items).toHaveLength(3);
    expect(feed.items[0]?.url).toBe(`${base}/issues/${unsent.issueId}`);
  });
});
