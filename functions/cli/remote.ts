import {
  InvokeCommand,
  type InvokeCommandOutput,
  LambdaClient,
  ResourceNotFoundException,
} from '@aws-sdk/client-lambda';
import { DigestError } from '../core/errors.ts';

/**
 * `digest send --remote`: runs the deployed digest function instead of the local pipeline. The
 * function is invoked synchronously with its log tail, so the CLI can print the run's report and
 * the last lines the function logged, and exit non-zero when the run failed.
 */

/** Stage of `npx cdk deploy` without `-c stage=…` (infra/config.ts uses the same default). */
export const DEFAULT_STAGE = 'dev';

/** What the digest function accepts (its scheduled invocation sends none of these). */
export interface RemoteSendPayload {
  dryRun?: boolean;
  to?: string;
  issueId?: string;
  retryUnknown?: boolean;
  force?: boolean;
}

export interface RemoteSendResult {
  /** false when the function threw (Lambda set `FunctionError`). */
  ok: boolean;
  /** The function's JSON result, or its error object (`errorType`, `errorMessage`) when ok is false. */
  report: unknown;
  /** The last 4 KB the invocation logged, decoded. */
  logTail?: string;
}

/** The deployed function could not be invoked at all (not found, no permission, network). */
export class RemoteInvokeError extends DigestError {
  override name = 'RemoteInvokeError';
  constructor(
    readonly functionName: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * The digest function's name: `DIGEST_FUNCTION_NAME` when set (a custom deployment), else the name
 * the stack gives it, `digest-<stage>-digest`.
 */
export function resolveFunctionName(options: {
  stage?: string | undefined;
  env?: Record<string, string | undefined>;
}): string {
  const fromEnv = options.env?.DIGEST_FUNCTION_NAME?.trim();
  if (fromEnv) return fromEnv;
  const stage = options.stage?.trim() || DEFAULT_STAGE;
  if (!/^[a-z][a-z0-9-]{0,19}$/.test(stage)) {
    throw new DigestError(
      `invalid stage "${stage}": 1-20 lowercase letters, digits or dashes, starting with a letter`,
    );
  }
  return `digest-${stage}-digest`;
}

/**
 * A Lambda client for remote sends: no SDK retries (a retried invocation would start a second run;
 * the run is idempotent, but a second report would hide the first one's outcome) and no socket
 * timeout shorter than the function's own limit. Endpoint and region come from the SDK's standard
 * variables (`AWS_REGION`, `AWS_ENDPOINT_URL_LAMBDA`).
 */
export function createRemoteLambdaClient(options: { region?: string } = {}): LambdaClient {
  return new LambdaClient({
    ...(options.region ? { region: options.region } : {}),
    maxAttempts: 1,
    requestHandler: { requestTimeout: 15 * 60 * 1000 + 30_000 },
  });
}

const withoutUndefined = (payload: RemoteSendPayload) =>
  Object.fromEntries(Object.entries(payload).filter(([, value]) => value !== undefined));

function decodeReport(bytes: Uint8Array | undefined): unknown {
  const text = bytes && bytes.length > 0 ? new TextDecoder().decode(bytes) : '';
  if (text === '') return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Invokes the digest function once (RequestResponse, log tail) and returns its report. */
export async function invokeRemoteSend(options: {
  functionName: string;
  payload: RemoteSendPayload;
  lambda: LambdaClient;
}): Promise<RemoteSendResult> {
  const { functionName, lambda } = options;
  let response: InvokeCommandOutput;
  try {
    response = await lambda.send(
      new InvokeCommand({
        FunctionName: functionName,
        InvocationType: 'RequestResponse',
        LogType: 'Tail',
        Payload: new TextEncoder().encode(JSON.stringify(withoutUndefined(options.payload))),
      }),
    );
  } catch (error) {
    if (error instanceof ResourceNotFoundException) {
      throw new RemoteInvokeError(
        functionName,
        `function ${functionName} not found: deploy the stack (npx cdk deploy), pass --stage, or set DIGEST_FUNCTION_NAME`,
        { cause: error },
      );
    }
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    throw new RemoteInvokeError(functionName, `could not invoke ${functionName}: ${reason}`, {
      cause: error,
    });
  }
  const report = decodeReport(response.Payload);
  const logTail = response.LogResult ? Buffer.from(response.LogResult, 'base64').toString('utf8') : undefined;
  return {
    ok: !response.FunctionError,
    report,
    ...(logTail !== undefined ? { logTail } : {}),
  };
}
