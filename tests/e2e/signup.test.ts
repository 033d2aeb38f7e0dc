import { randomUUID } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { launchChromium } from '../../functions/adapters/browser.ts';
import { runLocalSend } from '../../functions/cli/commands/send.ts';
import { type DevServer, startDevServer } from '../../functions/local/dev-server.ts';
import { emulatorStore, tempWorkspace } from '../helpers/workspace.ts';

/**
 * The whole signup lifecycle in real headless Chromium against the dev server (node-server,
 * dynalite, aws-ses-v2-local on loopback): form → confirmation mail → confirm button → a real
 * digest whose List-Unsubscribe one-click POST removes the reader → the next send skips them.
 */
const sendOptions = { dryRun: false, includeSent: false, retryUnknown: false, force: false };

let ws: Awaited<ReturnType<typeof tempWorkspace>>;
let dev: DevServer;
let browser: Browser;
let page: Page;
const reader = `reader-${randomUUID().slice(0, 8)}@example.com`;
const other = 'other.reader@example.com';

const status = async (email: string) => (await dev.ctx.stores.subscribers.get(email))?.status;
/** runLocalSend prints for people; keep the test output readable. */
async function quietly<T>(fn: () => Promise<T>): Promise<T> {
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  try {
    return await fn();
  } finally {
    spy.mockRestore();
  }
}

beforeAll(async () => {
  ws = await tempWorkspace();
  dev = await startDevServer({ config: ws.config, port: 0, inMemory: true });
  const now = new Date().toISOString();
  await dev.ctx.stores.subscribers.create({
    email: other,
    id: randomUUID(),
    status: 'confirmed',
    createdAt: now,
    updatedAt: now,
  });
  browser = await launchChromium();
  // JavaScript off: the pages must work as plain HTML forms.
  page = await browser.newPage({ javaScriptEnabled: false });
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await dev?.close();
  await ws?.cleanup();
});

describe('signup in a real browser', () => {
  let confirmUrl: string;
  let unsubscribeUrl: string;

  it('fills in the form and submits it (no JavaScript needed)', async () => {
    await page.goto(`${dev.url}/`);
    await page.getByLabel('Email address').fill(reader);
    await page.getByRole('button', { name: 'Subscribe' }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Check your inbox');
    expect(await status(reader)).toBe('pending');
  });

  it('the confirmation mail is in the SES emulator, with a link to this server', async () => {
    const mail = (await emulatorStore(dev.sesUrl)).filter((m) => m.destination.to.includes(reader));
    expect(mail).toHaveLength(1);
    const match = /(http:\/\/127\.0\.0\.1:\d+\/confirm\?token=[^\s"<]+)/.exec(mail[0]?.body.text ?? '');
    expect(match?.[1]?.startsWith(dev.url)).toBe(true);
    confirmUrl = match?.[1] ?? '';
  });

  it('opening the link (a GET, as a mail scanner would) changes nothing', async () => {
    const scanner = await fetch(confirmUrl);
    expect(scanner.status).toBe(200);
    await page.goto(confirmUrl);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Confirm your subscription');
    expect(await status(reader)).toBe('pending');
  });

  it('pressing confirm confirms, and the page says so', async () => {
    await page.getByRole('button', { name: 'Confirm my subscription' }).click();
    await expect
      .poll(() => page.getByRole('heading', { level: 1 }).textContent())
      .toBe('Subscription confirmed');
    expect(await status(reader)).toBe('confirmed');
    const stored = await dev.ctx.stores.subscribers.get(reader);
    expect(stored?.consent).toMatchObject({ source: 'form', ip: '127.0.0.1', confirmIp: '127.0.0.1' });
    expect(stored?.consent?.userAgent).toMatch(/Chrome/);
  });

  it('a real digest goes to the reader, with a one-click List-Unsubscribe URL on this server', async () => {
    await fetch(`${dev.sesUrl}/clear-store`, { method: 'POST' });
    expect(await quietly(() => runLocalSend(dev.ctx, sendOptions))).toBe(0);
    const [issue] = await dev.ctx.stores.issues.list();
    const dir = join(ws.config.DIGEST_OUT_DIR, issue?.issueId ?? '', 'messages');
    expect((await readdir(dir)).sort()).toEqual([`${other}.eml`, `${reader}.eml`]);
    const parsed = await simpleParser(await readFile(join(dir, `${reader}.eml`)));
    const list = parsed.headers.get('list') as unknown as { unsubscribe: { url: string } };
    expect(parsed.headerLines.find((h) => h.key === 'list-unsubscribe-post')?.line).toBe(
      'List-Unsubscribe-Post: List-Unsubscribe=One-Click',
    );
    unsubscribeUrl = list.unsubscribe.url;
    expect(unsubscribeUrl.startsWith(`${dev.url}/unsubscribe?token=`)).toBe(true);
  });

  it('opening the unsubscribe link (GET) shows a button and changes nothing', async () => {
    await page.goto(unsubscribeUrl);
    expect(await page.getByRole('button', { name: 'Unsubscribe', exact: true }).isVisible()).toBe(true);
    expect((await fetch(unsubscribeUrl)).status).toBe(200);
    expect(await status(reader)).toBe('confirmed');
  });

  it("the mailbox provider's one-click POST unsubscribes at once", async () => {
    const res = await fetch(unsubscribeUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(res.status).toBe(200);
    expect(await status(reader)).toBe('unsubscribed');
  });

  it('the next digest send skips the unsubscribed reader', async () => {
    await writeFile(
      join(ws.seeds, 'zz_e2e_library_hours.txt'),
      [
        'The city library will open on Sunday mornings from next month, the council said on Tuesday, after a year in which weekend visits rose by a third.',
        '',
        '"People asked for it again and again, and now we can afford it," said Mara Lind, who chairs the council\'s culture committee.',
        '',
        "The extra hours will be staffed by four new part-time librarians. The children's reading room will also stay open later on Thursdays.",
        '',
        'Opening hours at the two branch libraries do not change, the council said.',
        '',
      ].join('\n'),
    );
    await fetch(`${dev.sesUrl}/clear-store`, { method: 'POST' });
    expect(await quietly(() => runLocalSend(dev.ctx, sendOptions))).toBe(0);
    const sent = (await emulatorStore(dev.sesUrl)).flatMap((m) => m.destination.to);
    expect(sent).toEqual([other]);
    expect(await status(reader)).toBe('unsubscribed');
  });
});
