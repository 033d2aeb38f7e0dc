import { randomUUID } from 'node:crypto';
import { copyFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLocalSend } from '../../../functions/cli/commands/send.ts';
import { runCli } from '../../../functions/cli/main.ts';
import type { IssueRecord } from '../../../functions/core/model.ts';
import { type LocalContext, openLocalContext } from '../../../functions/local/context.ts';
import { type LocalEngines, startLocalEngines } from '../../../functions/local/engines.ts';
import { type FaultProxy, startFaultProxy } from '../../../functions/local/fault-proxy.ts';
import { emulatorStore, type StoredEmail, tempWorkspace } from '../../helpers/workspace.ts';

/**
 * Each issue carries only news, on real engines (dynalite, the SES emulator behind a fault proxy
 * that can reject a recipient). The main cycle (nothing new, added article alone, --issue, partial
 * completed by the CLI and the queue, broken front matter) is in issues-cycle.test.ts; here: an
 * edited copy of a sent article, a partial issue made by a real SES rejection and completed without
 * adding anything, unknown issue ids leaving everything as it was, and --include-sent.
 */
const FIXTURES = join(import.meta.dirname, '../../fixtures', 'articles');
const SEED = '000_c2d1d5eb466be413.txt';
const READERS = ['ana@example.org', 'ben@example.org'];
const options = { dryRun: false, includeSent: false, retryUnknown: false, force: false };

let engines: LocalEngines;
let proxy: FaultProxy;
let ws: Awaited<ReturnType<typeof tempWorkspace>>;
let ctx: LocalContext;

beforeAll(async () => {
  engines = await startLocalEngines();
  proxy = await startFaultProxy(engines.sesEndpoint, { throttle: 0, serverError: 0, reset: 0 });
  // Every SES call goes through the proxy, which rejects the addresses in proxy.plan.reject.
  process.env.AWS_ENDPOINT_URL_SES = proxy.url;
  process.env.AWS_ENDPOINT_URL_SESV2 = proxy.url;
  ws = await tempWorkspace({ env: { DIGEST_PUBLIC_URL: 'https://digest.test' } });
  // runCli reads its configuration from the environment: the same folders as `ctx`.
  Object.assign(process.env, ws.env);
  ctx = await openLocalContext(ws.config, { inMemory: true, onEvent: () => {} });
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
});
afterAll(async () => {
  await ctx?.close();
  await proxy?.close();
  await engines?.stop();
  await ws?.cleanup();
});

/** Runs `fn` with stdout and stderr collected (and kept off the terminal). */
async function captured(fn: () => Promise<number>): Promise<{ code: number; out: string; err: string }> {
  const result = { code: -1, out: '', err: '' };
  const write = { out: process.stdout.write, err: process.stderr.write };
  process.stdout.write = ((chunk: string | Uint8Array) => {
    result.out += String(chunk);
    return true;
  }) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => {
    result.err += String(chunk);
    return true;
  }) as typeof process.stderr.write;
  try {
    result.code = await fn();
  } finally {
    process.stdout.write = write.out;
    process.stderr.write = write.err;
  }
  return result;
}

const inbox = () => emulatorStore(engines.sesEndpoint);
const mailTo = (mail: StoredEmail[], email: string) => mail.filter((m) => m.destination.to.includes(email));
const issues = () => ctx.stores.issues.list();
const newest = async (): Promise<IssueRecord> => {
  const [first] = await issues();
  if (!first) throw new Error('no issue');
  return first;
};
const addFixture = (name: string) => copyFile(join(FIXTURES, name), join(ws.seeds, name));

describe('each issue carries only news', () => {
  let first: IssueRecord;

  it('a first run sends the seed article to every confirmed subscriber', async () => {
    const run = await captured(() => runLocalSend(ctx, options));
    expect(run.code).toBe(0);
    expect(run.out).toContain('(new): 1 article(s)');
    first = await newest();
    expect(first).toMatchObject({ state: 'sent', articleFiles: [SEED], counts: { sent: 2, failed: 0 } });
    expect(first.articleHashes).toHaveLength(1);
    const mail = await inbox();
    expect(mail.map((m) => m.destination.to[0]).sort()).toEqual(READERS);
    expect(mail[0]?.body.html).toContain('Xie Zhenhua');
  });

  let ferry: IssueRecord;

  it('a new article goes out alone', async () => {
    await addFixture('harbour-ferry.md');
    expect((await captured(() => runLocalSend(ctx, options))).code).toBe(0);
    ferry = await newest();
    expect(ferry).toMatchObject({ state: 'sent', articleFiles: ['harbour-ferry.md'], counts: { sent: 2 } });
  });

  it('an edited copy of a sent article (same front-matter URL, new text) is not news', async () => {
    await rm(join(ws.seeds, 'harbour-ferry.md'));
    await addFixture('harbour-ferry-corrected.md');
    const run = await captured(() => runLocalSend(ctx, options));
    expect(run.out).toContain(`Nothing to send: no new articles since issue ${ferry.issueId}`);
    expect((await issues()).map((i) => i.issueId)).toEqual([ferry.issueId, first.issueId]);
    expect(await inbox()).toHaveLength(4);
  });

  let library: IssueRecord;

  it('a recipient SES rejects leaves the issue partial', async () => {
    await addFixture('library-hours.txt');
    proxy.plan.reject = ['ben@example.org'];
    const run = await captured(() => runLocalSend(ctx, options));
    expect(run.code).toBe(1);
    expect(run.err).toContain(`re-run \`digest send --issue`);
    library = await newest();
    expect(library).toMatchObject({
      state: 'partial',
      articleFiles: ['library-hours.txt'],
      counts: { sent: 1, failed: 1 },
    });
    expect(mailTo(await inbox(), 'ben@example.org')).toHaveLength(2);
  });

  it('the next run completes the partial issue and adds nothing, not even an article added meanwhile', async () => {
    await addFixture('market-square.txt');
    proxy.plan.reject = [];
    const run = await captured(() => runLocalSend(ctx, options));
    expect(run.code).toBe(0);
    expect(run.out).toContain(`Issue ${library.issueId} (resumed): 1 article(s)`);
    const after = await ctx.stores.issues.get(library.issueId);
    expect(after).toMatchObject({ state: 'sent', counts: { sent: 1, skipped: 1, failed: 0 } });
    expect(after?.articleHashes).toEqual(library.articleHashes);
    expect(after?.articleFiles).toEqual(['library-hours.txt']);
    expect((await issues()).length).toBe(3);
    const ben = mailTo(await inbox(), 'ben@example.org').filter((m) => m.subject === library.subject);
    expect(ben).toHaveLength(1);
    expect(ben[0]?.body.html).toContain('Varga');
    expect(ben[0]?.body.html).not.toContain('Okafor');
    // Ana had it already: not a second copy.
    expect(
      mailTo(await inbox(), 'ana@example.org').filter((m) => m.subject === library.subject),
    ).toHaveLength(1);
  });

  let market: IssueRecord;

  it('`digest send --issue ID` completes a partial issue the same way', async () => {
    proxy.plan.reject = ['ana@example.org'];
    expect((await captured(() => runLocalSend(ctx, options))).code).toBe(1);
    market = await newest();
    expect(market).toMatchObject({ state: 'partial', articleFiles: ['market-square.txt'] });
    proxy.plan.reject = [];

    const run = await captured(() => runCli(['send', '--issue', market.issueId]));
    expect(run.code).toBe(0);
    expect(run.out).toContain(`Issue ${market.issueId} (rerun): 1 article(s)`);
    const after = await ctx.stores.issues.get(market.issueId);
    expect(after).toMatchObject({ state: 'sent', articleHashes: market.articleHashes });
    const ana = mailTo(await inbox(), 'ana@example.org').filter((m) => m.subject === market.subject);
    expect(ana).toHaveLength(1);
    expect(ana[0]?.body.html).toContain('Okafor');
    expect(ana[0]?.body.html).not.toContain('Varga');
  });

  it('an unknown --issue ID is a clear error, a non-zero exit, and changes nothing', async () => {
    const before = { issues: await issues(), mail: (await inbox()).length };
    // Not even the form of an id: a usage error before anything is read.
    const run = await captured(() => runCli(['send', '--issue', 'nope']));
    expect(run.code).toBe(2);
    expect(run.err).toContain('digest: --issue "nope" is not an issue id');
    // A well-formed id that does not exist names the recent ones.
    const other = await captured(() => runCli(['send', '--issue', '2020-01-01-00000000']));
    expect(other.code).toBe(1);
    expect(other.err).toContain('no issue with id "2020-01-01-00000000"');
    expect(other.err).toContain(`recent issues: ${market.issueId}, ${library.issueId}`);
    expect(await issues()).toEqual(before.issues);
    expect(await inbox()).toHaveLength(before.mail);
  });

  it('--include-sent builds an issue from all articles on purpose', async () => {
    const before = (await issues()).length;
    const run = await captured(() => runLocalSend(ctx, { ...options, includeSent: true }));
    expect(run.code).toBe(0);
    const all = await newest();
    expect((await issues()).length).toBe(before + 1);
    expect([...all.articleFiles].sort()).toEqual([
      SEED,
      'harbour-ferry-corrected.md',
      'library-hours.txt',
      'market-square.txt',
    ]);
    expect(all.articleHashes).toEqual(
      expect.arrayContaining([...first.articleHashes, ...library.articleHashes]),
    );
  });
});
