import { randomUUID } from 'node:crypto';
import type { SNSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureTables } from '../../../functions/adapters/dynamo/tables.ts';
import { logger } from '../../../functions/adapters/logger.ts';
import type { SubscriberStatus } from '../../../functions/core/model.ts';
import { parseFeedback } from '../../../functions/core/subscribers/feedback.ts';
import { makeFeedbackHandler } from '../../../functions/handlers/feedback.ts';
import { type LocalEngines, startLocalEngines } from '../../../functions/local/engines.ts';
import { createRuntime, type Runtime } from '../../../functions/wiring/runtime.ts';
import { tableNames } from '../../../functions/wiring/settings.ts';
import { loadSnsEvent, sesMessage } from '../../fixtures/ses/index.ts';
import { tempWorkspace } from '../../helpers/workspace.ts';

/** The feedback function with real SNS-wrapped SES notification JSON, on dynalite. */
let engines: LocalEngines;
let ws: Awaited<ReturnType<typeof tempWorkspace>>;
let rt: Runtime;
let handle: ReturnType<typeof makeFeedbackHandler>;

async function seed(email: string, status: SubscriberStatus = 'confirmed') {
  const now = new Date().toISOString();
  await rt.stores.subscribers.create({ email, id: randomUUID(), status, createdAt: now, updatedAt: now });
}

beforeAll(async () => {
  engines = await startLocalEngines();
  ws = await tempWorkspace();
  rt = createRuntime({ ...process.env, ...ws.env });
  logger.setLogLevel('SILENT');
  await ensureTables(rt.clients.dynamodb, tableNames(rt.config));
  handle = makeFeedbackHandler(rt);
  for (const email of [
    'hard.bounce@example.com',
    'on.suppression.list@example.com',
    'soft.bounce@example.com',
    'angry.reader@example.com',
    'second.complaint@example.com',
    'bystander@example.com',
  ]) {
    await seed(email);
  }
});
afterAll(async () => {
  await engines?.stop();
  await ws?.cleanup();
});

const status = async (email: string) => (await rt.stores.subscribers.get(email))?.status;

describe('feedback function', () => {
  it('the fixtures are the two SES shapes', () => {
    expect(sesMessage('bounce-permanent')).toHaveProperty('eventType', 'Bounce');
    expect(sesMessage('bounce-permanent-notification')).toHaveProperty('notificationType', 'Bounce');
    expect(sesMessage('complaint')).toHaveProperty('eventType', 'Complaint');
    expect(sesMessage('complaint-notification')).toHaveProperty('notificationType', 'Complaint');
  });

  it('a permanent bounce (configuration-set event) marks the subscriber bounced', async () => {
    expect(await handle(loadSnsEvent('bounce-permanent'))).toEqual({ applied: 1, unchanged: 0, dropped: 0 });
    expect(await status('hard.bounce@example.com')).toBe('bounced');
    expect(await status('bystander@example.com')).toBe('confirmed');
  });

  it('a permanent bounce (identity notification) marks the subscriber bounced', async () => {
    await handle(loadSnsEvent('bounce-permanent-notification'));
    expect(await status('on.suppression.list@example.com')).toBe('bounced');
  });

  it('a transient bounce only counts, the status stays', async () => {
    await handle(loadSnsEvent('bounce-transient'));
    await handle(loadSnsEvent('bounce-transient'));
    const s = await rt.stores.subscribers.get('soft.bounce@example.com');
    expect(s?.status).toBe('confirmed');
    expect(s?.softBounces).toBe(2);
  });

  it('a complaint (both shapes) marks the subscriber complained', async () => {
    await handle(loadSnsEvent('complaint'));
    await handle(loadSnsEvent('complaint-notification'));
    expect(await status('angry.reader@example.com')).toBe('complained');
    expect(await status('second.complaint@example.com')).toBe('complained');
  });

  it('redelivered notifications are idempotent; a complaint outranks a bounce, an unsubscribe stays', async () => {
    expect(await handle(loadSnsEvent('bounce-permanent'))).toEqual({ applied: 0, unchanged: 1, dropped: 0 });
    expect(await status('hard.bounce@example.com')).toBe('bounced');
    await seed('left@example.com', 'unsubscribed');
    const bounce = structuredClone(loadSnsEvent('bounce-permanent'));
    const record = bounce.Records[0];
    if (!record) throw new Error('fixture has no record');
    record.Sns.Message = record.Sns.Message.replaceAll('hard.bounce@example.com', 'left@example.com');
    await handle(bounce);
    expect(await status('left@example.com')).toBe('unsubscribed');
    const complaint = structuredClone(loadSnsEvent('complaint'));
    const c = complaint.Records[0];
    if (!c) throw new Error('fixture has no record');
    c.Sns.Message = c.Sns.Message.replaceAll('angry.reader@example.com', 'hard.bounce@example.com');
    await handle(complaint);
    expect(await status('hard.bounce@example.com')).toBe('complained');
  });

  it('feedback for an address not on the list changes nothing', async () => {
    const event = structuredClone(loadSnsEvent('bounce-permanent'));
    const record = event.Records[0];
    if (!record) throw new Error('fixture has no record');
    record.Sns.Message = record.Sns.Message.replaceAll('hard.bounce@example.com', 'stranger@example.com');
    expect(await handle(event)).toEqual({ applied: 0, unchanged: 1, dropped: 0 });
    expect(await rt.stores.subscribers.get('stranger@example.com')).toBeUndefined();
  });

  it('unreadable messages are dropped (not retried forever), the rest of the batch still applies', async () => {
    const good = loadSnsEvent('complaint-notification').Records[0];
    if (!good) throw new Error('fixture has no record');
    const event: SNSEvent = {
      Records: [
        { ...good, Sns: { ...good.Sns, Message: 'not json' } },
        { ...good, Sns: { ...good.Sns, Message: '{"mail":{}}' } },
        {
          ...good,
          Sns: { ...good.Sns, Message: good.Sns.Message.replaceAll('second.complaint', 'bystander') },
        },
      ],
    };
    expect(await handle(event)).toEqual({ applied: 1, unchanged: 0, dropped: 2 });
    expect(await status('bystander@example.com')).toBe('complained');
  });

  it('delivery notifications ask for nothing', () => {
    expect(parseFeedback(JSON.stringify({ eventType: 'Delivery', mail: {} }))).toEqual([]);
  });
});
