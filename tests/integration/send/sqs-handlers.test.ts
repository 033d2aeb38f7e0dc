import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureTables } from '../../../functions/adapters/dynamo/tables.ts';
import type { RecipientMessage, RecipientQueue } from '../../../functions/core/ports.ts';
import { makeDigestHandler } from '../../../functions/handlers/digest.ts';
import { makeSendHandler } from '../../../functions/handlers/send.ts';
import { type LocalEngines, startLocalEngines } from '../../../functions/local/engines.ts';
import { createRuntime, type Runtime } from '../../../functions/wiring/runtime.ts';
import { tableNames } from '../../../functions/wiring/settings.ts';
import { emulatorStore, tempWorkspace } from '../../helpers/workspace.ts';

/** The Lambda handlers on real engines: the digest function queues, the send function consumes. */
const recordTemplate = JSON.parse(
  readFileSync(join(import.meta.dirname, '../../fixtures/sqs/record.json'), 'utf8'),
) as SQSRecord;
const sqsEvent = (bodies: string[]): SQSEvent => ({
  Records: bodies.map((body) => ({ ...recordTemplate, messageId: randomUUID(), body })),
});

/** Our queue port, in process: it keeps what the digest function queued (the SQS adapter is AWS-only). */
class CollectingQueue implements RecipientQueue {
  messages: RecipientMessage[] = [];
  async enqueue(messages: RecipientMessage[]) {
    this.messages.push(...messages);
    return messages.length;
  }
}

let engines: LocalEngines;
let ws: Awaited<ReturnType<typeof tempWorkspace>>;
let rt: Runtime;

beforeAll(async () => {
  engines = await startLocalEngines();
  ws = await tempWorkspace();
  rt = createRuntime({ ...process.env, ...ws.env });
  await ensureTables(rt.clients.dynamodb, tableNames(rt.config));
  const now = new Date().toISOString();
  for (const [email, status] of [
    ['a@example.com', 'confirmed'],
    ['b@example.com', 'confirmed'],
    ['c@example.com', 'confirmed'],
    ['gone@example.com', 'unsubscribed'],
  ] as const) {
    await rt.stores.subscribers.create({ email, id: randomUUID(), status, createdAt: now, updatedAt: now });
  }
});
afterAll(async () => {
  await engines?.stop();
  await ws?.cleanup();
});

describe('digest + send functions', () => {
  const queue = new CollectingQueue();

  it('the digest function queues one message per confirmed subscriber', async () => {
    const result = await makeDigestHandler(rt, queue)({});
    expect(result).toMatchObject({ status: 'queued', recipients: 3 });
    expect(queue.messages.map((m) => m.email).sort()).toEqual([
      'a@example.com',
      'b@example.com',
      'c@example.com',
    ]);
    const issue = await rt.stores.issues.get(result.issueId ?? '');
    expect(issue).toMatchObject({ state: 'sending', enqueued: 3 });
  });

  it('the send function reports exactly the failed records, and the issue completes when all are done', async () => {
    const send = makeSendHandler(rt);
    const good = queue.messages.slice(0, 2).map((m) => JSON.stringify(m));
    const event = sqsEvent([...good, 'not json', JSON.stringify({ issueId: 'x' })]);
    const response = await send(event);
    const failedIds = response.batchItemFailures.map((f) => f.itemIdentifier).sort();
    expect(failedIds).toEqual([event.Records[2]?.messageId, event.Records[3]?.messageId].sort());
    expect((await emulatorStore(engines.sesEndpoint)).length).toBe(2);

    // A redelivery of a sent recipient is skipped, not sent twice.
    expect((await send(sqsEvent([good[0] ?? '']))).batchItemFailures).toEqual([]);
    expect((await emulatorStore(engines.sesEndpoint)).length).toBe(2);

    const last = queue.messages[2];
    expect((await send(sqsEvent([JSON.stringify(last)]))).batchItemFailures).toEqual([]);
    const issue = await rt.stores.issues.get(last?.issueId ?? '');
    expect(issue?.state).toBe('sent');
    expect(issue?.counts).toMatchObject({ sent: 3, skipped: 1 });
    expect((await emulatorStore(engines.sesEndpoint)).map((m) => m.destination.to[0]).sort()).toEqual([
      'a@example.com',
      'b@example.com',
      'c@example.com',
    ]);
  });

  it('an unsubscribed recipient in the queue is suppressed at send time', async () => {
    const [first] = queue.messages;
    const response = await makeSendHandler(rt)(
      sqsEvent([JSON.stringify({ ...first, email: 'gone@example.com' })]),
    );
    expect(response.batchItemFailures).toEqual([]);
    expect(
      (await emulatorStore(engines.sesEndpoint)).some((m) => m.destination.to[0] === 'gone@example.com'),
    ).toBe(false);
  });

  it('a second scheduled run with no new articles queues nothing and says why', async () => {
    const before = queue.messages.length;
    const result = await makeDigestHandler(rt, queue)({});
    expect(result.status).toBe('nothing-new');
    expect(result.message).toMatch(/no new articles/);
    expect(queue.messages.length).toBe(before);
  });
});
