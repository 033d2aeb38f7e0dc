import { type AddressObject, type ParsedMail, simpleParser } from 'mailparser';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { articleFilesInDir } from '../../../functions/adapters/article-files.ts';
import { loadTemplatesFromDir } from '../../../functions/adapters/template-files.ts';
import { loadArticles } from '../../../functions/core/articles/load.ts';
import { digestView, summarizeArticles } from '../../../functions/core/issue/build.ts';
import { type Brand, compileIssue } from '../../../functions/core/render/compile.ts';
import {
  buildMessage,
  compileMessage,
  fillMessage,
  type MessageHeaders,
  type MessageSkeleton,
} from '../../../functions/core/render/mime.ts';
import { type CompiledIssue, personalize, split } from '../../../functions/core/render/personalize.ts';
import { SEEDS, TEMPLATES } from '../../helpers/workspace.ts';

/**
 * The MIME skeleton (built once per issue, filled per recipient) against nodemailer's full build of
 * the same message: both parsed back with mailparser must say the same thing, header by header and
 * body by body, and the skeleton's output must keep every encoding rule on its own.
 */
const brand: Brand = {
  name: 'Le Résumé Hebdo',
  color: '#1a56db',
  postalAddress: '3 rue Exemple, 75001 Paris, France',
  lang: 'fr',
  publicUrl: 'https://news.example.com',
};
const headers: MessageHeaders = {
  from: { name: 'Le Résumé Hebdo', address: 'digest@news.example.com' },
  replyTo: 'editors@news.example.com',
  subject: '',
  listId: 'weekly.news.example.com',
  listName: 'Le Résumé Hebdo',
  unsubscribeMailto: 'leave@news.example.com',
  configurationSet: 'digest-events',
};
const token = (n: number) => `k1.${'P'.repeat(n)}.${'s'.repeat(43)}`;
const RECIPIENTS = [
  { email: 'ana@example.org', unsubscribeUrl: `https://news.example.com/unsubscribe?token=${token(60)}` },
  // Long enough for nodemailer to fold the To line; a URL with = and & (encoded in the HTML part).
  {
    email: `a.very.long.address.${'x'.repeat(50)}@subdomain.example.org`,
    unsubscribeUrl: `https://news.example.com/unsubscribe?token=${token(240)}&a=b=c`,
  },
  { email: "o'brien+digest@example.net", unsubscribeUrl: 'https://news.example.com/unsubscribe?token=t' },
];
const date = new Date('2026-01-05T06:00:00Z');

let compiled: CompiledIssue;
let skeleton: MessageSkeleton;

beforeAll(async () => {
  const loaded = await loadArticles(await articleFilesInDir(SEEDS));
  const view = digestView(
    '2026-01-05-mime',
    date,
    brand,
    summarizeArticles(loaded.articles).articles.map((a) => a.summary),
  );
  compiled = await compileIssue(await loadTemplatesFromDir(TEMPLATES), view, brand);
  headers.subject = compiled.subject;
  skeleton = await compileMessage(compiled, headers);
});

async function both(recipient: (typeof RECIPIENTS)[number], messageId = '<fixed@news.example.com>') {
  const body = personalize(compiled, recipient);
  const full = await buildMessage({
    ...headers,
    to: recipient.email,
    html: body.html,
    text: body.text,
    unsubscribeUrl: recipient.unsubscribeUrl,
    date,
    messageId,
  });
  const filled = fillMessage(skeleton, recipient, { date, messageId });
  return { full, filled, parsedFull: await simpleParser(full), parsedFilled: await simpleParser(filled) };
}

const addresses = (value: AddressObject | AddressObject[] | undefined) =>
  (Array.isArray(value) ? value : value ? [value] : []).flatMap((a) => a.value);
/** Header lines as mailparser reads them, the multipart boundary (random per build) blanked. */
const headerLines = (mail: ParsedMail) =>
  mail.headerLines.map((h) => h.line.replace(/boundary="[^"]+"/, 'boundary="…"'));

describe('a message filled into the skeleton equals the message nodemailer builds whole', () => {
  it('same headers, same text, same HTML, for every kind of recipient', async () => {
    for (const recipient of RECIPIENTS) {
      const { parsedFull, parsedFilled } = await both(recipient);
      expect(headerLines(parsedFilled)).toEqual(headerLines(parsedFull));
      expect(parsedFilled.text).toBe(parsedFull.text);
      expect(parsedFilled.html).toBe(parsedFull.html);
      expect(parsedFilled.subject).toBe(compiled.subject);
      expect(addresses(parsedFilled.to)).toEqual([{ address: recipient.email, name: '' }]);
      expect(addresses(parsedFilled.from)).toEqual([{ address: headers.from.address, name: brand.name }]);
      expect(addresses(parsedFilled.replyTo)).toEqual([{ address: 'editors@news.example.com', name: '' }]);
      // The recipient's own values are in both bodies and the header.
      const list = parsedFilled.headers.get('list') as unknown as { unsubscribe: { url: string } };
      expect(list.unsubscribe.url).toBe(recipient.unsubscribeUrl);
      expect(parsedFilled.text).toContain(`Unsubscribe: ${recipient.unsubscribeUrl}\n`);
      expect(parsedFilled.text).toContain(`${recipient.email} subscribed`);
      expect(parsedFilled.html).toContain(
        `href="${recipient.unsubscribeUrl.replaceAll('&', '&amp;').replaceAll("'", '&#39;')}"`,
      );
    }
  });

  it('folds a long To line exactly as nodemailer does', async () => {
    const { full, filled } = await both(RECIPIENTS[1] as (typeof RECIPIENTS)[number]);
    const toLine = (raw: Buffer) => /\r\nTo:(?:.|\r\n )*/.exec(raw.toString('latin1'))?.[0];
    expect(toLine(filled)).toMatch(/^\r\nTo:\r\n a\.very\.long\.address\.x+@subdomain\.example\.org$/);
    expect(toLine(filled)).toBe(toLine(full));
  });

  it('keeps the encoding rules: CRLF lines under 998 octets, quoted-printable, text then HTML, 7-bit', async () => {
    for (const recipient of RECIPIENTS) {
      const { filled } = await both(recipient);
      const source = filled.toString('latin1');
      expect([...source].every((c) => c.charCodeAt(0) < 128)).toBe(true);
      expect(source.replaceAll('\r\n', '')).not.toMatch(/[\r\n]/);
      const lines = source.split('\r\n');
      expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(998);
      // Body lines are wrapped at 76 (quoted-printable); only the unfolded List-Unsubscribe is longer.
      const body = source.slice(source.indexOf('\r\n\r\n'));
      expect(Math.max(...body.split('\r\n').map((l) => l.length))).toBeLessThanOrEqual(76);
      const textAt = source.search(
        /Content-Type: text\/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n/,
      );
      const htmlAt = source.search(
        /Content-Type: text\/html; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n/,
      );
      expect(textAt).toBeGreaterThan(0);
      expect(htmlAt).toBeGreaterThan(textAt);
      expect(source).toMatch(/\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n/);
      expect(source).toMatch(
        /\r\nList-Unsubscribe: <https:\/\/news\.example\.com\/unsubscribe\?token=[^>]+>, <mailto:leave@news\.example\.com\?subject=unsubscribe>\r\n/,
      );
      expect(source).toMatch(/\r\nX-SES-CONFIGURATION-SET: digest-events\r\n/);
      expect(source).toMatch(/\r\nMIME-Version: 1\.0\r\n/);
    }
  });

  it('gives every message its own Message-ID and the Date it was filled in', async () => {
    const recipient = RECIPIENTS[0] as (typeof RECIPIENTS)[number];
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(new Date('2026-03-01T10:00:00Z'));
      const first = await simpleParser(fillMessage(skeleton, recipient));
      vi.setSystemTime(new Date('2026-03-01T10:00:07Z'));
      const second = await simpleParser(fillMessage(skeleton, recipient));
      expect(first.messageId).toMatch(/^<[0-9a-f-]{36}@news\.example\.com>$/);
      expect(second.messageId).not.toBe(first.messageId);
      expect(first.headerLines.find((h) => h.key === 'date')?.line).toBe(
        'Date: Sun, 01 Mar 2026 10:00:00 +0000',
      );
      expect(second.date?.toISOString()).toBe('2026-03-01T10:00:07.000Z');
    } finally {
      vi.useRealTimers();
    }
  });

  it('fills slots anywhere: at the very start, back to back, at the end, across line breaks', async () => {
    const markers = { marker: (n: string) => `<${n}>`, pattern: /<(email|unsubscribeUrl)>/ };
    const doc = '<email><unsubscribeUrl> one line\nnext <email>\n\n<unsubscribeUrl>';
    const odd: CompiledIssue = { ...compiled, text: split(doc, markers), html: split(doc, markers) };
    const recipient = RECIPIENTS[1] as (typeof RECIPIENTS)[number];
    const mail = await simpleParser(fillMessage(await compileMessage(odd, headers), recipient));
    const { email, unsubscribeUrl } = recipient;
    expect(mail.text).toBe(`${email}${unsubscribeUrl} one line\nnext ${email}\n\n${unsubscribeUrl}`);
    expect(mail.html).toBe(
      `${email}${unsubscribeUrl.replaceAll('&', '&amp;')} one line\nnext ${email}\n\n${unsubscribeUrl.replaceAll('&', '&amp;')}`,
    );
  });

  it('refuses an unsubscribe URL that would break the header', () => {
    for (const bad of [
      'https://x.example/u?t=1\r\nBcc: a@b.example',
      'https://x.example/u t',
      'https://x>',
    ]) {
      expect(() => fillMessage(skeleton, { email: 'ana@example.org', unsubscribeUrl: bad })).toThrow(
        /unsubscribe URL/,
      );
    }
  });
});
