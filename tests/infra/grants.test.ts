import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import type { SNSEvent, SQSEvent, SQSRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureTables } from '../../functions/adapters/dynamo/tables.ts';
import type { RecipientMessage, RecipientQueue } from '../../functions/core/ports.ts';
import { apiDeps } from '../../functions/handlers/api.ts';
import { makeDigestHandler } from '../../functions/handlers/digest.ts';
import { makeFeedbackHandler } from '../../functions/handlers/feedback.ts';
import { makeFetchHandler } from '../../functions/handlers/fetch.ts';
import { makeSendHandler } from '../../functions/handlers/send.ts';
import { createApp } from '../../functions/http/app.ts';
import { type LocalEngines, startLocalEngines } from '../../functions/local/engines.ts';
import { createRuntime, type Runtime } from '../../functions/wiring/runtime.ts';
import { tableNames } from '../../functions/wiring/settings.ts';
import { buildApp } from '../../infra/build-app.ts';
import { type Publisher, startPublisher } from '../helpers/publisher.ts';
import { emulatorStore, tempWorkspace } from '../helpers/workspace.ts';

/**
 * Every DynamoDB call a function really makes is granted to that function in the synthesized
 * stack. The handlers run on the local engines (which enforce no IAM) with a middleware on the
 * real SDK client that records each call's action and table; the stack's policies must allow each
 * one on that table. A grant list written by hand beside the code drifts; this checks one against
 * the other. (It once found the send function unable to write its `sent` records on AWS.)
 */

type Fn = 'digest' | 'send' | 'api' | 'feedback' | 'fetch';
type Json = Record<string, unknown>;

const calls: Record<Fn, Set<string>> = {
  digest: new Set(),
  send: new Set(),
  api: new Set(),
  feedback: new Set(),
  fetch: new Set(),
};
let current: Fn = 'digest';

class CollectingQueue implements RecipientQueue {
  messages: RecipientMessage[] = [];
  async enqueue(messages: RecipientMessage[]) {
    this.messages.push(...messages);
    return messages.length;
  }
}

const record = JSON.parse(
  readFileSync(join(import.meta.dirname, '../fixtures/sqs/record.json'), 'utf8'),
) as SQSRecord;

let engines: LocalEngines;
let ws: Awaited<ReturnType<typeof tempWorkspace>>;
let rt: Runtime;
let template: Template;
let publisher: Publisher;
const outdir = mkdtempSync(join(tmpdir(), 'digest-grants-'));

beforeAll(async () => {
  engines = await startLocalEngines();
  ws = await tempWorkspace();
  publisher = await startPublisher();
  rt = createRuntime({ ...process.env, ...ws.env, DIGEST_ALLOW_PRIVATE_SOURCES: 'true' });
  await ensureTables(rt.clients.dynamodb, tableNames(rt.config));
  // Table name → the environment variable each function finds it under.
  const byName = new Map<string, string>([
    [rt.config.SUBSCRIBERS_TABLE, 'SUBSCRIBERS_TABLE'],
    [rt.config.DELIVERIES_TABLE, 'DELIVERIES_TABLE'],
    [rt.config.ISSUES_TABLE, 'ISSUES_TABLE'],
    [rt.config.RATE_LIMITS_TABLE, 'RATE_LIMITS_TABLE'],
    [rt.config.SOURCES_TABLE, 'SOURCES_TABLE'],
  ]);
  rt.clients.dynamodb.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as { TableName?: string; RequestItems?: Record<string, unknown> };
      const tables = input.TableName ? [input.TableName] : Object.keys(input.RequestItems ?? {});
      const action = String(context.commandName).replace(/Command$/, '');
      for (const table of tables) calls[current].add(`${action} ${byName.get(table) ?? table}`);
      return next(args);
    },
    { step: 'initialize', name: 'recordDynamoCalls' },
  );
  ({ template } = synth());
}, 180_000);

afterAll(async () => {
  rt?.close();
  await publisher?.close();
  await engines?.stop();
  await ws?.cleanup();
  rmSync(outdir, { recursive: true, force: true });
});

function synth() {
  const { stack } = buildApp({ outdir, context: { '@aws-cdk/core:failSynthOnValidationErrors': false } });
  return { template: Template.fromStack(stack) };
}

/** `dynamodb:Action ENV_VAR` pairs the function's role allows, resolved through its environment. */
function granted(fn: Fn): Set<string> {
  const prefix = `${fn[0]?.toUpperCase()}${fn.slice(1)}Function`;
  const [, lambda] = Object.entries(template.findResources('AWS::Lambda::Function')).find(([id]) =>
    id.startsWith(prefix),
  ) as [string, Json];
  const env = ((lambda.Properties as Json).Environment as { Variables: Record<string, unknown> }).Variables;
  const tableOfEnv = new Map<string, string>();
  for (const [key, value] of Object.entries(env)) {
    const ref = (value as { Ref?: string } | undefined)?.Ref;
    if (key.endsWith('_TABLE') && ref) tableOfEnv.set(ref, key);
  }
  const allowed = new Set<string>();
  for (const [id, policy] of Object.entries(template.findResources('AWS::IAM::Policy'))) {
    if (!id.startsWith(`${prefix}Role`)) continue;
    const doc = (policy.Properties as Json).PolicyDocument as {
      Statement: { Effect: string; Action: string | string[]; Resource: unknown }[];
    };
    for (const statement of doc.Statement) {
      if (statement.Effect !== 'Allow') continue;
      const resources = JSON.stringify(statement.Resource);
      for (const action of ([] as string[]).concat(statement.Action)) {
        if (!action.startsWith('dynamodb:')) continue;
        for (const [logicalId, envKey] of tableOfEnv) {
          if (resources.includes(`"${logicalId}"`))
            allowed.add(`${action.slice('dynamodb:'.length)} ${envKey}`);
        }
      }
    }
  }
  return allowed;
}

describe('every DynamoDB call a function makes is granted to it', () => {
  let issueId = '';
  const queue = new CollectingQueue();

  it('exercises each function on the local engines', async () => {
    const now = new Date().toISOString();
    for (const email of ['a@example.com', 'b@example.com']) {
      await rt.stores.subscribers.create({
        email,
        id: randomUUID(),
        status: 'confirmed',
        createdAt: now,
        updatedAt: now,
      });
    }

    current = 'digest';
    await makeDigestHandler(rt, queue)({ dryRun: true });
    const queued = await makeDigestHandler(rt, queue)({});
    expect(queued.status).toBe('queued');
    issueId = queued.issueId ?? '';

    current = 'send';
    const event: SQSEvent = {
      Records: queue.messages.map((m) => ({ ...record, messageId: randomUUID(), body: JSON.stringify(m) })),
    };
    expect((await makeSendHandler(rt)(event)).batchItemFailures).toEqual([]);

    current = 'api';
    const app = createApp(apiDeps(rt));
    const form = (body: Record<string, string>) => ({
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(body).toString(),
    });
    expect((await app.request('/subscribe', form({ email: 'new@example.com' }))).status).toBeLessThan(300);
    const confirmMail = (await emulatorStore(engines.sesEndpoint)).find((m) =>
      m.destination.to.includes('new@example.com'),
    );
    const confirmToken = /token=([^"&\s]+)/.exec(confirmMail?.body.text ?? '')?.[1] ?? '';
    expect(confirmToken).not.toBe('');
    expect(
      (await app.request('/confirm', form({ token: decodeURIComponent(confirmToken) }))).status,
    ).toBeLessThan(400);
    const digestMail = (await emulatorStore(engines.sesEndpoint)).find((m) =>
      m.destination.to.includes('a@example.com'),
    );
    const unsubscribe = /\/unsubscribe\?token=([^"&\s]+)/.exec(digestMail?.body.html ?? '')?.[1] ?? '';
    expect((await app.request(`/unsubscribe?token=${unsubscribe}`, { method: 'POST' })).status).toBeLessThan(
      400,
    );
    for (const path of ['/issues', `/issues/${issueId}`, '/issues/feed.xml', '/issues/feed.json']) {
      expect((await app.request(path)).status, path).toBe(200);
    }

    current = 'feedback';
    const sent = await rt.stores.deliveries.get(issueId, 'b@example.com');
    const notification = {
      notificationType: 'Bounce',
      bounce: { bounceType: 'Permanent', bouncedRecipients: [{ emailAddress: 'b@example.com' }] },
      mail: { messageId: sent?.messageId, tags: { issue: [issueId] } },
    };
    const sns = { Records: [{ Sns: { Message: JSON.stringify(notification), MessageId: randomUUID() } }] };
    const result = await makeFeedbackHandler(rt)(sns as unknown as SNSEvent);
    expect(result.applied).toBe(1);

    current = 'fetch';
    await rt.stores.sources.add(
      { url: publisher.url('/feed.xml'), name: 'Courier', kind: 'rss' },
      new Date(),
    );
    expect((await makeFetchHandler(rt)({})).articles).toBeGreaterThan(0);
    expect((await makeFetchHandler(rt)({})).articles).toBe(0); // revalidated: a 304
  }, 120_000);

  for (const fn of ['digest', 'send', 'api', 'feedback', 'fetch'] as const) {
    it(`${fn}: each recorded call is in its role's policy`, () => {
      expect(
        calls[fn].size,
        'the function made no DynamoDB call: the exercise did not reach it',
      ).toBeGreaterThan(0);
      const allowed = granted(fn);
      const missing = [...calls[fn]].filter((call) => !allowed.has(call)).sort();
      expect(missing).toEqual([]);
    });
  }
});
