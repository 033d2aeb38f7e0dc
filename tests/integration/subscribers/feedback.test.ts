import { randomUUID } from 'node:crypto';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
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

/** The SES message id a fixture is about. */
const sesId = (name: Parameters<typeof sesMessage>[0]) =>
  (sesMessage(name).mail as { messageId: string }).messageId;

/** Records that we sent `messageId` to `email` in `issueId` (as the send path does). */
async function mailed(email: string, messageId: string, issueId = RECENT_ISSUE) {
  await rt.stores.deliveries.claim(issueId, email);
  await rt.stores.deliveries.markSent(issueId, email, messageId);
}
/** The issue untagged notifications are matched in (identity notifications carry no tags). */
const RECENT_ISSUE = '2026-01-05-0feedbac';

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
  await rt.stores.issues.create({
    issueId: RECENT_ISSUE,
    createdAt: new Date().toISOString(),
    state: 'sent',
    subject: 'x',
    articleHashes: [],
    articleFiles: [],
    articleTitles: [],
  });
  // What we really sent: the tagged fixtures are about issue 2025-w02, the others untagged.
  await mailed('hard.bounce@example.com', sesId('bounce-permanent'), '2025-w02');
  await mailed('angry.reader@example.com', sesId('complaint'), '2025-w02');
  await mailed('on.suppression.list@example.com', sesId('bounce-permanent-notification'));
  await mailed('soft.bounce@example.com', sesId('bounce-transient'));
  await mailed('second.complaint@example.com', sesId('complaint-notification'));
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
    expect(await handle(loadSnsEvent('bounce-permanent'))).toEqual({
      applied: 1,
      unchanged: 0,
      dropped: 0,
      unmatched: 0,
    });
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
    expect(await handle(loadSnsEvent('bounce-permanent'))).toEqual({
      applied: 0,
      unchanged: 1,
      dropped: 0,
      unmatched: 0,
    });
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
    // The same message (2025-w02 to hard.bounce) later reported as spam.
    c.Sns.Message = c.Sns.Message.replaceAll(
      'angry.reader@example.com',
      'hard.bounce@example.com',
    ).replaceAll(sesId('complaint'), sesId('bounce-permanent'));
    await handle(complaint);
    expect(await status('hard.bounce@example.com')).toBe('complained');
  });

  it('feedback for an address not on the list changes nothing', async () => {
    const event = structuredClone(loadSnsEvent('bounce-permanent'));
    const record = event.Records[0];
    if (!record) throw new Error('fixture has no record');
    record.Sns.Message = record.Sns.Message.replaceAll('hard.bounce@example.com', 'stranger@example.com');
    expect(await handle(event)).toEqual({ applied: 0, unchanged: 0, dropped: 0, unmatched: 1 });
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
          Sns: {
            ...good.Sns,
            Message: good.Sns.Message.replaceAll('second.complaint', 'bystander').replaceAll(
              sesId('complaint-notification'),
              'bystander-message-id',
            ),
          },
        },
      ],
    };
    await mailed('bystander@example.com', 'bystander-message-id');
    expect(await handle(event)).toEqual({ applied: 1, unchanged: 0, dropped: 2, unmatched: 0 });
    expect(await status('bystander@example.com')).toBe('complained');
  });

  it('delivery notifications ask for nothing', () => {
    expect(parseFeedback(JSON.stringify({ eventType: 'Delivery', mail: {} }))).toEqual([]);
  });
});

/**
 * Forged feedback: SNS from SES is the only way in, but should a notification name someone we
 * never sent that message to, nothing changes (defence in depth).
 */
describe('feedback is acted on only for a message we sent to that recipient', () => {
  async function table() {
    const out = await rt.clients.ddb.send(new ScanCommand({ TableName: rt.config.SUBSCRIBERS_TABLE }));
    return (out.Items ?? []).sort((a, b) => String(a.email).localeCompare(String(b.email)));
  }
  const forged = (recipient: string, messageId: string, issue?: string) => {
    const event = structuredClone(loadSnsEvent('bounce-permanent'));
    const record = event.Records[0];
    if (!record) throw new Error('fixture has no record');
    const message = JSON.parse(record.Sns.Message) as {
      bounce: { bouncedRecipients: { emailAddress: string }[] };
      mail: { messageId: string; destination: string[]; tags: Record<string, string[]> };
    };
    message.bounce.bouncedRecipients = [{ emailAddress: recipient }];
    message.mail.destination = [recipient];
    message.mail.messageId = messageId;
    if (issue) message.mail.tags.issue = [issue];
    else delete (message.mail.tags as Partial<Record<string, string[]>>).issue;
    record.Sns.Message = JSON.stringify(message);
    return event;
  };

  it('a bounce for a subscriber never mailed changes nothing', async () => {
    await seed('never.mailed@example.com');
    const before = await table();
    expect(await handle(forged('never.mailed@example.com', 'made-up-id', '2025-w02'))).toEqual({
      applied: 0,
      unchanged: 0,
      dropped: 0,
      unmatched: 1,
    });
    expect(await table()).toEqual(before);
  });

  it('a real message id of someone else, pinned on another subscriber, changes nothing', async () => {
    await seed('victim@example.com');
    await mailed('victim@example.com', 'victims-own-message', '2025-w02');
    const before = await table();
    const stolen = sesId('bounce-permanent'); // sent to hard.bounce@example.com
    expect((await handle(forged('victim@example.com', stolen, '2025-w02'))).unmatched).toBe(1);
    expect((await handle(forged('victim@example.com', stolen))).unmatched).toBe(1);
    expect(await table()).toEqual(before);
    expect(await status('victim@example.com')).toBe('confirmed');
  });

  it('matches whatever the capitalization the notification uses', async () => {
    await seed('Mixed.Case@Example.com');
    await mailed('Mixed.Case@Example.com', 'mixed-case-message', '2025-w02');
    expect((await handle(forged('MIXED.CASE@example.COM', 'mixed-case-message', '2025-w02'))).applied).toBe(
      1,
    );
    expect(await status('mixed.case@example.com')).toBe('bounced');
  });

  it('a bounce of a confirmation mail is matched by the id logged when it was sent', async () => {
    const now = new Date().toISOString();
    await rt.stores.subscribers.create({
      email: 'typo@example.com',
      id: randomUUID(),
      status: 'pending',
      createdAt: now,
      updatedAt: now,
      confirmMails: [{ at: now, nonce: 'n', exp: 2_000_000_000, messageId: 'confirm-mail-id' }],
    } as Parameters<typeof rt.stores.subscribers.create>[0]);
    const confirmBounce = (id: string) => {
      const event = forged('typo@example.com', id);
      const record = event.Records[0] as (typeof event.Records)[number];
      const message = JSON.parse(record.Sns.Message) as { mail: { tags: Record<string, string[]> } };
      message.mail.tags = { kind: ['confirm'] };
      record.Sns.Message = JSON.stringify(message);
      return event;
    };
    expect((await handle(confirmBounce('some-other-id'))).unmatched).toBe(1);
    expect(await status('typo@example.com')).toBe('pending');
    expect((await handle(confirmBounce('confirm-mail-id'))).applied).toBe(1);
    expect(await status('typo@example.com')).toBe('bounced');
  });
});
