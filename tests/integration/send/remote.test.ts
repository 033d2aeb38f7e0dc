import type { LambdaClient } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureTables } from '../../../functions/adapters/dynamo/tables.ts';
import {
  createRemoteLambdaClient,
  DEFAULT_STAGE,
  invokeRemoteSend,
  RemoteInvokeError,
  resolveFunctionName,
} from '../../../functions/cli/remote.ts';
import type { RecipientMessage } from '../../../functions/core/ports.ts';
import { makeDigestHandler } from '../../../functions/handlers/digest.ts';
import { type LocalEngines, startLocalEngines } from '../../../functions/local/engines.ts';
import {
  type LambdaInvokeServer,
  startLambdaInvokeServer,
} from '../../../functions/local/lambda-invoke-server.ts';
import { createRuntime, type Runtime } from '../../../functions/wiring/runtime.ts';
import { tableNames } from '../../../functions/wiring/settings.ts';
import { emulatorStore, tempWorkspace } from '../../helpers/workspace.ts';

/**
 * `digest send --remote` end to end: the real client (`@aws-sdk/client-lambda`, pointed at the
 * loopback Invoke API through AWS_ENDPOINT_URL_LAMBDA) invokes the real digest handler, which runs
 * on dynalite and the SES emulator. The only stand-in is the recipient queue (an array instead of
 * SQS, which has no local engine here).
 */
const STAGE = 'e2e';
const FUNCTION = `digest-${STAGE}-digest`;

describe('resolveFunctionName', () => {
  it('follows the stack convention digest-<stage>-digest, default stage dev', () => {
    expect(resolveFunctionName({ stage: 'prod', env: {} })).toBe('digest-prod-digest');
    expect(resolveFunctionName({ env: {} })).toBe(`digest-${DEFAULT_STAGE}-digest`);
    expect(DEFAULT_STAGE).toBe('dev');
  });

  it('lets DIGEST_FUNCTION_NAME win', () => {
    expect(resolveFunctionName({ stage: 'prod', env: { DIGEST_FUNCTION_NAME: 'custom-digest' } })).toBe(
      'custom-digest',
    );
  });

  it('rejects a stage the stack would reject', () => {
    expect(() => resolveFunctionName({ stage: 'Prod Stage', env: {} })).toThrow(/invalid stage/);
  });
});

describe('digest send --remote (Lambda Invoke API on loopback, real digest handler)', () => {
  let ws: Awaited<ReturnType<typeof tempWorkspace>>;
  let engines: LocalEngines;
  let rt: Runtime;
  let server: LambdaInvokeServer;
  let lambda: LambdaClient;
  const queued: RecipientMessage[] = [];
  const savedEndpoint = process.env.AWS_ENDPOINT_URL_LAMBDA;

  beforeAll(async () => {
    ws = await tempWorkspace();
    engines = await startLocalEngines();
    rt = createRuntime({ ...process.env, ...ws.env });
    await ensureTables(rt.clients.dynamodb, tableNames(rt.config));
    const now = new Date().toISOString();
    await rt.stores.subscribers.create({
      id: 'sub-1',
      email: 'reader@example.com',
      status: 'confirmed',
      createdAt: now,
      updatedAt: now,
    });

    const handler = makeDigestHandler(rt, {
      async enqueue(messages) {
        queued.push(...messages);
        return messages.length;
      },
    });
    server = await startLambdaInvokeServer({ functions: { [FUNCTION]: (event) => handler(event as never) } });
    process.env.AWS_ENDPOINT_URL_LAMBDA = server.endpoint;
    lambda = createRemoteLambdaClient({ region: 'us-east-1' });
  });

  afterAll(async () => {
    lambda?.destroy();
    await server?.close();
    if (savedEndpoint === undefined) delete process.env.AWS_ENDPOINT_URL_LAMBDA;
    else process.env.AWS_ENDPOINT_URL_LAMBDA = savedEndpoint;
    await engines?.stop();
    await ws?.cleanup();
  });

  const functionName = () => resolveFunctionName({ stage: STAGE, env: {} });

  it('a dry run passes dryRun through and returns the report with the log tail', async () => {
    const result = await invokeRemoteSend({
      functionName: functionName(),
      payload: { dryRun: true },
      lambda,
    });
    expect(server.invocations.at(-1)).toMatchObject({ functionName: FUNCTION, event: { dryRun: true } });
    expect(result.ok).toBe(true);
    expect(result.report).toMatchObject({ status: 'dry-run', recipients: 1, counts: { dryRun: 1 } });
    expect(result.logTail).toMatch(/^START RequestId: /);
    expect(result.logTail).toContain('"message":"dry run"');
    expect(await emulatorStore(engines.sesEndpoint)).toHaveLength(0);
    expect(queued).toHaveLength(0);
  });

  it('--to passes through and sends one test copy through SES', async () => {
    const result = await invokeRemoteSend({
      functionName: functionName(),
      payload: { to: 'editor@example.com', dryRun: undefined },
      lambda,
    });
    expect(server.invocations.at(-1)?.event).toEqual({ to: 'editor@example.com' });
    expect(result).toMatchObject({ ok: true, report: { status: 'test-sent' } });
    const sent = await emulatorStore(engines.sesEndpoint);
    expect(sent.map((m) => m.destination.to)).toEqual([['editor@example.com']]);
  });

  it('a real run queues every confirmed subscriber', async () => {
    const result = await invokeRemoteSend({ functionName: functionName(), payload: {}, lambda });
    expect(result).toMatchObject({ ok: true, report: { status: 'queued', recipients: 1 } });
    expect(queued.map((m) => m.email)).toEqual(['reader@example.com']);
  });

  it('a function error comes back as ok:false with the error payload', async () => {
    const result = await invokeRemoteSend({
      functionName: functionName(),
      payload: { issueId: '2020-01-01-0badf00d' },
      lambda,
    });
    expect(result.ok).toBe(false);
    expect(result.report).toMatchObject({
      errorType: 'NotFoundError',
      errorMessage: expect.stringContaining('2020-01-01-0badf00d'),
    });
    expect(result.logTail).toContain('NotFoundError');
    expect(server.invocations.at(-1)).toMatchObject({
      event: { issueId: '2020-01-01-0badf00d' },
      outcome: 'error',
    });
  });

  it('an unknown function is a RemoteInvokeError that says what to do', async () => {
    const attempt = invokeRemoteSend({
      functionName: resolveFunctionName({ stage: 'missing', env: {} }),
      payload: {},
      lambda,
    });
    await expect(attempt).rejects.toBeInstanceOf(RemoteInvokeError);
    await expect(attempt).rejects.toThrow(/digest-missing-digest not found.*--stage/);
  });
});
