import { randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type ParsedMail, simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureTables } from '../../../functions/adapters/dynamo/tables.ts';
import { type LocalEngines, startLocalEngines } from '../../../functions/local/engines.ts';
import { createRuntime, type Runtime } from '../../../functions/wiring/runtime.ts';
import { tableNames } from '../../../functions/wiring/settings.ts';
import { cli } from '../../helpers/cli.ts';
import { fixtureText, type Publisher, startPublisher } from '../../helpers/publisher.ts';
import { emulatorStore, tempWorkspace } from '../../helpers/workspace.ts';

/**
 * The end-to-end proof, through the real CLI: a fresh data folder and an EMPTY seeds folder, a
 * few sources on the loopback publisher, and `digest send` delivers (through the SES emulator) a
 * digest made from the pages' own text; then nothing twice, a new item alone, one story from two
 * sources once, a broken source that stops nothing, and loopback refused without the variable.
 */
let ws: Awaited<ReturnType<typeof tempWorkspace>>;
let engines: LocalEngines;
let rt: Runtime;
let publisher: Publisher;
const savedEnv = { ...process.env };
const READER = 'reader@example.com';

beforeAll(async () => {
  const empty = join(await import('node:os').then((os) => os.tmpdir()), `empty-seeds-${randomUUID()}`);
  await mkdir(empty, { recursive: true });
  ws = await tempWorkspace({ seeds: empty, env: { DIGEST_ALLOW_PRIVATE_SOURCES: 'true' } });
  Object.assign(process.env, ws.env);
  engines = await startLocalEngines(); // shared by every CLI run below (endpoints in process.env)
  rt = createRuntime(process.env);
  await ensureTables(rt.clients.dynamodb, tableNames(rt.config));
  const now = new Date().toISOString();
  await rt.stores.subscribers.create({
    email: READER,
    id: randomUUID(),
    status: 'confirmed',
    createdAt: now,
    updatedAt: now,
  });
  publisher = await startPublisher();
  publisher.copy('/harbour.json', '/flaky.json');
});
afterAll(async () => {
  rt?.close();
  await publisher?.close();
  await engines?.stop();
  for (const key of Object.keys(process.env)) if (!(key in savedEnv)) delete process.env[key];
  Object.assign(process.env, savedEnv);
  await ws?.cleanup();
});

/** The .eml files the last send wrote for the reader, parsed back. */
async function mailsOf(stdout: string): Promise<ParsedMail[]> {
  const issue = /Issue (\S+) \(new\)/.exec(stdout)?.[1];
  if (!issue) return [];
  const dir = join(ws.env.DIGEST_OUT_DIR, issue, 'messages');
  const files = (await readdir(dir)).filter((f) => f.startsWith(READER));
  return Promise.all(files.map(async (f) => simpleParser(await readFile(join(dir, f)))));
}

describe('digest from sources, through the CLI', () => {
  let firstMail: ParsedMail;

  it('adds sources after one fetch each, telling their kind', async () => {
    const courier = await cli(
      'sources',
      'add',
      publisher.url('/feed.xml'),
      '--name',
      'Coastal Courier',
      '--section',
      'Local',
    );
    expect(courier.stderr).toBe('');
    expect(courier.code).toBe(0);
    expect(courier.stdout).toMatch(/Added source "Coastal Courier" \(rss, section Local\)/);
    expect((await cli('sources', 'add', publisher.url('/gazette.xml'))).stdout).toMatch(
      /Added source "Island Gazette" \(rss\)/,
    );
    expect(
      (await cli('sources', 'add', publisher.url('/flaky.json'), '--name', 'Harbour Trust')).stdout,
    ).toMatch(/\(jsonfeed\)/);
    const again = await cli('sources', 'add', publisher.url('/feed.xml'));
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/is already a source \("Coastal Courier"\)/);
    // Adding fetched nothing into the digest yet: the feed's validators are not stored.
    expect((await rt.stores.sources.list()).every((s) => !s.etag && !s.lastFetch)).toBe(true);
  });

  it('the first send delivers the pages’ own text and quotes, not the teasers or the site chrome', async () => {
    publisher.resetRequests();
    const r = await cli('send');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Fetched 3 source\(s\): 7 new article\(s\)/);
    expect(r.stdout).toMatch(/Sent 1 message\(s\)/);
    const [mail] = await mailsOf(r.stdout);
    if (!mail) throw new Error(`no mail in ${r.stdout}`);
    firstMail = mail;
    const text = mail.text ?? '';
    const html = String(mail.html);
    expect(text).toContain('Council approves tram extension to Millbrook');
    expect(text).toMatch(/Tonight we stopped planning and started building/); // a quote from the page
    expect(text).toContain('Helena Voss');
    expect(text).not.toMatch(/cookie|Share on|Advertisement|All rights reserved|Read more|Related stories/i);
    expect(text).not.toContain('extend the number 4 line …'); // the teaser
    // Provenance: the source, a link to the original, the publication date; sections.
    expect(text).toMatch(/Source: Coastal Courier, \d{1,2} (November|December) 20\d\d/);
    expect(text).toContain(`Read the full story: ${publisher.url('/news/tram-extension.html')}`);
    expect(html).toContain(`href="${publisher.url('/news/tram-extension.html')}"`);
    expect(text).toMatch(/^Local\n-{10,}/m);
    expect(mail.subject).toMatch(/The Weekly Digest: .+ and 6 more/);
  });

  it('the same story from two sources appears once, naming both', () => {
    const text = firstMail.text ?? '';
    const windTitles =
      text.match(/Skerrow Bank wind farm wins final approval|Regulator says yes to offshore turbines/g) ?? [];
    expect(windTitles).toHaveLength(1);
    expect(text).toContain(
      `Also at: Island Gazette (${publisher.url('/gazette/2026/skerrow-bank-approved')})`,
    );
    expect(String(firstMail.html)).toMatch(
      /Also at <a href="[^"]+skerrow-bank-approved"[^>]*>Island Gazette<\/a>/,
    );
    expect(text).toContain('Hallam Point wind farm rejected by planners'); // same topic, other story
  });

  it('a second send sends nothing, and the feed was revalidated with a conditional GET answered 304', async () => {
    publisher.resetRequests();
    const r = await cli('send');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Nothing to send: no new articles since issue/);
    const feed = publisher.requests('/feed.xml');
    expect(feed).toHaveLength(1);
    expect(feed[0]?.headers['if-none-match']).toBeDefined();
    expect(feed[0]?.headers['if-modified-since']).toBeDefined();
    expect(feed[0]?.status).toBe(304);
    expect(feed[0]?.headers['user-agent']).toMatch(/^The-Weekly-Digest\/1\.0 \(\+http:\/\/localhost:3000; /);
    expect(r.stdout).toMatch(/unchanged\s+Coastal Courier\s+0 new, 0 unchanged \(304 not modified\)/);
  });

  it('a new item goes out alone; a source that broke is reported and stops nothing', async () => {
    publisher.setBody(
      '/feed.xml',
      publisher
        .body('/feed.xml')
        .replace('    <item>', `${fixtureText('feeds/courier-new-item.xml')}    <item>`),
    );
    publisher.fail('/flaky.json', 500);
    const r = await cli('send');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/failed\s+Harbour Trust\s+HTTP 500 \(1 failure\(s\) in a row\)/);
    expect(r.stdout).toMatch(/Issue \S+ \(new\): 1 article\(s\)/);
    const [mail] = await mailsOf(r.stdout);
    expect(mail?.subject).toBe('The Weekly Digest: Late ferry to Skerrow kept on through the winter');
    expect(mail?.text).toContain('We planned for four hundred people a night and we got eight hundred');
    expect(mail?.text).not.toContain('Council approves tram extension');

    const fetched = await cli('fetch');
    expect(fetched.stdout).toMatch(
      /failed\s+Harbour Trust\s+HTTP 500 \(2 failure\(s\) in a row; next attempt after/,
    );
    const list = await cli('sources', 'list');
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(
      /^NAME\s+KIND\s+SECTION\s+LAST FETCH\s+STATUS\s+NEW\s+UNCHANGED\s+FAILURES\s+URL/m,
    );
    expect(list.stdout).toMatch(
      /Harbour Trust\s+jsonfeed\s+\d{4}-\d\d-\d\d \d\d:\d\d UTC\s+failed\s+0\s+0\s+2\s+http/,
    );
    expect(list.stdout).toMatch(/last failure: HTTP 500 \(next attempt after/);
    expect(list.stdout).toMatch(/Coastal Courier\s+rss\s+Local\s+.+\s+unchanged/);
  });

  it('removes a source by name', async () => {
    const r = await cli('sources', 'remove', 'harbour trust');
    expect(r.stdout).toMatch(/Removed source "Harbour Trust"/);
    expect((await cli('sources', 'remove', 'Harbour Trust')).code).toBe(1);
  });

  it('without DIGEST_ALLOW_PRIVATE_SOURCES a loopback source is refused, naming the address', async () => {
    delete process.env.DIGEST_ALLOW_PRIVATE_SOURCES;
    try {
      const r = await cli('sources', 'add', publisher.url('/observatory.atom'));
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(
        /cannot add http:\/\/127\.0\.0\.1:\d+\/observatory\.atom: refused: 127\.0\.0\.1 is a loopback \(127\.0\.0\.0\/8\) address/,
      );
      const byName = await cli(
        'sources',
        'add',
        publisher.url('/observatory.atom').replace('127.0.0.1', 'localhost'),
      );
      expect(byName.code).toBe(1);
      expect(byName.stderr).toMatch(/localhost resolves to (127\.0\.0\.1|::1) is a loopback/);
    } finally {
      process.env.DIGEST_ALLOW_PRIVATE_SOURCES = 'true';
    }
    expect(publisher.requests('/observatory.atom')).toHaveLength(0);
    expect((await emulatorStore(engines.sesEndpoint)).length).toBeGreaterThanOrEqual(2);
  });
});
