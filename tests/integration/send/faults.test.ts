import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SendingHaltedError } from '../../../functions/core/errors.ts';
import { type PreparedIssue, prepareIssue } from '../../../functions/core/issue/prepare.ts';
import type { SubscriberStatus } from '../../../functions/core/model.ts';
import { sendToSubscribers } from '../../../functions/core/send/fan-out.ts';
import { makeLimiter } from '../../../functions/core/send/rate-limiter.ts';
import { type LocalContext, openLocalContext } from '../../../functions/local/context.ts';
import { type LocalEngines, startLocalEngines } from '../../../functions/local/engines.ts';
import { type FaultProxy, startFaultProxy } from '../../../functions/local/fault-proxy.ts';
import { emulatorStore, tempWorkspace } from '../../helpers/workspace.ts';

/**
 * Sending through a proxy that throttles 30% of SendRawEmail calls, answers some with 500 and
 * resets some connections before the emulator sees them: every confirmed subscriber still gets
 * exactly one copy, and suppressed ones none.
 */
let engines: LocalEngines;
let proxy: FaultProxy;
let ctx: LocalContext;
let ws: Awaited<ReturnType<typeof tempWorkspace>>;
const emulator = () => engines.sesEndpoint;

const CONFIRMED = Array.from({ length: 40 }, (_, i) => `reader${String(i).padStart(2, '0')}@example.com`);
const SUPPRESSED: [string, SubscriberStatus][] = [
  ['left1@example.com', 'unsubscribed'],
  ['left2@example.com', 'unsubscribed'],
  ['bounced1@example.com', 'bounced'],
  ['bounced2@example.com', 'bounced'],
  ['complained@example.com', 'complained'],
];
const fastRetry = { retries: 15, minTimeoutMs: 2, maxTimeoutMs: 40 };

beforeAll(async () => {
  engines = await startLocalEngines();
  proxy = await startFaultProxy(engines.sesEndpoint, {
    throttle: 0.3,
    serverError: 0.08,
    reset: 0.07,
    seed: 7,
  });
  // Every SES call of the pipeline goes through the proxy from here on.
  process.env.AWS_ENDPOINT_URL_SES = proxy.url;
  process.env.AWS_ENDPOINT_URL_SESV2 = proxy.url;
  ws = await tempWorkspace();
  ctx = await openLocalContext(ws.config, { inMemory: true, onEvent: () => {} });
  const now = new Date().toISOString();
  const all: [string, SubscriberStatus][] = [
    ...CONFIRMED.map((e) => [e, 'confirmed'] as [string, SubscriberStatus]),
    ...SUPPRESSED,
  ];
  for (const [email, status] of all) {
    await ctx.stores.subscribers.create({ email, id: randomUUID(), status, createdAt: now, updatedAt: now });
  }
});
afterAll(async () => {
  await ctx?.close();
  await proxy?.close();
  process.env.AWS_ENDPOINT_URL_SES = engines?.sesEndpoint;
  await engines?.stop();
  await ws?.cleanup();
});
beforeEach(async () => {
  await fetch(`${emulator()}/clear-store`, { method: 'POST' });
});

async function freshIssue(): Promise<PreparedIssue> {
  const prepared = await prepareIssue(ctx.deps, { includeSent: true });
  if (prepared.kind !== 'ready') throw new Error(prepared.reason);
  return prepared;
}

function copiesByRecipient(emails: { destination: { to: string[] } }[]) {
  const counts = new Map<string, number>();
  for (const m of emails) for (const to of m.destination.to) counts.set(to, (counts.get(to) ?? 0) + 1);
  return counts;
}

describe('delivery under faults', () => {
  it('throttling, 500s and resets: exactly one copy each, none for suppressed', async () => {
    const issue = await freshIssue();
    const report = await sendToSubscribers(ctx.deps, issue, {
      concurrency: 8,
      limiter: makeLimiter(1000),
      retry: fastRetry,
    });
    expect(proxy.stats.throttled).toBeGreaterThan(0);
    expect(proxy.stats.serverErrors).toBeGreaterThan(0);
    expect(proxy.stats.resets).toBeGreaterThan(0);
    expect(report).toMatchObject({ sent: 40, failed: 0, unknown: 0, suppressed: 0, state: 'sent' });

    const copies = copiesByRecipient(await emulatorStore(emulator()));
    for (const email of CONFIRMED) expect(copies.get(email), email).toBe(1);
    for (const [email] of SUPPRESSED) expect(copies.has(email), email).toBe(false);

    // Running the same issue again sends nothing more.
    const again = await sendToSubscribers(ctx.deps, issue, {
      concurrency: 8,
      limiter: makeLimiter(1000),
      retry: fastRetry,
    });
    expect(again).toMatchObject({ sent: 0, skipped: 40 });
    expect((await emulatorStore(emulator())).length).toBe(40);
  });

  it('a permanent rejection is recorded as failed, not retried, and retried by the next run', async () => {
    proxy.plan.reject = ['reader03@example.com'];
    const issue = await freshIssue();
    const report = await sendToSubscribers(ctx.deps, issue, {
      concurrency: 8,
      limiter: makeLimiter(1000),
      retry: fastRetry,
    });
    expect(report).toMatchObject({ sent: 39, failed: 1, state: 'partial' });
    expect(proxy.stats.rejected).toBe(1);
    expect(await ctx.stores.deliveries.get(issue.issue.issueId, 'reader03@example.com')).toMatchObject({
      state: 'failed',
      error: expect.stringMatching(/MessageRejected/),
    });
    expect((await ctx.stores.issues.get(issue.issue.issueId))?.state).toBe('partial');

    proxy.plan.reject = [];
    const rerun = await sendToSubscribers(ctx.deps, issue, {
      concurrency: 8,
      limiter: makeLimiter(1000),
      retry: fastRetry,
    });
    expect(rerun).toMatchObject({ sent: 1, skipped: 39, failed: 0, state: 'sent' });
    const copies = copiesByRecipient(await emulatorStore(emulator()));
    expect(copies.get('reader03@example.com')).toBe(1);
  });

  it('throttling beyond the retry bound is reported as failed, never dropped silently', async () => {
    const saved = proxy.plan.throttle;
    proxy.plan.throttle = 1;
    try {
      const issue = await freshIssue();
      const report = await sendToSubscribers(ctx.deps, issue, {
        concurrency: 8,
        limiter: makeLimiter(1000),
        retry: { retries: 2, minTimeoutMs: 1, maxTimeoutMs: 2 },
      });
      expect(report).toMatchObject({ sent: 0, failed: 40, state: 'partial' });
      expect(await emulatorStore(emulator())).toHaveLength(0);
    } finally {
      proxy.plan.throttle = saved;
    }
  });

  it('a paused account stops the whole run at once with a clear message', async () => {
    proxy.plan.paused = true;
    try {
      const issue = await freshIssue();
      const run = sendToSubscribers(ctx.deps, issue, {
        concurrency: 2,
        limiter: makeLimiter(1000),
        retry: fastRetry,
      });
      await expect(run).rejects.toBeInstanceOf(SendingHaltedError);
      await expect(run).rejects.toThrow(/sending is paused/);
      expect(await emulatorStore(emulator())).toHaveLength(0);
      const issueRecord = await ctx.stores.issues.get(issue.issue.issueId);
      expect(issueRecord?.state).toBe('partial');
      // Only the calls already in flight were attempted: far fewer than the list.
      expect(issueRecord?.counts?.recipients ?? 0).toBeLessThanOrEqual(2);
    } finally {
      proxy.plan.paused = false;
    }
  });
});
