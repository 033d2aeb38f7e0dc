import { randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { articleFilesInDir } from '../../functions/adapters/article-files.ts';
import { launchChromium } from '../../functions/adapters/browser.ts';
import { loadTemplatesFromDir } from '../../functions/adapters/template-files.ts';
import { runLocalSend } from '../../functions/cli/commands/send.ts';
import { loadArticles } from '../../functions/core/articles/load.ts';
import { digestView, summarizeArticles } from '../../functions/core/issue/build.ts';
import { type Brand, compileIssue } from '../../functions/core/render/compile.ts';
import { personalize } from '../../functions/core/render/personalize.ts';
import { unsubscribeUrl } from '../../functions/core/send/deliver.ts';
import { buildConfirmMail } from '../../functions/http/confirm-mail.ts';
import { renderPage } from '../../functions/http/pages.ts';
import { type DevServer, startDevServer } from '../../functions/local/dev-server.ts';
import { emulatorStore, SEEDS, TEMPLATES, tempWorkspace } from '../helpers/workspace.ts';

/**
 * axe-core (WCAG 2 A/AA, 2.1 A/AA and best practice) on every page the app serves and on both
 * emails, each in light and dark colour schemes, in the tests' Chromium. axe is injected with
 * page.evaluate, which runs outside the page's Content-Security-Policy: the pages keep their CSP
 * (no scripts allowed), and only the injected checker is let through.
 */
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'];
const AXE_SOURCE = await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const SCHEMES = ['light', 'dark'] as const;

interface Violation {
  id: string;
  help: string;
  nodes: { target: string[]; failureSummary?: string }[];
}

let ws: Awaited<ReturnType<typeof tempWorkspace>>;
let dev: DevServer;
let browser: Browser;
const contexts: Record<(typeof SCHEMES)[number], BrowserContext | undefined> = {
  light: undefined,
  dark: undefined,
};

async function axe(page: Page): Promise<Violation[]> {
  await page.evaluate(AXE_SOURCE);
  // A string, evaluated in the page: this project's types have no DOM.
  const run = `axe.run(document, ${JSON.stringify({ runOnly: { type: 'tag', values: TAGS } })}).then((r) => r.violations)`;
  return (await page.evaluate(run)) as Violation[];
}

const describeViolations = (violations: Violation[]) =>
  violations
    .map(
      (v) =>
        `${v.id} (${v.help}): ${v.nodes.map((n) => `${n.target.join(' ')}: ${n.failureSummary}`).join('; ')}`,
    )
    .join('\n');

/** Opens what `open` leads to in each colour scheme and returns axe's findings. */
async function check(open: (page: Page) => Promise<unknown>): Promise<Record<string, Violation[]>> {
  const found: Record<string, Violation[]> = {};
  for (const scheme of SCHEMES) {
    const page = await (contexts[scheme] as BrowserContext).newPage();
    try {
      await open(page);
      found[scheme] = await axe(page);
    } finally {
      await page.close();
    }
  }
  return found;
}

function expectClean(found: Record<string, Violation[]>) {
  for (const [scheme, violations] of Object.entries(found)) {
    expect(violations, `${scheme}:\n${describeViolations(violations)}`).toEqual([]);
  }
}

/** A page reached by submitting a form; `expected` is the heading it must show (so axe checks the right page). */
async function submit(page: Page, url: string, button: string, heading: string) {
  await page.goto(url);
  await page.getByRole('button', { name: button, exact: true }).click();
  await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe(heading);
}

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

const reader = `reader-${randomUUID().slice(0, 8)}@example.com`;
let confirmUrl: string;
let confirmMailHtml: string;
let digestHtml: string;
let issueId: string;

beforeAll(async () => {
  ws = await tempWorkspace();
  dev = await startDevServer({ config: ws.config, port: 0, inMemory: true });
  browser = await launchChromium();
  for (const scheme of SCHEMES) contexts[scheme] = await browser.newContext({ colorScheme: scheme });

  // A real signup, its confirmation mail, a confirmed subscriber and a sent issue.
  const signup = await fetch(`${dev.url}/subscribe`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ email: reader }).toString(),
  });
  expect(signup.status).toBe(202);
  const mail = (await emulatorStore(dev.sesUrl)).find((m) => m.destination.to.includes(reader));
  confirmMailHtml = mail?.body.html ?? '';
  confirmUrl = /(http:\/\/127\.0\.0\.1:\d+\/confirm\?token=[^\s"<]+)/.exec(mail?.body.text ?? '')?.[1] ?? '';
  expect(confirmUrl).not.toBe('');
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await dev?.close();
  await ws?.cleanup();
});

describe('every page the app serves has no axe violations, light and dark', () => {
  it('the signup page, and the signup page with an error', async () => {
    expectClean(await check((page) => page.goto(`${dev.url}/`)));
    expectClean(
      await check(async (page) => {
        await page.goto(`${dev.url}/`);
        await page.getByLabel('Email address').fill('not an address');
        await page.getByRole('button', { name: 'Subscribe' }).click();
        await expect.poll(() => page.locator('#signup-error').count()).toBe(1);
      }),
    );
  });

  it('the "check your inbox" message page', async () => {
    expectClean(
      await check(async (page) => {
        await page.goto(`${dev.url}/`);
        await page.getByLabel('Email address').fill(`other-${randomUUID().slice(0, 8)}@example.com`);
        await page.getByRole('button', { name: 'Subscribe' }).click();
        await expect
          .poll(() => page.getByRole('heading', { level: 1 }).textContent())
          .toBe('Check your inbox');
      }),
    );
  });

  it('the confirm page, "subscription confirmed" and "already confirmed"', async () => {
    expectClean(await check((page) => page.goto(confirmUrl)));
    const light = await (contexts.light as BrowserContext).newPage();
    await submit(light, confirmUrl, 'Confirm my subscription', 'Subscription confirmed');
    expectClean({ light: await axe(light) });
    await light.close();
    expect((await dev.ctx.stores.subscribers.get(reader))?.status).toBe('confirmed');
    // The same page in dark, by pressing the button of a page for a confirmed reader.
    expectClean(
      await check(async (page) => {
        await page.goto(confirmUrl);
        await expect
          .poll(() => page.getByRole('heading', { level: 1 }).textContent())
          .toBe('Already confirmed');
      }),
    );
  });

  it('the unsubscribe page, "you are unsubscribed" and "your data is deleted"', async () => {
    const other = `leaver-${randomUUID().slice(0, 8)}@example.com`;
    const now = new Date().toISOString();
    await dev.ctx.stores.subscribers.create({
      email: other,
      id: randomUUID(),
      status: 'confirmed',
      createdAt: now,
      updatedAt: now,
    });
    const url = unsubscribeUrl(dev.url, dev.ctx.deps.tokenKeys, other);
    expectClean(await check((page) => page.goto(url)));
    expectClean(await check((page) => submit(page, url, 'Unsubscribe', 'You are unsubscribed')));
    expectClean(
      await check((page) => submit(page, url, 'Unsubscribe and delete my data', 'Your data is deleted')),
    );
  });

  it('the error pages: a link that does not work, a page that is not there', async () => {
    expectClean(
      await check(async (page) => {
        const res = await page.goto(`${dev.url}/confirm?token=broken`);
        expect(res?.status()).toBe(400);
      }),
    );
    expectClean(
      await check(async (page) => {
        const res = await page.goto(`${dev.url}/no-such-page`);
        expect(res?.status()).toBe(404);
      }),
    );
  });

  it('the archive: the empty index, then the index, an issue, a missing issue, the unsubscribe note', async () => {
    expectClean(await check((page) => page.goto(`${dev.url}/issues`)));
    expect(
      await quietly(() =>
        runLocalSend(dev.ctx, { dryRun: false, includeSent: false, retryUnknown: false, force: false }),
      ),
    ).toBe(0);
    const [issue] = await dev.ctx.stores.issues.list();
    issueId = issue?.issueId ?? '';
    expectClean(
      await check(async (page) => {
        // A new URL: the browser keeps the empty index for the archive's max-age of 300 s.
        await page.goto(`${dev.url}/issues?sent=1`);
        expect(await page.getByRole('link', { name: issue?.subject ?? '?' }).count()).toBe(1);
      }),
    );
    expectClean(
      await check(async (page) => {
        const res = await page.goto(`${dev.url}/issues/${issueId}`);
        expect(res?.status()).toBe(200);
        // The archive page is served with the app's CSP: the page itself runs no script.
        expect(res?.headers()['content-security-policy']).toContain("default-src 'none'");
      }),
    );
    expectClean(await check((page) => page.goto(`${dev.url}/issues/2020-01-01-00000000`)));
    expectClean(await check((page) => page.goto(`${dev.url}/issues/unsubscribe`)));
  });
});

describe('both emails have no axe violations, light and dark', () => {
  beforeAll(async () => {
    const dir = join(ws.config.DIGEST_OUT_DIR, issueId, 'messages');
    const [eml] = (await readdir(dir)).filter((f) => f.endsWith('.eml'));
    digestHtml = (await simpleParser(await readFile(join(dir, eml ?? '')))).html || '';
    expect(digestHtml).toContain('role="main"');
  });

  it('the sent digest: a lang, a labelled main landmark, readable contrast', async () => {
    expect(digestHtml).toMatch(/<html lang="en"/);
    expect(digestHtml).toMatch(/aria-label="[^"]+" aria-roledescription="email" role="main"/);
    expect(digestHtml).not.toMatch(/<img(?![^>]*\balt=)/);
    expectClean(await check((page) => page.setContent(digestHtml)));
  });

  it('the dark colours are the ones checked: the dark-mode styles apply in the dark scheme', async () => {
    const page = await (contexts.dark as BrowserContext).newPage();
    await page.setContent(digestHtml);
    const colours = await page.evaluate(
      `[document.body, document.querySelector('.digest-card > table'), document.querySelector('.digest-card li')]
        .map((el, i) => getComputedStyle(el)[i < 2 ? 'backgroundColor' : 'color'])`,
    );
    await page.close();
    expect(colours).toEqual(['rgb(13, 17, 23)', 'rgb(22, 27, 34)', 'rgb(230, 237, 243)']);
  });

  it('the confirmation mail', async () => {
    expect(confirmMailHtml).toMatch(/<html lang="en"/);
    expectClean(await check((page) => page.setContent(confirmMailHtml)));
  });
});

describe('a brand colour too light for white text (#ffdd00) stays readable', () => {
  const yellow: Brand = {
    name: 'The Weekly Digest',
    color: '#ffdd00',
    postalAddress: 'Example Media, 1 Example Street, Springfield, USA',
    lang: 'en',
    publicUrl: 'https://digest.example.com',
  };

  it('in the digest, the confirmation mail and the signup page', async () => {
    const loaded = await loadArticles(await articleFilesInDir(SEEDS));
    const view = digestView(
      '2026-01-05-yellow',
      new Date('2026-01-05T06:00:00Z'),
      yellow,
      summarizeArticles(loaded.articles).articles.map((a) => a.summary),
    );
    const compiled = await compileIssue(await loadTemplatesFromDir(TEMPLATES), view, yellow);
    const digest = personalize(compiled, {
      email: 'reader@example.org',
      unsubscribeUrl: 'https://digest.example.com/unsubscribe?token=t',
    }).html;
    const confirmation = await buildConfirmMail({
      brand: yellow,
      settings: { from: { name: yellow.name, address: 'digest@example.com' } },
      to: 'reader@example.org',
      confirmUrl: 'https://digest.example.com/confirm?token=t',
      hours: 48,
    });
    const signup = renderPage(yellow, 'signup', 'Subscribe', { action: '/subscribe', wording: 'Consent.' });
    for (const html of [digest, (await simpleParser(confirmation)).html || '', signup]) {
      expect(html).not.toBe('');
      expectClean(await check((page) => page.setContent(html)));
    }
  });
});
