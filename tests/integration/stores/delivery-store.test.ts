import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeClients } from '../../../functions/adapters/clients.ts';
import {
  DynamoDeliveryStore,
  DynamoRecipientLookup,
} from '../../../functions/adapters/dynamo/delivery-store.ts';
import { DynamoSubscriberStore } from '../../../functions/adapters/dynamo/subscriber-store.ts';
import { ensureTables } from '../../../functions/adapters/dynamo/tables.ts';
import { type LocalEngines, startLocalEngines } from '../../../functions/local/engines.ts';
import { parseConfig } from '../../../functions/wiring/config.ts';
import { tableNames } from '../../../functions/wiring/settings.ts';

/** The send path's batch reads and grouped `sent` writes, on dynalite. */
let engines: LocalEngines;
let clients: ReturnType<typeof makeClients>;
let store: DynamoDeliveryStore;
let calls: string[];
const config = parseConfig({ DIGEST_TOKEN_SECRETS: 'test:0123456789abcdef0123456789abcdef' });

beforeAll(async () => {
  engines = await startLocalEngines();
  clients = makeClients('us-east-1');
  await ensureTables(clients.dynamodb, tableNames(config));
  // Which DynamoDB operations the store makes (the SDK's own middleware hook, nothing replaced).
  calls = [];
  clients.ddb.middlewareStack.add(
    (next, context) => (args) => {
      calls.push(String(context.commandName));
      return next(args);
    },
    { step: 'initialize', name: 'countCalls' },
  );
  store = new DynamoDeliveryStore(clients.ddb, config.DELIVERIES_TABLE, 90);
});
afterAll(async () => {
  clients?.dynamodb.destroy();
  await engines?.stop();
});

describe('grouped sent records', () => {
  it('writes concurrent sends in shared calls, and each caller hears back once its record is durable', async () => {
    const issueId = `issue-${randomUUID()}`;
    const emails = Array.from({ length: 30 }, (_, i) => `g${i}@example.com`);
    for (const email of emails) expect((await store.claim(issueId, email)).claimed).toBe(true);
    calls.length = 0;
    await Promise.all(
      emails.map(async (email, i) => {
        await store.markSent(issueId, email, `ses-${i}`, 1);
        // Resolved means written: a strongly consistent read sees it at once.
        expect(await store.get(issueId, email)).toMatchObject({ state: 'sent', messageId: `ses-${i}` });
      }),
    );
    const writes = calls.filter((c) => c === 'BatchWriteItemCommand');
    expect(writes.length).toBeGreaterThanOrEqual(2); // 25 at most per call
    expect(writes.length).toBeLessThan(emails.length);
    expect(calls).not.toContain('UpdateItemCommand');
  });

  it('a retried record keeps its attempt count, loses its old error and keeps a TTL', async () => {
    const issueId = `issue-${randomUUID()}`;
    const email = 'retried@example.com';
    await store.claim(issueId, email);
    await store.markFailed(issueId, email, 'Throttling: Maximum sending rate exceeded.');
    expect(await store.reclaim(issueId, email, 'failed', 1)).toBe(true);
    await store.markSent(issueId, email, 'ses-retried', 2);
    const record = await store.get(issueId, email);
    expect(record).toMatchObject({ state: 'sent', attempts: 2, messageId: 'ses-retried' });
    expect(record?.error).toBeUndefined();
    expect(record?.expiresAt).toBeGreaterThan(Date.now() / 1000 + 89 * 86_400);
  });

  it('a write that cannot be made fails every caller of its batch', async () => {
    const broken = new DynamoDeliveryStore(clients.ddb, 'no-such-table', 90);
    const results = await Promise.allSettled(
      ['x1@example.com', 'x2@example.com'].map((email) => broken.markSent('issue-x', email, 'ses-x', 1)),
    );
    for (const r of results) expect(r.status).toBe('rejected');
  });
});

describe('batch reads', () => {
  it('reads status and id of many subscribers, and this issue\u2019s records, leaving out the absent', async () => {
    const subscribers = new DynamoSubscriberStore(clients.ddb, config.SUBSCRIBERS_TABLE);
    const now = new Date().toISOString();
    const emails = Array.from({ length: 130 }, (_, i) => `b${i}@example.com`);
    for (const [i, email] of emails.entries()) {
      await subscribers.create({
        email,
        id: `id-${i}`,
        status: i % 10 === 0 ? 'unsubscribed' : 'confirmed',
        createdAt: now,
        updatedAt: now,
      });
    }
    calls.length = 0;
    const lookup = new DynamoRecipientLookup(clients.ddb, config.SUBSCRIBERS_TABLE);
    const found = await lookup.getMany([...emails, 'nobody@example.com']);
    expect(calls).toEqual(['BatchGetItemCommand', 'BatchGetItemCommand']); // 100 keys per call
    expect(found.size).toBe(130);
    expect(found.get('b0@example.com')).toEqual({
      email: 'b0@example.com',
      address: 'b0@example.com',
      id: 'id-0',
      status: 'unsubscribed',
    });
    expect(found.get('b7@example.com')).toEqual({
      email: 'b7@example.com',
      address: 'b7@example.com',
      id: 'id-7',
      status: 'confirmed',
    });
    expect(found.has('nobody@example.com')).toBe(false);

    const issueId = `issue-${randomUUID()}`;
    await store.claim(issueId, 'b1@example.com');
    await store.claim(issueId, 'b2@example.com');
    await store.markSent(issueId, 'b2@example.com', 'ses-b2', 1);
    const records = await store.getMany(issueId, ['b1@example.com', 'b2@example.com', 'b3@example.com']);
    expect([...records.keys()].sort()).toEqual(['b1@example.com', 'b2@example.com']);
    expect(records.get('b1@example.com')?.state).toBe('sending');
    expect(records.get('b2@example.com')?.state).toBe('sent');
  });
});
