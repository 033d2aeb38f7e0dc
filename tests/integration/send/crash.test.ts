import { type ChildProcess, spawn } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeClients } from '../../../functions/adapters/clients.ts';
import { DynamoDeliveryStore } from '../../../functions/adapters/dynamo/delivery-store.ts';
import { DynamoIssueStore } from '../../../functions/adapters/dynamo/issue-store.ts';
import { ensureTables } from '../../../functions/adapters/dynamo/tables.ts';
import { type LocalEngines, startLocalEngines } from '../../../functions/local/engines.ts';
import { tableNames } from '../../../functions/wiring/settings.ts';
import { seedSubscribers } from '../../helpers/seed.ts';
import { emulatorStore, REPO, tempWorkspace } from '../../helpers/workspace.ts';

/**
 * kill -9 of a sending process part way through 2,000 recipients, then the same issue again:
 * nobody holds two copies, everyone without a copy is reported as unknown (at most the send
 * concurrency), and --retry-unknown reaches them.
 */
const SUBSCRIBERS = 2000;
const CONCURRENCY = 8;

let engines: LocalEngines;
let ws: Awaited<ReturnType<typeof tempWorkspace>>;
let clients: ReturnType<typeof makeClients>;
let childEnv: NodeJS.ProcessEnv;

beforeAll(async () => {
  // The engines live in the test process, so their data outlives the killed child.
  engines = await startLocalEngines();
  ws = await tempWorkspace({
    env: { DIGEST_SEND_RATE: '2000', DIGEST_SEND_CONCURRENCY: String(CONCURRENCY) },
  });
  clients = makeClients('us-east-1');
  await ensureTables(clients.dynamodb, tableNames(ws.config));
  await seedSubscribers(clients.ddb, ws.config.SUBSCRIBERS_TABLE, SUBSCRIBERS);
  childEnv = { ...process.env, ...ws.env, CI: '1', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
}, 120_000);
afterAll(async () => {
  clients?.dynamodb.destroy();
  await engines?.stop();
  await ws?.cleanup();
});

function digest(args: string[]): {
  child: ChildProcess;
  done: Promise<{ code: number | null; stdout: string }>;
} {
  const child = spawn(process.execPath, [join(REPO, 'bin', 'digest.mjs'), ...args], {
    cwd: REPO,
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  child.stdout?.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr?.resume();
  const done = new Promise<{ code: number | null; stdout: string }>((resolve) =>
    child.on('exit', (code) => resolve({ code, stdout })),
  );
  return { child, done };
}

const copies = async () => {
  const counts = new Map<string, number>();
  for (const m of await emulatorStore(engines.sesEndpoint)) {
    for (const to of m.destination.to) counts.set(to, (counts.get(to) ?? 0) + 1);
  }
  return counts;
};

describe('crash in the middle of a send', () => {
  let issueId: string;
  let unknown: Set<string>;

  it('kill -9 part way, then the same issue again: no duplicates, the gap is reported as unknown', async () => {
    const first = digest(['send']);
    // Wait until a quarter of the list has been attempted, then kill without warning.
    const deadline = Date.now() + 60_000;
    for (;;) {
      const outDir = ws.config.DIGEST_OUT_DIR;
      const issues = await readdir(outDir).catch(() => [] as string[]);
      const messages = issues[0] ? await readdir(join(outDir, issues[0], 'messages')).catch(() => []) : [];
      if (messages.length >= SUBSCRIBERS / 4) break;
      if (Date.now() > deadline) throw new Error('the first send never got going');
      await new Promise((r) => setTimeout(r, 20));
    }
    first.child.kill('SIGKILL');
    await first.done;

    const afterCrash = await copies();
    expect(afterCrash.size).toBeGreaterThan(0);
    expect(afterCrash.size).toBeLessThan(SUBSCRIBERS);

    const second = await digest(['send']).done;
    expect(second.stdout).toMatch(/resum|Issue .* \(resumed\)/i);
    const reported = Number(/(\d+) unknown/.exec(second.stdout)?.[1]);
    const afterRerun = await copies();
    expect([...afterRerun.values()].every((n) => n === 1)).toBe(true);

    const [issue] = await new DynamoIssueStore(clients.ddb, ws.config.ISSUES_TABLE).list();
    issueId = issue?.issueId ?? '';
    unknown = new Set<string>();
    const deliveries = new DynamoDeliveryStore(clients.ddb, ws.config.DELIVERIES_TABLE, 90);
    for await (const page of deliveries.pagesByState(issueId, 'sending'))
      for (const r of page) unknown.add(r.email);

    const missing = Array.from({ length: SUBSCRIBERS }, (_, i) => `reader${i}@example.com`).filter(
      (e) => !afterRerun.has(e),
    );
    expect(reported).toBe(unknown.size);
    expect(unknown.size).toBeLessThanOrEqual(CONCURRENCY);
    for (const email of missing) expect(unknown.has(email), email).toBe(true);
    expect(second.code).toBe(unknown.size > 0 ? 1 : 0);
    expect(issue?.state).toBe(unknown.size > 0 ? 'partial' : 'sent');
  }, 120_000);

  it('--retry-unknown reaches everyone left; only an unknown one can hold a second copy', async () => {
    const third = await digest(['send', '--issue', issueId, '--retry-unknown']).done;
    expect(third.code).toBe(0);
    const final = await copies();
    for (let i = 0; i < SUBSCRIBERS; i++)
      expect(final.get(`reader${i}@example.com`) ?? 0).toBeGreaterThanOrEqual(1);
    // A crash between SES accepting a message and the record saying so is exactly the case
    // --retry-unknown trades a possible duplicate for: no one else may have two.
    for (const [email, n] of final) if (n > 1) expect(unknown.has(email), email).toBe(true);
  }, 120_000);
});
