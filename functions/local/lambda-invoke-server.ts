import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { format } from 'node:util';

/**
 * A loopback stand-in for the Lambda Invoke API (`POST /2015-03-31/functions/{name}/invocations`)
 * that runs real handler functions in this process. Point `@aws-sdk/client-lambda` at it with
 * `AWS_ENDPOINT_URL_LAMBDA` to test `digest send --remote` without AWS.
 *
 * It answers as Lambda does: 200 with the handler's JSON result; 200 with
 * `X-Amz-Function-Error: Unhandled` and `{ errorType, errorMessage, trace }` when the handler
 * throws; the last 4 KB of what the invocation logged, base64, in `X-Amz-Log-Result` when asked
 * with `X-Amz-Log-Type: Tail`; 404 `ResourceNotFoundException` for an unknown function; 202 for
 * `Event` invocations (run in the background); 204 for `DryRun`.
 *
 * Invocations run one at a time: each one's log lines are captured by patching stdout/stderr and
 * the console while it runs, which would mix output if two overlapped.
 */

export interface InvokeContext {
  functionName: string;
  functionVersion: string;
  invokedFunctionArn: string;
  memoryLimitInMB: string;
  awsRequestId: string;
  logGroupName: string;
  logStreamName: string;
  callbackWaitsForEmptyEventLoop: boolean;
  getRemainingTimeInMillis(): number;
}

export type InvokeHandler = (event: unknown, context: InvokeContext) => unknown;

export interface RecordedInvocation {
  functionName: string;
  invocationType: 'RequestResponse' | 'Event' | 'DryRun';
  event: unknown;
  outcome?: 'ok' | 'error';
}

export interface LambdaInvokeServerOptions {
  /** Handlers by function name (an ARN or `name:qualifier` in a request resolves to the name). */
  functions: Record<string, InvokeHandler>;
  /** Function timeout reported through `getRemainingTimeInMillis` (default 15 minutes). */
  timeoutMs?: number;
  /** Also write the captured log lines to the real stdout (default false). */
  echoLogs?: boolean;
  region?: string;
  accountId?: string;
}

export interface LambdaInvokeServer {
  /** `http://127.0.0.1:<port>`: the value for AWS_ENDPOINT_URL_LAMBDA. */
  endpoint: string;
  invocations: RecordedInvocation[];
  close(): Promise<void>;
}

const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;
const LOG_TAIL_BYTES = 4096;

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** `arn:aws:lambda:region:acct:function:name[:qualifier]`, `name:qualifier` or `name` → `name`. */
function bareName(raw: string): string {
  const name = decodeURIComponent(raw);
  if (name.startsWith('arn:')) return name.split(':')[6] ?? name;
  return name.split(':')[0] ?? name;
}

function sendError(res: ServerResponse, status: number, type: string, message: string): void {
  res.writeHead(status, { 'content-type': 'application/json', 'x-amzn-errortype': type });
  res.end(JSON.stringify({ Type: 'User', message }));
}

/** Runs `fn` with everything written to stdout, stderr and the console collected as log text. */
async function capturingLogs<T>(
  echo: boolean,
  fn: () => Promise<T>,
): Promise<{ value?: T; error?: unknown; logs: string }> {
  const lines: string[] = [];
  const streams = [process.stdout, process.stderr] as const;
  const originalWrites = streams.map((s) => s.write);
  const methods = ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const;
  const originalConsole = methods.map((m) => console[m]);
  streams.forEach((stream, i) => {
    stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      lines.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      if (echo) return (originalWrites[i] as typeof stream.write).call(stream, chunk, ...(rest as []));
      const callback = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
      callback?.();
      return true;
    }) as typeof stream.write;
  });
  for (const method of methods) {
    console[method] = (...args: unknown[]) => {
      lines.push(`${format(...args)}\n`);
    };
  }
  try {
    return { value: await fn(), logs: lines.join('') };
  } catch (error) {
    return { error, logs: lines.join('') };
  } finally {
    streams.forEach((stream, i) => {
      stream.write = originalWrites[i] as typeof stream.write;
    });
    methods.forEach((method, i) => {
      console[method] = originalConsole[i] as (typeof console)[typeof method];
    });
  }
}

function errorPayload(error: unknown) {
  if (error instanceof Error) {
    return {
      errorType: error.name,
      errorMessage: error.message,
      trace: (error.stack ?? '').split('\n'),
    };
  }
  return { errorType: 'Error', errorMessage: String(error), trace: [] };
}

export async function startLambdaInvokeServer(
  options: LambdaInvokeServerOptions,
): Promise<LambdaInvokeServer> {
  const region = options.region ?? 'us-east-1';
  const accountId = options.accountId ?? '000000000000';
  const timeoutMs = options.timeoutMs ?? 15 * 60 * 1000;
  const invocations: RecordedInvocation[] = [];
  let queue: Promise<unknown> = Promise.resolve();

  /** Runs one invocation after any in progress; never rejects. */
  const run = (functionName: string, handler: InvokeHandler, event: unknown, record: RecordedInvocation) => {
    const requestId = randomUUID();
    const started = Date.now();
    const context: InvokeContext = {
      functionName,
      functionVersion: '$LATEST',
      invokedFunctionArn: `arn:aws:lambda:${region}:${accountId}:function:${functionName}`,
      memoryLimitInMB: '1024',
      awsRequestId: requestId,
      logGroupName: `/aws/lambda/${functionName}`,
      logStreamName: `local/${requestId}`,
      callbackWaitsForEmptyEventLoop: true,
      getRemainingTimeInMillis: () => Math.max(0, timeoutMs - (Date.now() - started)),
    };
    const result = queue.then(async () => {
      const outcome = await capturingLogs(
        options.echoLogs ?? false,
        async () => await handler(event, context),
      );
      record.outcome = 'error' in outcome ? 'error' : 'ok';
      const ms = Date.now() - started;
      const logs =
        `START RequestId: ${requestId} Version: $LATEST\n` +
        outcome.logs +
        ('error' in outcome ? `${JSON.stringify(errorPayload(outcome.error))}\n` : '') +
        `END RequestId: ${requestId}\nREPORT RequestId: ${requestId}\tDuration: ${ms} ms\n`;
      return { ...outcome, logs };
    });
    queue = result;
    return result;
  };

  const server = createServer(async (req, res) => {
    try {
      const match = INVOKE_PATH.exec((req.url ?? '').split('?')[0] ?? '');
      if (req.method !== 'POST' || !match) {
        sendError(res, 404, 'UnknownOperationException', `unsupported request ${req.method} ${req.url}`);
        return;
      }
      const functionName = bareName(match[1] as string);
      const handler = options.functions[functionName];
      if (!handler) {
        sendError(
          res,
          404,
          'ResourceNotFoundException',
          `Function not found: arn:aws:lambda:${region}:${accountId}:function:${functionName}`,
        );
        return;
      }
      const body = (await readBody(req)).toString('utf8');
      let event: unknown = {};
      if (body.trim() !== '') {
        try {
          event = JSON.parse(body);
        } catch {
          sendError(res, 400, 'InvalidRequestContentException', 'Could not parse request body into json');
          return;
        }
      }
      const typeHeader = String(req.headers['x-amz-invocation-type'] ?? 'RequestResponse');
      const invocationType: RecordedInvocation['invocationType'] =
        typeHeader === 'Event' || typeHeader === 'DryRun' ? typeHeader : 'RequestResponse';
      const record: RecordedInvocation = { functionName, invocationType, event };
      invocations.push(record);

      if (invocationType === 'DryRun') {
        res.writeHead(204).end();
        return;
      }
      const pending = run(functionName, handler, event, record);
      if (invocationType === 'Event') {
        res.writeHead(202).end();
        return;
      }
      const outcome = await pending;
      const headers: Record<string, string> = {
        'content-type': 'application/json',
        'x-amz-executed-version': '$LATEST',
      };
      if (req.headers['x-amz-log-type'] === 'Tail') {
        const bytes = Buffer.from(outcome.logs, 'utf8');
        headers['x-amz-log-result'] = bytes
          .subarray(Math.max(0, bytes.length - LOG_TAIL_BYTES))
          .toString('base64');
      }
      if ('error' in outcome) {
        headers['x-amz-function-error'] = 'Unhandled';
        res.writeHead(200, headers).end(JSON.stringify(errorPayload(outcome.error)));
        return;
      }
      res.writeHead(200, headers).end(JSON.stringify(outcome.value ?? null));
    } catch (error) {
      sendError(res, 500, 'ServiceException', error instanceof Error ? error.message : String(error));
    }
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    invocations,
    async close() {
      await queue.catch(() => undefined);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
