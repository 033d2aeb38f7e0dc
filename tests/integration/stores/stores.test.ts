import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeClients } from '../../../functions/adapters/clients.ts';
import { DynamoDeliveryStore } from '../../../functions/adapters/dynamo/delivery-store.ts';
import { DynamoIssueStore } from '../../../functions/adapters/dynamo/issue-store.ts';
import { DynamoSubscriberStore } from '../../../functions/adapters/dynamo/subscriber-store.ts';
import { ensureTables } from '../../../functions/adapters/dynamo/tables.ts';
import type { Subscriber } from '../../../functions/core/model.ts';
import { type LocalEngines, startLocalEngines } from '../../../functions/local/engines.ts';

/** The DynamoDB adapters against dynalite, through the real AWS SDK clients. */
const names = { subscribers: 'subs', deliveries: 'deliveries', issues: 'issues', rateLimits: 'limits' };
let engines: LocalEngines;
let clients: ReturnType<typeof makeClients>;

beforeAll(async () => {
  engines = await startLocalEngines();
  clients = makeClients('us-east-1');
  await ensureTables(clients.dynamodb, names);
  await ensureTables(clients.dynamodb, names); // idempotent
});
afterAll(async () => {
  clients?.dynamodb.destroy();
  await engines?.stop();
});

const subscriber = (email: string, status: Subscriber['status'] = 'confirmed'): Subscriber => ({
  email,
  id: randomUUID(),
  status,
  createdAt: new Date().toISOString(),
  updatedAt: new Date().toISOString(),
});

describe('subscriber store', () => {
  it('creates once and never overwrites an existing subscriber', async () => {
    const store = new DynamoSubscriberStore(clients.ddb, names.subscribers);
    expect(await store.isEmpty()).toBe(true);
    expect(await store.create(subscriber('a@example.com', 'pending'))).toBe(true);
    expect(await store.create(subscriber('a@example.com', 'confirmed'))).toBe(false);
    expect((await store.get('a@example.com'))?.status).toBe('pending');
    expect(await store.isEmpty()).toBe(false);
  });

  it('changes status only from the allowed states', async () => {
    const store = new DynamoSubscriberStore(clients.ddb, names.subscribers);
    expect(await store.setStatus('a@example.com', 'confirmed', { from: ['pending'] })).toBe(true);
    expect(await store.setStatus('a@example.com', 'confirmed', { from: ['pending'] })).toBe(false);
    expect(await store.setStatus('nobody@example.com', 'confirmed')).toBe(false);
    expect(await store.get('nobody@example.com')).toBeUndefined();
  });

  it('pages through a status without loading the list whole', async () => {
    const store = new DynamoSubscriberStore(clients.ddb, names.subscribers);
    for (let i = 0; i < 25; i++) await store.create(subscriber(`p${String(i).padStart(2, '0')}@example.com`));
    await store.create(subscriber('gone@example.com', 'unsubscribed'));
    const pages: string[][] = [];
    for await (const page of store.pagesByStatus('confirmed', 10)) pages.push(page);
    expect(pages.map((p) => p.length)).toEqual([10, 10, 6]);
    expect(pages.flat()).not.toContain('gone@example.com');
    expect(await store.countByStatus('confirmed')).toBe(26);
    expect(await store.delete('gone@example.com')).toBe(true);
    expect(await store.delete('gone@example.com')).toBe(false);
  });
});

describe('delivery store', () => {
  it('lets exactly one claim win and keeps the first record', async () => {
    const store = new DynamoDeliveryStore(clients.ddb, names.deliveries, 90);
    const claims = await Promise.all(
      Array.from({ length: 5 }, () => store.claim('issue-1', 'x@example.com')),
    );
    expect(claims.filter((c) => c.claimed)).toHaveLength(1);
    const loser = claims.find((c) => !c.claimed);
    expect(loser && !loser.claimed && loser.existing.state).toBe('sending');
    const record = await store.get('issue-1', 'x@example.com');
    // TTL: about 90 days from now.
    expect(record?.expiresAt).toBeGreaterThan(Date.now() / 1000 + 89 * 86_400);
  });

  it('marks sent with the SES message id, and never downgrades a sent record to failed', async () => {
    const store = new DynamoDeliveryStore(clients.ddb, names.deliveries, 90);
    await store.markSent('issue-1', 'x@example.com', 'ses-123');
    await store.markFailed('issue-1', 'x@example.com', 'late failure');
    expect(await store.get('issue-1', 'x@example.com')).toMatchObject({
      state: 'sent',
      messageId: 'ses-123',
    });
  });

  it('reclaims a failed record once, even with two workers racing', async () => {
    const store = new DynamoDeliveryStore(clients.ddb, names.deliveries, 90);
    await store.claim('issue-1', 'y@example.com');
    await store.markFailed('issue-1', 'y@example.com', 'MessageRejected');
    const wins = await Promise.all([
      store.reclaim('issue-1', 'y@example.com', 'failed', 1),
      store.reclaim('issue-1', 'y@example.com', 'failed', 1),
    ]);
    expect(wins.filter(Boolean)).toHaveLength(1);
    expect(await store.get('issue-1', 'y@example.com')).toMatchObject({ state: 'sending', attempts: 2 });
    const sending: string[] = [];
    for await (const page of store.pagesByState('issue-1', 'sending'))
      sending.push(...page.map((r) => r.email));
    expect(sending).toEqual(['y@example.com']);
  });
});

describe('issue store', () => {
  it('creates issues once and lists them newest first', async () => {
    const store = new DynamoIssueStore(clients.ddb, names.issues);
    const base = {
      state: 'building' as const,
      subject: 's',
      articleHashes: ['h'],
      articleFiles: ['f'],
      articleTitles: ['t'],
    };
    expect(await store.create({ ...base, issueId: 'a', createdAt: '2026-01-01T00:00:00Z' })).toBe(true);
    expect(await store.create({ ...base, issueId: 'b', createdAt: '2026-02-01T00:00:00Z' })).toBe(true);
    expect(await store.create({ ...base, issueId: 'a', createdAt: '2026-03-01T00:00:00Z' })).toBe(false);
    expect((await store.list()).map((i) => i.issueId)).toEqual(['b', 'a']);
    const counts = { recipients: 2, sent: 1, skipped: 0, suppressed: 0, failed: 1, unknown: 0 };
    await store.setState('a', 'partial', counts);
    expect(await store.get('a')).toMatchObject({ state: 'partial', counts });
    await expect(store.setState('missing', 'sent')).rejects.toThrow();
  });
});
