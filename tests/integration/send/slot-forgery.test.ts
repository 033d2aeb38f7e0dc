import { randomBytes, randomUUID } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type ParsedMail, simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { archiveKey, compiledKey } from '../../../functions/core/issue/keys.ts';
import { type PreparedIssue, prepareIssue } from '../../../functions/core/issue/prepare.ts';
import { sendToSubscribers } from '../../../functions/core/send/fan-out.ts';
import { makeLimiter } from '../../../functions/core/send/rate-limiter.ts';
import type { LocalContext } from '../../../functions/local/context.ts';
import { localContext, tempWorkspace } from '../../helpers/workspace.ts';

/**
 * Issue 12, defect 3: an article that carries personalization markers must not get each reader's
 * unsubscribe (and erase) token or address filled in. The attack: front matter and body with the
 * marker text used until now, Handlebars expressions for the recipient fields, and a guess at the
 * new marker's shape. Sent through the real pipeline (dynalite, the SES emulator), every message
 * parsed back with mailparser.
 */
const READERS = ['ana@example.org', 'bo@example.net'];
const EVIL = 'https://evil.example/collect';
const OLD_URL = '@@DIGEST_SLOT_unsubscribeUrl@@';
const OLD_EMAIL = '@@DIGEST_SLOT_email@@';
// The shape of today's markers with a nonce of our own: a guess can only miss.
const GUESS = `DIGESTSLOT${randomBytes(16).toString('hex')}unsubscribeUrlEND`;

const ATTACK = [
  '---',
  `title: "Council votes on the harbour plan ${OLD_URL} {{recipient.email}}"`,
  `url: "${EVIL}?u=${OLD_URL}&e=${OLD_EMAIL}&g=${GUESS}&h={{unsubscribeUrl}}"`,
  `source: "Harbour News ${OLD_EMAIL}"`,
  'published: 2026-11-20',
  '---',
  '',
  `The city council voted on Tuesday to approve the harbour plan, after a debate that lasted until midnight, and readers can see ${EVIL}?t=${OLD_URL} for the full minutes of the meeting.`,
  '',
  `The plan adds two new piers and a ferry terminal, and the council said the work at ${EVIL}?m=${OLD_EMAIL}&g=${GUESS} would start in the spring and take about three years.`,
  '',
  `"We have waited a decade for this {{unsubscribeUrl}} {{{recipient.unsubscribeUrl}}} and now it is finally happening," said Mara Lind, who chairs the council's harbour committee.`,
  '',
  'Opponents said the plan would raise rents along the quay. The council promised a review of its effect on housing after the first year.',
  '',
].join('\n');

describe('article text cannot produce a per-recipient value', () => {
  let ws: Awaited<ReturnType<typeof tempWorkspace>>;
  let ctx: LocalContext;
  let prepared: PreparedIssue;
  const parsed = new Map<string, { raw: string; mail: ParsedMail }>();

  beforeAll(async () => {
    ws = await tempWorkspace();
    await writeFile(join(ws.seeds, 'harbour-plan.md'), ATTACK);
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
    const ready = await prepareIssue(ctx.deps);
    if (ready.kind !== 'ready') throw new Error(`nothing to send: ${ready.reason}`);
    prepared = ready;
    const raws = new Map<string, Buffer>();
    const report = await sendToSubscribers(ctx.deps, prepared, {
      concurrency: 2,
      limiter: makeLimiter(50),
      onRawMessage: async (email, bytes) => {
        raws.set(email, bytes);
      },
    });
    expect(report).toMatchObject({ sent: 2, failed: 0, unknown: 0 });
    for (const [email, bytes] of raws) {
      parsed.set(email, { raw: bytes.toString('latin1'), mail: await simpleParser(bytes) });
    }
  });
  afterAll(async () => {
    await ctx?.close();
    await ws?.cleanup();
  });

  it('the attack reached the email: the markers are printed as the article’s own text', () => {
    const { mail } = parsed.get(READERS[0] as string) ?? {};
    expect(prepared.view.articles.map((a) => a.title)).toContain(
      `Council votes on the harbour plan ${OLD_URL} {{recipient.email}}`,
    );
    // The headline link, the source link and "Read the full story" all point at the attacker's URL,
    // carrying the marker text as it was written.
    const evilLinks = [...(mail?.html || '').matchAll(/href="(https:\/\/evil\.example[^"]*)"/g)].map(
      (m) => m[1] ?? '',
    );
    expect(evilLinks.length).toBeGreaterThanOrEqual(2);
    for (const href of evilLinks) {
      expect(href).toContain(OLD_URL);
      expect(href).toContain(GUESS);
      expect(href).toContain('{{unsubscribeUrl}}');
    }
    // (The text part wraps the headline at 72 columns.)
    for (const planted of [
      OLD_URL,
      OLD_EMAIL,
      GUESS,
      '{{recipient.email}}',
      '{{{recipient.unsubscribeUrl}}}',
    ]) {
      expect(mail?.text).toContain(planted);
    }
  });

  it('each reader’s token appears only in our own unsubscribe links, never on another host', () => {
    const base = ws.config.DIGEST_PUBLIC_URL.replace(/\/+$/, '');
    for (const email of READERS) {
      const { raw, mail } = parsed.get(email) ?? { raw: '', mail: undefined };
      const list = mail?.headers.get('list') as unknown as { unsubscribe: { url: string } };
      const ours = list.unsubscribe.url;
      expect(ours.startsWith(`${base}/unsubscribe?token=`)).toBe(true);
      const token = new URL(ours).searchParams.get('token') ?? '';
      const signature = token.split('.').pop() ?? '';
      expect(signature.length).toBeGreaterThan(20);
      const html = mail?.html || '';
      const text = mail?.text ?? '';
      const head = raw.slice(0, raw.indexOf('\r\n\r\n'));

      // Where the signature is: the footer link, the text part's unsubscribe line, the header.
      const count = (s: string) => s.split(signature).length - 1;
      expect(count(html)).toBe(1);
      expect(html).toContain(`href="${ours.replaceAll('&', '&amp;')}"`);
      expect(count(text)).toBe(1);
      expect(text).toContain(`Unsubscribe: ${ours}\n`);
      expect(count(head)).toBe(1);
      // Every link with a token is ours; no link to another host carries a token or the address.
      for (const [, href] of html.matchAll(/href="([^"]*)"/g)) {
        if (href?.includes('token=')) expect(href.startsWith(`${base}/unsubscribe?token=`)).toBe(true);
        if (href?.startsWith('https://evil.example')) {
          expect(href).not.toContain(signature);
          expect(href).not.toContain(email);
          expect(href).not.toContain(encodeURIComponent(email));
        }
      }
      for (const line of text.split('\n').filter((l) => l.includes('evil.example'))) {
        expect(line).not.toContain(signature);
        expect(line).not.toContain(email);
      }
      // The address is named where the footer says why the reader gets the digest, and in To.
      expect(text.split(email).length - 1).toBe(1);
      expect(text).toContain(`because ${email} subscribed`);
    }
  });

  it('the stored issue and its public archive copy carry the attack as text and no slot of it', async () => {
    const compiled = JSON.parse(
      Buffer.from((await ctx.deps.blobs.get(compiledKey(prepared.issue.issueId))) ?? []).toString('utf8'),
    ) as { html: { slots: string[] }; text: { slots: string[] } };
    // The templates' slots only: the footer's address and unsubscribe link, in each part.
    expect(compiled.html.slots).toEqual(['email', 'unsubscribeUrl']);
    expect(compiled.text.slots).toEqual(['email', 'unsubscribeUrl']);
    const archive = Buffer.from(
      (await ctx.deps.blobs.get(archiveKey(prepared.issue.issueId))) ?? [],
    ).toString('utf8');
    expect(archive).toContain(OLD_URL);
    expect(archive).not.toContain('token=');
    const source = await readFile(join(ws.seeds, 'harbour-plan.md'), 'utf8');
    expect(source).toBe(ATTACK);
  });
});
