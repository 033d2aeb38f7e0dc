import { randomUUID } from 'node:crypto';
import { copyFile, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureTables } from '../../../functions/adapters/dynamo/tables.ts';
import type { IssueRecord } from '../../../functions/core/model.ts';
import type { RecipientMessage, RecipientQueue } from '../../../functions/core/ports.ts';
import { makeDigestHandler } from '../../../functions/handlers/digest.ts';
import { makeSendHandler } from '../../../functions/handlers/send.ts';
import { type LocalEngines, startLocalEngines } from '../../../functions/local/engines.ts';
import { createRuntime, type Runtime } from '../../../functions/wiring/runtime.ts';
import { tableNames } from '../../../functions/wiring/settings.ts';
import { cli } from '../../helpers/cli.ts';
import { emulatorStore, tempWorkspace } from '../../helpers/workspace.ts';

/**
 * Each issue carries only news, through the real CLI (`runCli` with raw argv) and the real digest
 * and send handlers, on dynalite and the SES emulator: the seed goes out once, a run with nothing
 * new says why, an added article goes out alone, `--issue` never mixes in new articles, and a
 * partial issue is completed (CLI and queue) without adding anything.
 */
const FIXTURES = join(import.meta.dirname, '../../fixtures', 'articles');
const SEED = '000_c2d1d5eb466be413.txt';
const FERRY_TITLE = 'Night ferry returns to the harbour after a two-year pause';

class CollectingQueue implements RecipientQueue {
  messages: RecipientMessage[] = [];
  async enqueue(messages: RecipientMessage[]) {
    this.messages.push(...messages);
    return messages.length;
  }
}

const recordTemplate = JSON.parse(
  await readFile(join(import.meta.dirname, '../../fixtures/sqs/record.json'), 'utf8'),
) as SQSRecord;
const sqsEvent = (messages: RecipientMessage[]): SQSEvent => ({
  Records: messages.map((m) => ({ ...recordTemplate, messageId: randomUUID(), body: JSON.stringify(m) })),
});

let ws: Awaited<ReturnType<typeof tempWorkspace>>;
let engines: LocalEngines;
let rt: Runtime;
const savedEnv = { ...process.env };

async function subscribe(email: string) {
  const now = new Date().toISOString();
  await rt.stores.subscribers.create({
    email,
    id: randomUUID(),
    status: 'confirmed',
    createdAt: now,
    updatedAt: now,
  });
}
const mailTo = async (email: string) =>
  (await emulatorStore(engines.sesEndpoint)).filter((m) => m.destination.to[0] === email);

beforeAll(async () => {
  ws = await tempWorkspace();
  Object.assign(process.env, ws.env);
  // Engines started here are shared by every CLI run below (their endpoints are in process.env).
  engines = await startLocalEngines();
  rt = createRuntime(process.env);
  await ensureTables(rt.clients.dynamodb, tableNames(rt.config));
  await subscribe('ada@example.com');
  await subscribe('bo@example.com');
});
afterAll(async () => {
  await engines?.stop();
  for (const key of Object.keys(process.env)) if (!(key in savedEnv)) delete process.env[key];
  Object.assign(process.env, savedEnv);
  await ws?.cleanup();
});

describe('each issue carries only news', () => {
  let first: IssueRecord;
  let ferry: IssueRecord;

  it('a first run sends the seed article', async () => {
    const r = await cli('send');
    expect(r.stderr).not.toMatch(/unexpected error/);
    expect(r.code).toBe(0);
    const issues = await rt.stores.issues.list();
    expect(issues).toHaveLength(1);
    first = issues[0] as IssueRecord;
    expect(first).toMatchObject({ state: 'sent', articleFiles: [SEED] });
    expect(r.stdout).toContain(`Issue ${first.issueId} (new): 1 article(s)`);
    expect(await mailTo('ada@example.com')).toHaveLength(1);
    expect((await mailTo('bo@example.com'))[0]?.body.html).toContain('Xie Zhenhua');
  });

  it('a second run with no new article sends nothing and says why (CLI and digest function)', async () => {
    const before = (await emulatorStore(engines.sesEndpoint)).length;
    const r = await cli('send');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      new RegExp(
        `Nothing to send: no new articles since issue ${first.issueId}: all 1 article\\(s\\) went out already`,
      ),
    );
    expect(r.stdout).toMatch(/0 messages sent/);

    const queue = new CollectingQueue();
    const result = await makeDigestHandler(rt, queue)({});
    expect(result).toMatchObject({ status: 'nothing-new' });
    expect(result.message).toMatch(/no new articles since issue/);
    expect(queue.messages).toEqual([]);
    expect(await rt.stores.issues.list()).toHaveLength(1);
    expect(await emulatorStore(engines.sesEndpoint)).toHaveLength(before);
  });

  it('articles list shows the seed with the issue it went out in', async () => {
    const r = await cli('articles', 'list');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`${SEED}`);
    expect(r.stdout).toContain(`${SEED}: went out in issue ${first.issueId} (sent)`);
  });

  it('articles add: broken front matter is refused with file and line, nothing is copied', async () => {
    const r = await cli('articles', 'add', join(FIXTURES, 'broken-front-matter.md'));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/broken-front-matter\.md:3: broken front matter/);
    expect(await readdir(ws.seeds)).toEqual([SEED]);
  });

  it('articles add copies a new article in; a same-URL edit and a same-text copy are refused', async () => {
    const added = await cli('articles', 'add', join(FIXTURES, 'harbour-ferry.md'));
    expect(added.stderr).toBe('');
    expect(added.code).toBe(0);
    expect(added.stdout).toContain(`Added harbour-ferry.md to ${ws.seeds}`);
    expect(await readFile(join(ws.seeds, 'harbour-ferry.md'), 'utf8')).toBe(
      await readFile(join(FIXTURES, 'harbour-ferry.md'), 'utf8'),
    );

    const sameUrl = await cli('articles', 'add', join(FIXTURES, 'harbour-ferry-corrected.md'));
    expect(sameUrl.code).toBe(1);
    expect(sameUrl.stderr).toMatch(
      /harbour-ferry-corrected\.md was not added: harbour-ferry\.md already has the same URL/,
    );

    const sameText = await cli('articles', 'add', join(ws.seeds, SEED), '--as', 'copy-of-seed.txt');
    expect(sameText.code).toBe(1);
    expect(sameText.stderr).toMatch(/copy-of-seed\.txt was not added: it is the same article as 000_/);

    const sameName = await cli(
      'articles',
      'add',
      join(FIXTURES, 'library-hours.txt'),
      '--as',
      'harbour-ferry.md',
    );
    expect(sameName.code).toBe(1);
    expect(sameName.stderr).toMatch(/a different file with that name is already in/);
    expect((await readdir(ws.seeds)).sort()).toEqual([SEED, 'harbour-ferry.md']);

    const list = await cli('articles', 'list');
    expect(list.stdout).toContain(`harbour-ferry.md: not sent yet — “${FERRY_TITLE}”`);
  });

  it('the next run carries the added article alone', async () => {
    const r = await cli('send');
    expect(r.code).toBe(0);
    const issues = await rt.stores.issues.list();
    expect(issues).toHaveLength(2);
    ferry = issues.find((i) => i.issueId !== first.issueId) as IssueRecord;
    expect(ferry).toMatchObject({
      state: 'sent',
      articleFiles: ['harbour-ferry.md'],
      articleTitles: [FERRY_TITLE],
    });
    const mail = await mailTo('ada@example.com');
    expect(mail).toHaveLength(2);
    expect(mail[1]?.subject).toContain(FERRY_TITLE);
    expect(mail[1]?.body.html).toContain('Marram');
    expect(mail[1]?.body.html).not.toContain('Xie Zhenhua');
  });

  it('--issue ID re-runs that issue and never mixes in new articles', async () => {
    await copyFile(join(FIXTURES, 'library-hours.txt'), join(ws.seeds, 'library-hours.txt'));
    await subscribe('cy@example.com');
    const r = await cli('send', '--issue', first.issueId);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Issue ${first.issueId} (rerun): 1 article(s)`);
    expect(await rt.stores.issues.list()).toHaveLength(2);
    const mail = await mailTo('cy@example.com');
    expect(mail).toHaveLength(1);
    expect(mail[0]?.body.html).toContain('Xie Zhenhua');
    expect(mail[0]?.body.html).not.toMatch(/library|Marram/i);
    // The others had it already: nothing twice.
    expect(await mailTo('ada@example.com')).toHaveLength(2);
  });

  it('a plain run completes a partial issue first, without adding the new article', async () => {
    // The ferry issue ends partial (one recipient failed), and a new subscriber joined since.
    await rt.stores.issues.setState(ferry.issueId, 'partial', {
      recipients: 2,
      sent: 1,
      skipped: 0,
      suppressed: 0,
      failed: 1,
      unknown: 0,
    });
    await subscribe('di@example.com');
    const r = await cli('send');
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`resuming unfinished issue ${ferry.issueId} (state: partial)`);
    expect(r.stdout).toContain(`Issue ${ferry.issueId} (resumed): 1 article(s)`);
    const after = await rt.stores.issues.get(ferry.issueId);
    expect(after).toMatchObject({ state: 'sent', articleFiles: ['harbour-ferry.md'] });
    expect(await rt.stores.issues.list()).toHaveLength(2);
    const mail = await mailTo('di@example.com');
    expect(mail).toHaveLength(1);
    expect(mail[0]?.subject).toContain(FERRY_TITLE);
    expect(mail[0]?.body.html).not.toMatch(/library/i);
  });

  it('the digest function completes a partial issue through the queue, without adding anything', async () => {
    await rt.stores.issues.setState(ferry.issueId, 'partial');
    await subscribe('eve@example.com');
    const queue = new CollectingQueue();
    const result = await makeDigestHandler(rt, queue)({});
    expect(result).toMatchObject({ status: 'queued', issueId: ferry.issueId });
    expect(await rt.stores.issues.list()).toHaveLength(2);
    const response = await makeSendHandler(rt)(sqsEvent(queue.messages));
    expect(response.batchItemFailures).toEqual([]);
    const after = await rt.stores.issues.get(ferry.issueId);
    expect(after?.state).toBe('sent');
    expect(after?.counts).toMatchObject({ sent: 1, skipped: queue.messages.length - 1 });
    expect(await mailTo('eve@example.com')).toHaveLength(1);
  });

  it('broken front matter in seeds is reported by name and line and skipped; the run goes on', async () => {
    await copyFile(join(FIXTURES, 'broken-front-matter.md'), join(ws.seeds, 'broken-front-matter.md'));
    const r = await cli('send');
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/skipped article broken-front-matter\.md: line 3: broken front matter/);
    const issues = await rt.stores.issues.list();
    expect(issues).toHaveLength(3);
    expect(issues[0]).toMatchObject({ state: 'sent', articleFiles: ['library-hours.txt'] });

    const list = await cli('articles', 'list');
    expect(list.stdout).toMatch(/broken-front-matter\.md: skipped, line 3: broken front matter/);
    expect(list.stdout).toContain(`library-hours.txt: went out in issue ${issues[0]?.issueId} (sent)`);
  });
});
