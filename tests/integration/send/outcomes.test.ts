import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DynamoRecipientLookup } from '../../../functions/adapters/dynamo/delivery-store.ts';
import { classifySesError, SesSender } from '../../../functions/adapters/ses-sender.ts';
import { SendingHaltedError } from '../../../functions/core/errors.ts';
import { type PreparedIssue, prepareIssue } from '../../../functions/core/issue/prepare.ts';
import type { DeliveryStore } from '../../../functions/core/ports.ts';
import type { Outcome } from '../../../functions/core/send/deliver.ts';
import { sendToSubscribers } from '../../../functions/core/send/fan-out.ts';
import { makeLimiter } from '../../../functions/core/send/rate-limiter.ts';
import { type LocalContext, openLocalContext } from '../../../functions/local/context.ts';
import { type LocalEngines, startLocalEngines } from '../../../functions/local/engines.ts';
import { type FaultProxy, startFaultProxy } from '../../../functions/local/fault-proxy.ts';
import { emulatorStore, tempWorkspace } from '../../helpers/workspace.ts';

/**
 * The outcomes the send path must get right besides the happy one: a call SES took but never
 * answered, the daily quota running out, the delivery record failing to update after SES accepted,
 * and failures before the SES call. All through the real emulator (behind the fault proxy, without
 * random faults here) and dynalite.
 */
let engines: LocalEngines;
let proxy: FaultProxy;
let ctx: LocalContext;
let ws: Awaited<ReturnType<typeof tempWorkspace>>;

const READERS = Array.from({ length: 12 }, (_, i) => `reader${String(i).padStart(2, '0')}@example.com`);
const fastRetry = { retries: 3, minTimeoutMs: 1, maxTimeoutMs: 5 };
// Through the batch reads the CLI uses (the fault tests go through the one-by-one reads).
const run = (prepared: PreparedIssue, extra: Partial<Parameters<typeof sendToSubscribers>[2]> = {}) =>
  sendToSubscribers(ctx.deps, prepared, {
    concurrency: 4,
    limiter: makeLimiter(1000),
    retry: fastRetry,
    lookup: new DynamoRecipientLookup(ctx.clients.ddb, ctx.config.SUBSCRIBERS_TABLE),
    ...extra,
  });

beforeAll(async () => {
  engines = await startLocalEngines();
  proxy = await startFaultProxy(engines.sesEndpoint, { throttle: 0, serverError: 0, reset: 0 });
  process.env.AWS_ENDPOINT_URL_SES = proxy.url;
  process.env.AWS_ENDPOINT_URL_SESV2 = proxy.url;
  ws = await tempWorkspace();
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
beforeEach(async () => {
  await fetch(`${engines.sesEndpoint}/clear-store`, { method: 'POST' });
  proxy.calls.length = 0;
  proxy.plan.hang = [];
  proxy.plan.quotaAfter = undefined;
});

async function freshIssue(): Promise<PreparedIssue> {
  const prepared = await prepareIssue(ctx.deps, { includeSent: true });
  if (prepared.kind !== 'ready') throw new Error(prepared.reason);
  return prepared;
}

async function copies(): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const m of await emulatorStore(engines.sesEndpoint))
    for (const to of m.destination.to) counts.set(to, (counts.get(to) ?? 0) + 1);
  return counts;
}

describe('classifying SES errors', () => {
  const err = (name: string, extra: Record<string, unknown> = {}) =>
    Object.assign(new Error('x'), { name, ...extra });
  it('retries throttling, 5xx and connection failures; a timeout is unknown; rejections are permanent', () => {
    expect(classifySesError(err('Throttling')).kind).toBe('retryable');
    expect(classifySesError(err('InternalFailure', { $metadata: { httpStatusCode: 500 } })).kind).toBe(
      'retryable',
    );
    expect(classifySesError(err('Error', { code: 'ECONNRESET' })).kind).toBe('retryable');
    expect(classifySesError(err('Error', { code: 'ECONNREFUSED' })).kind).toBe('retryable');
    expect(classifySesError(err('TimeoutError')).kind).toBe('unknown');
    expect(classifySesError(err('AbortError')).kind).toBe('unknown');
    expect(classifySesError(err('Error', { code: 'ETIMEDOUT' })).kind).toBe('unknown');
    expect(classifySesError(err('MessageRejected', { $metadata: { httpStatusCode: 400 } })).kind).toBe(
      'permanent',
    );
    expect(classifySesError(err('AccountSendingPausedException')).kind).toBe('paused');
    expect(
      classifySesError(Object.assign(err('Throttling'), { message: 'Daily message quota exceeded.' })).kind,
    ).toBe('quota');
    // Something nobody recognises is not retried blindly.
    expect(classifySesError(new Error('strange')).kind).toBe('unknown');
  });
});

describe('send outcomes', () => {
  it('tags every message with the issue id and the subscriber id', async () => {
    const prepared = await freshIssue();
    const report = await run(prepared);
    expect(report).toMatchObject({ sent: READERS.length, failed: 0 });
    expect(proxy.calls).toHaveLength(READERS.length);
    for (const call of proxy.calls) {
      const subscriber = await ctx.stores.subscribers.get(call.to);
      expect(call.tags).toEqual({
        issue: prepared.issue.issueId.replace(/[^A-Za-z0-9_-]/g, '_'),
        subscriber: subscriber?.id,
      });
    }
  });

  it('a call SES took but never answered is unknown: not resent, until --retry-unknown', async () => {
    proxy.plan.hang = ['reader04@example.com'];
    const prepared = await freshIssue();
    const notices: string[] = [];
    const sender = new SesSender(ctx.clients.ses, ctx.clients.sesv2, 400);
    const first = await sendToSubscribers({ ...ctx.deps, sender }, prepared, {
      concurrency: 4,
      limiter: makeLimiter(1000),
      retry: fastRetry,
      onNotice: (email, message) => notices.push(`${email}: ${message}`),
    });
    expect(first).toMatchObject({ sent: READERS.length - 1, unknown: 1, failed: 0, state: 'partial' });
    expect(notices.join('\n')).toMatch(/reader04@example\.com: result unknown, not resent/);
    // SES (the emulator) did take it, exactly once: a blind retry would have sent a second copy.
    expect((await copies()).get('reader04@example.com')).toBe(1);
    expect(proxy.calls.filter((c) => c.to === 'reader04@example.com')).toHaveLength(1);
    expect(await ctx.stores.deliveries.get(prepared.issue.issueId, 'reader04@example.com')).toMatchObject({
      state: 'sending',
    });

    // A plain re-run reports it again and sends nothing.
    proxy.plan.hang = [];
    const again = await run(prepared);
    expect(again).toMatchObject({ sent: 0, skipped: READERS.length - 1, unknown: 1 });
    expect((await copies()).get('reader04@example.com')).toBe(1);

    // Only the explicit choice resends; here that makes the second copy the README warns about.
    const retried = await run(prepared, { retryUnknown: true });
    expect(retried).toMatchObject({ sent: 1, skipped: READERS.length - 1, unknown: 0, state: 'sent' });
    expect((await copies()).get('reader04@example.com')).toBe(2);
    expect(await ctx.stores.deliveries.get(prepared.issue.issueId, 'reader04@example.com')).toMatchObject({
      state: 'sent',
      attempts: 2,
    });
  });

  it('the daily quota running out stops the run cleanly, and the next run resumes the issue', async () => {
    // The proxy counts every send it let through since it started: five more, then the quota is gone.
    proxy.plan.quotaAfter = proxy.stats.forwarded + proxy.stats.hung + 5;
    const prepared = await freshIssue();
    const halted = run(prepared, { concurrency: 1 });
    await expect(halted).rejects.toBeInstanceOf(SendingHaltedError);
    await expect(halted).rejects.toThrow(
      /daily sending quota is used up: stopped after 5 sent; the next run resumes/,
    );
    expect((await emulatorStore(engines.sesEndpoint)).length).toBe(5);
    // The quota answer is not retried.
    expect(proxy.calls.filter((c) => c.answer === 'quota')).toHaveLength(1);
    expect((await ctx.stores.issues.get(prepared.issue.issueId))?.state).toBe('partial');

    proxy.plan.quotaAfter = undefined;
    const resumed = await prepareIssue(ctx.deps);
    if (resumed.kind !== 'ready') throw new Error(resumed.reason);
    expect(resumed.issue.issueId).toBe(prepared.issue.issueId);
    expect(resumed.origin).toBe('resumed');
    const report = await run(resumed);
    expect(report).toMatchObject({ sent: READERS.length - 5, skipped: 5, failed: 0, state: 'sent' });
    const counts = await copies();
    for (const email of READERS) expect(counts.get(email), email).toBe(1);
  });

  it('SES accepted but the record could not be updated: unknown, never marked failed, never resent', async () => {
    const prepared = await freshIssue();
    const broken: DeliveryStore = {
      ...bind(ctx.stores.deliveries),
      markSent: async (issueId, email, messageId) => {
        if (email === 'reader07@example.com') throw new Error('ProvisionedThroughputExceededException');
        return ctx.stores.deliveries.markSent(issueId, email, messageId);
      },
    };
    const notices: string[] = [];
    const report = await sendToSubscribers({ ...ctx.deps, deliveries: broken }, prepared, {
      concurrency: 4,
      limiter: makeLimiter(1000),
      retry: fastRetry,
      onNotice: (email, message) => notices.push(`${email}: ${message}`),
    });
    expect(report).toMatchObject({ sent: READERS.length - 1, unknown: 1, failed: 0 });
    expect(notices.join('\n')).toMatch(
      /reader07@example\.com: SES accepted it \(message id .+\) but the delivery record/,
    );
    expect(await ctx.stores.deliveries.get(prepared.issue.issueId, 'reader07@example.com')).toMatchObject({
      state: 'sending',
    });
    const again = await run(prepared);
    expect(again).toMatchObject({ sent: 0, unknown: 1 });
    expect((await copies()).get('reader07@example.com')).toBe(1);
  });

  it('a failure before the SES call is recorded failed (safe to retry), and the next run sends it once', async () => {
    const prepared = await freshIssue();
    const outcomes = new Map<string, Outcome>();
    const first = await run(prepared, {
      onRawMessage: async (email) => {
        if (email === 'reader02@example.com') throw new Error('disk full');
      },
      onOutcome: (email, outcome) => outcomes.set(email, outcome),
    });
    expect(first).toMatchObject({ sent: READERS.length - 1, failed: 1, unknown: 0, state: 'partial' });
    expect(outcomes.get('reader02@example.com')).toBe('failed');
    expect(await ctx.stores.deliveries.get(prepared.issue.issueId, 'reader02@example.com')).toMatchObject({
      state: 'failed',
      error: expect.stringMatching(/before sending: disk full/),
    });
    expect((await copies()).has('reader02@example.com')).toBe(false);

    const second = await run(prepared);
    expect(second).toMatchObject({ sent: 1, skipped: READERS.length - 1, state: 'sent' });
    expect((await copies()).get('reader02@example.com')).toBe(1);
  });

  it('suppression is read right before each recipient turn, not when the list was paged', async () => {
    const prepared = await freshIssue();
    const late = 'reader11@example.com';
    // The page is read from the status index while the reader is still confirmed; then, before
    // its turn, the reader unsubscribes (as if through the one-click link during the send).
    const subscribers = {
      ...bind(ctx.stores.subscribers),
      async *pagesByStatus(status: 'confirmed') {
        for await (const page of ctx.stores.subscribers.pagesByStatus(status)) {
          expect(page).toContain(late);
          await ctx.stores.subscribers.setStatus(late, 'unsubscribed', { from: ['confirmed'] });
          yield page;
        }
      },
    };
    try {
      const report = await sendToSubscribers({ ...ctx.deps, subscribers }, prepared, {
        concurrency: 2,
        limiter: makeLimiter(1000),
        retry: fastRetry,
        lookup: new DynamoRecipientLookup(ctx.clients.ddb, ctx.config.SUBSCRIBERS_TABLE),
      });
      expect(report).toMatchObject({ sent: READERS.length - 1, suppressed: 1 });
      expect((await copies()).has(late)).toBe(false);
      expect(await ctx.stores.deliveries.get(prepared.issue.issueId, late)).toBeUndefined();
    } finally {
      await ctx.stores.subscribers.setStatus(late, 'confirmed', { from: ['unsubscribed'] });
    }
  });

  it('a store error for one recipient fails that recipient only; the run goes on', async () => {
    const prepared = await freshIssue();
    const subscribers = {
      ...bind(ctx.stores.subscribers),
      get: async (email: string) => {
        if (email === 'reader09@example.com') throw new Error('RequestLimitExceeded');
        return ctx.stores.subscribers.get(email);
      },
    };
    const notices: string[] = [];
    const report = await sendToSubscribers({ ...ctx.deps, subscribers }, prepared, {
      concurrency: 4,
      limiter: makeLimiter(1000),
      retry: fastRetry,
      onNotice: (email, message) => notices.push(`${email}: ${message}`),
    });
    expect(report).toMatchObject({ sent: READERS.length - 1, failed: 1, state: 'partial' });
    expect(notices).toEqual(['reader09@example.com: failed before sending: RequestLimitExceeded']);
    // Nothing was claimed for it: the next run simply sends it.
    expect(await ctx.stores.deliveries.get(prepared.issue.issueId, 'reader09@example.com')).toBeUndefined();
    expect(await run(prepared)).toMatchObject({ sent: 1, skipped: READERS.length - 1, state: 'sent' });
  });
});

/** The store's methods bound to it, so single methods can be swapped for a faulty one. */
function bind<T extends object>(store: T): { [K in keyof T]: T[K] } {
  const out: Record<string, unknown> = {};
  let proto: object | null = store;
  while (proto && proto !== Object.prototype) {
    for (const key of Object.getOwnPropertyNames(proto)) {
      const value = (store as Record<string, unknown>)[key];
      if (key !== 'constructor' && typeof value === 'function' && !(key in out))
        out[key] = (value as (...a: unknown[]) => unknown).bind(store);
    }
    proto = Object.getPrototypeOf(proto);
  }
  return out as { [K in keyof T]: T[K] };
}
