import { randomUUID } from 'node:crypto';
import { cp, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { type AddressObject, type ParsedMail, simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLocalSend } from '../../../functions/cli/commands/send.ts';
import { TemplateError } from '../../../functions/core/errors.ts';
import { type PreparedIssue, prepareIssue } from '../../../functions/core/issue/prepare.ts';
import { sendToSubscribers } from '../../../functions/core/send/fan-out.ts';
import { makeLimiter } from '../../../functions/core/send/rate-limiter.ts';
import { verifyToken } from '../../../functions/core/tokens.ts';
import { apiDeps } from '../../../functions/handlers/api.ts';
import { createApp } from '../../../functions/http/app.ts';
import type { LocalContext } from '../../../functions/local/context.ts';
import { createRuntime } from '../../../functions/wiring/runtime.ts';
import { emulatorStore, localContext, TEMPLATES, tempWorkspace } from '../../helpers/workspace.ts';

const READERS = ['ana@example.org', 'bo@example.net'];

async function addSubscriber(ctx: LocalContext, email: string, status: 'confirmed' | 'unsubscribed') {
  const now = new Date().toISOString();
  await ctx.stores.subscribers.create({ email, id: randomUUID(), status, createdAt: now, updatedAt: now });
}

const asAddresses = (value: AddressObject | AddressObject[] | undefined) =>
  (Array.isArray(value) ? value : value ? [value] : []).flatMap((a) => a.value);

interface ListHeader {
  id: { id: string; name: string };
  unsubscribe: { url: string; mail: string };
}

/** The real send path (seed digest → MJML → MailComposer → aws-ses-v2-local) to two subscribers. */
describe('a sent digest meets the bulk-sender rules', () => {
  let ws: Awaited<ReturnType<typeof tempWorkspace>>;
  let ctx: LocalContext;
  let prepared: PreparedIssue;
  const raw = new Map<string, Buffer>();
  const parsed = new Map<string, ParsedMail>();

  beforeAll(async () => {
    ws = await tempWorkspace({
      env: {
        DIGEST_BRAND_NAME: 'Le Résumé Hebdo',
        DIGEST_FROM_ADDRESS: 'digest@news.example.com',
        DIGEST_LIST_ID: 'weekly.news.example.com',
        DIGEST_PUBLIC_URL: 'https://news.example.com/',
        DIGEST_UNSUBSCRIBE_MAILTO: 'leave@news.example.com',
        DIGEST_SES_CONFIGURATION_SET: 'digest-events',
      },
    });
    ctx = await localContext(ws.config);
    for (const email of READERS) await addSubscriber(ctx, email, 'confirmed');
    await addSubscriber(ctx, 'gone@example.com', 'unsubscribed');
    const ready = await prepareIssue(ctx.deps);
    if (ready.kind !== 'ready') throw new Error(`nothing to send: ${ready.reason}`);
    prepared = ready;
    const report = await sendToSubscribers(ctx.deps, prepared, {
      concurrency: 2,
      limiter: makeLimiter(50),
      onRawMessage: async (email, bytes) => {
        raw.set(email, bytes);
      },
    });
    expect(report).toMatchObject({ sent: 2, failed: 0, unknown: 0, state: 'sent' });
    for (const [email, bytes] of raw) parsed.set(email, await simpleParser(bytes));
  });
  afterAll(async () => {
    await ctx?.close();
    await ws?.cleanup();
  });

  it('built one message per confirmed subscriber, none for the unsubscribed one', () => {
    expect([...raw.keys()].sort()).toEqual(READERS);
  });

  it('From has the display name, To the recipient, Subject the issue', () => {
    for (const email of READERS) {
      const mail = parsed.get(email) as ParsedMail;
      expect(mail.from?.value).toEqual([{ address: 'digest@news.example.com', name: 'Le Résumé Hebdo' }]);
      expect(asAddresses(mail.to)).toEqual([{ address: email, name: '' }]);
      expect(mail.subject).toBe(prepared.compiled.subject);
      expect(mail.subject).toMatch(/^Le Résumé Hebdo: /);
      // Non-ASCII headers are RFC 2047 encoded words, never raw 8-bit bytes.
      const head = (raw.get(email) as Buffer).toString('latin1').split('\r\n\r\n')[0] ?? '';
      expect(head).toMatch(/^From: =\?UTF-8\?/m);
      expect([...head].every((c) => c.charCodeAt(0) < 128)).toBe(true);
    }
  });

  it('is UTF-8 multipart/alternative: the text part first, then the HTML part', () => {
    for (const email of READERS) {
      const mail = parsed.get(email) as ParsedMail;
      const source = (raw.get(email) as Buffer).toString('latin1');
      expect(mail.headers.get('mime-version')).toBe('1.0');
      expect(mail.headers.get('content-type')).toMatchObject({ value: 'multipart/alternative' });
      const textAt = source.search(/Content-Type: text\/plain; charset=utf-8/i);
      const htmlAt = source.search(/Content-Type: text\/html; charset=utf-8/i);
      expect(textAt).toBeGreaterThan(0);
      expect(htmlAt).toBeGreaterThan(textAt);
      expect(mail.text).toContain('Xie Zhenhua, China’s climate envoy');
      expect(mail.text).toContain('Le Résumé Hebdo');
      expect(mail.text).not.toMatch(/<(?:a|p|div|td)\b/);
      expect(mail.html).toContain('<strong>Xie Zhenhua</strong>');
      expect(mail.html).toContain('View in browser');
      expect(mail.html).toContain(ws.config.DIGEST_POSTAL_ADDRESS);
      expect(mail.html).toMatch(/<html lang="en"/);
      // Every line within the 998-octet limit of RFC 5322.
      expect(Math.max(...source.split('\r\n').map((l) => l.length))).toBeLessThanOrEqual(998);
    }
  });

  it('has List-Id, List-Unsubscribe (https + mailto), List-Unsubscribe-Post and the SES configuration set', () => {
    for (const email of READERS) {
      const mail = parsed.get(email) as ParsedMail;
      const list = mail.headers.get('list') as unknown as ListHeader;
      expect(list.id.id).toBe('weekly.news.example.com');
      // A non-ASCII list name is an RFC 2047 encoded word (RFC 2919 allows it); mailparser leaves it encoded.
      const word = /^=\?UTF-8\?B\?([A-Za-z0-9+/=]+)\?=$/.exec(list.id.name)?.[1] ?? '';
      expect(Buffer.from(word, 'base64').toString('utf8')).toBe('Le Résumé Hebdo');
      expect(list.unsubscribe.url).toMatch(/^https:\/\/news\.example\.com\/unsubscribe\?token=[^&\s]+$/);
      expect(list.unsubscribe.mail).toBe('leave@news.example.com?subject=unsubscribe');
      const line = (key: string) => mail.headerLines.find((h) => h.key === key)?.line;
      expect(line('list-unsubscribe')).toMatch(
        /^List-Unsubscribe: <https:\/\/news\.example\.com\/unsubscribe\?token=[^>]+>,\s+<mailto:leave@news\.example\.com\?subject=unsubscribe>$/,
      );
      expect(line('list-unsubscribe-post')).toBe('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
      expect(line('x-ses-configuration-set')).toBe('X-SES-CONFIGURATION-SET: digest-events');
    }
  });

  it('each recipient’s unsubscribe URL carries a token that verifies for that recipient only', () => {
    const tokens = READERS.map((email) => {
      const mail = parsed.get(email) as ParsedMail;
      const url = (mail.headers.get('list') as unknown as ListHeader).unsubscribe.url;
      const token = new URL(url).searchParams.get('token');
      expect(verifyToken(ctx.deps.tokenKeys, token, 'unsubscribe', Date.now() / 1000).email).toBe(email);
      // The same link is in both bodies (HTML-escaped in the HTML part).
      expect(mail.text).toContain(`Unsubscribe: ${url}`);
      expect(mail.html).toContain(`href="${url.replaceAll('&', '&amp;')}"`);
      expect(mail.text).toContain(`because ${email} subscribed`);
      return token;
    });
    expect(tokens[0]).not.toBe(tokens[1]);
    // A token is bound to its purpose: it is not a confirmation token.
    expect(() => verifyToken(ctx.deps.tokenKeys, tokens[0] ?? '', 'confirm', Date.now() / 1000)).toThrow();
  });

  it('the List-Unsubscribe URL works: a one-click POST (RFC 8058) to our HTTP app unsubscribes that recipient only', async () => {
    const app = createApp(apiDeps(createRuntime({ ...process.env, ...ws.env })));
    const [first, second] = READERS as [string, string];
    const mail = parsed.get(first) as ParsedMail;
    const url = new URL((mail.headers.get('list') as unknown as ListHeader).unsubscribe.url);
    // What a mailbox provider sends: a POST to the header's URL with this exact body.
    const res = await app.request(`${url.pathname}${url.search}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(res.status).toBe(200);
    expect((await ctx.stores.subscribers.get(first))?.status).toBe('unsubscribed');
    expect((await ctx.stores.subscribers.get(second))?.status).toBe('confirmed');
  });

  it('the SES emulator holds both messages with HTML and text bodies', async () => {
    const stored = await emulatorStore(ctx.engines.sesEndpoint);
    expect(stored.map((m) => m.destination.to[0]).sort()).toEqual(READERS);
    for (const message of stored) {
      expect(message.subject).toBe(prepared.compiled.subject);
      expect(message.body.html).toContain('Xie Zhenhua');
      expect(message.body.text).toContain('Xie Zhenhua');
      const record = await ctx.stores.deliveries.get(prepared.issue.issueId, message.destination.to[0] ?? '');
      expect(record).toMatchObject({ state: 'sent', messageId: message.messageId });
    }
  });
});

/** A broken template stops the run before anything is stored or sent. */
describe('a template with an MJML error', () => {
  let ws: Awaited<ReturnType<typeof tempWorkspace>>;
  let ctx: LocalContext;
  let brokenLine: number;
  let sentBefore: number;

  beforeAll(async () => {
    ws = await tempWorkspace();
    const templates = join(ws.root, 'templates');
    await cp(TEMPLATES, templates, { recursive: true });
    const file = join(templates, 'partials', 'article.mjml');
    const source = await readFile(file, 'utf8');
    const broken = source.replace('<mj-column>', '<mj-column>\n    <mj-section></mj-section>');
    expect(broken).not.toBe(source);
    brokenLine = broken.split('\n').findIndex((l) => l.includes('<mj-section></mj-section>')) + 1;
    await writeFile(file, broken);
    ctx = await localContext({ ...ws.config, DIGEST_TEMPLATES_DIR: templates });
    await addSubscriber(ctx, 'ana@example.org', 'confirmed');
    // The SES emulator's store lives as long as this test process: count what earlier tests sent.
    sentBefore = (await emulatorStore(ctx.engines.sesEndpoint)).length;
  });
  afterAll(async () => {
    await ctx?.close();
    await ws?.cleanup();
  });

  it('fails `digest send` with the partial’s file and line, and sends nothing', async () => {
    const options = { dryRun: false, includeSent: false, retryUnknown: false, force: false };
    const error = await runLocalSend(ctx, options).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(TemplateError);
    expect((error as TemplateError).file).toBe('partials/article.mjml');
    expect((error as TemplateError).line).toBe(brokenLine);
    expect((error as Error).message).toContain(
      `template partials/article.mjml:${brokenLine}: MJML: <mj-section>`,
    );

    expect(await emulatorStore(ctx.engines.sesEndpoint)).toHaveLength(sentBefore);
    expect(await ctx.stores.issues.list()).toEqual([]);
    const deliveries = await ctx.clients.dynamodb.send(
      new ScanCommand({ TableName: ws.config.DELIVERIES_TABLE }),
    );
    expect(deliveries.Count).toBe(0);
    // No compiled copy or archive page was stored either.
    const blobs = await readdir(join(ws.config.DIGEST_DATA_DIR, 'blobs')).catch(() => []);
    expect(blobs).not.toContain('issues');
  });
});
