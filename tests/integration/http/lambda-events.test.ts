import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2, APIGatewayProxyResult, Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureTables } from '../../../functions/adapters/dynamo/tables.ts';
import { logger } from '../../../functions/adapters/logger.ts';
import { parseKeyring, signToken } from '../../../functions/core/tokens.ts';
import { makeApiHandler } from '../../../functions/handlers/api.ts';
import { type LocalEngines, startLocalEngines } from '../../../functions/local/engines.ts';
import { createRuntime, type Runtime } from '../../../functions/wiring/runtime.ts';
import { tableNames } from '../../../functions/wiring/settings.ts';
import { loadApigwEvent } from '../../fixtures/apigw/index.ts';
import { emulatorStore, tempWorkspace } from '../../helpers/workspace.ts';

/**
 * The API function itself (hono/aws-lambda over the app) fed API Gateway HTTP API v2 events:
 * base64 form bodies, the client IP from requestContext (never from X-Forwarded-For), one-click.
 */
let engines: LocalEngines;
let ws: Awaited<ReturnType<typeof tempWorkspace>>;
let rt: Runtime;
let handler: ReturnType<typeof makeApiHandler>;
const context = { awsRequestId: 'req-1', functionName: 'digest-api' } as Context;
const invoke = async (event: APIGatewayProxyEventV2) =>
  (await handler(event as unknown as Parameters<typeof handler>[0], context)) as APIGatewayProxyResult & {
    headers: Record<string, string>;
  };

beforeAll(async () => {
  engines = await startLocalEngines();
  ws = await tempWorkspace({ env: { DIGEST_PUBLIC_URL: 'https://news.example.com' } });
  rt = createRuntime({ ...process.env, ...ws.env });
  await ensureTables(rt.clients.dynamodb, tableNames(rt.config));
  logger.setLogLevel('SILENT');
  handler = makeApiHandler(rt);
});
afterAll(async () => {
  await engines?.stop();
  await ws?.cleanup();
});

describe('API function (API Gateway HTTP API v2)', () => {
  it('serves the signup page and health', async () => {
    const page = await invoke(loadApigwEvent('get-signup-page'));
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.body).toContain('<form method="post" action="/subscribe"');
    const health = await invoke(loadApigwEvent('get-health'));
    expect(health.statusCode).toBe(200);
    expect(JSON.parse(health.body)).toEqual({ ok: true });
  });

  it('a base64 form POST subscribes, with the consent IP from requestContext', async () => {
    const event = loadApigwEvent('post-subscribe-form');
    event.headers['x-forwarded-for'] = '10.9.8.7'; // spoofable: must not be used
    const res = await invoke(event);
    expect(res.statusCode).toBe(202);
    const s = await rt.stores.subscribers.get('lambda.reader@example.com');
    expect(s?.status).toBe('pending');
    expect(s?.consent).toMatchObject({
      ip: '203.0.113.50',
      source: 'form',
      wordingVersion: 'signup-2025-01',
    });
    expect(s?.consent?.userAgent).toMatch(/Chrome\/126/);
    const mail = await emulatorStore(engines.sesEndpoint);
    expect(mail.map((m) => m.destination.to[0])).toContain('lambda.reader@example.com');
    expect(mail.find((m) => m.destination.to[0] === 'lambda.reader@example.com')?.body.text).toContain(
      'https://news.example.com/confirm?token=',
    );
  });

  it('a JSON POST from an IPv6 client answers JSON', async () => {
    const res = await invoke(loadApigwEvent('post-subscribe-json'));
    expect(res.statusCode).toBe(202);
    expect(JSON.parse(res.body)).toMatchObject({ ok: true });
    expect((await rt.stores.subscribers.get('json.reader@example.com'))?.consent?.ip).toBe(
      '2001:db8:85a3::8a2e:370:7334',
    );
  });

  it('the one-click POST from a mailbox provider unsubscribes with 200', async () => {
    const email = `one.click.${randomUUID().slice(0, 6)}@example.com`;
    const now = new Date().toISOString();
    await rt.stores.subscribers.create({
      email,
      id: randomUUID(),
      status: 'confirmed',
      createdAt: now,
      updatedAt: now,
    });
    const token = signToken(parseKeyring(ws.env.DIGEST_TOKEN_SECRETS), {
      email,
      purpose: 'unsubscribe',
      exp: 0,
      nonce: 'u',
    });
    const event = loadApigwEvent('post-unsubscribe-one-click');
    event.rawQueryString = `token=${encodeURIComponent(token)}`;
    event.queryStringParameters = { token };
    const res = await invoke(event);
    expect(res.statusCode).toBe(200);
    expect((await rt.stores.subscribers.get(email))?.status).toBe('unsubscribed');
  });

  it('a body over the limit is refused before anything is stored', async () => {
    const event = loadApigwEvent('post-subscribe-json');
    event.body = JSON.stringify({ email: 'big@example.com', pad: 'x'.repeat(20_000) });
    event.headers['content-length'] = String(event.body.length);
    const res = await invoke(event);
    expect(res.statusCode).toBe(413);
    expect(await rt.stores.subscribers.get('big@example.com')).toBeUndefined();
  });
});
