import { LambdaClient } from '@aws-sdk/client-lambda';
import { note, out } from '../output.ts';
import { invokeRemoteSend, resolveFunctionName } from '../remote.ts';

/** `digest send --remote`: invoke the deployed digest function and print its report. */
export async function runRemote(options: {
  stage: string;
  payload: { dryRun?: boolean; to?: string; issueId?: string; retryUnknown?: boolean; force?: boolean };
}): Promise<number> {
  const functionName = resolveFunctionName({ stage: options.stage, env: process.env });
  note(`Invoking ${functionName}…`);
  const lambda = new LambdaClient({});
  try {
    const result = await invokeRemoteSend({ functionName, payload: options.payload, lambda });
    if (result.logTail) note(result.logTail.trimEnd());
    out(JSON.stringify(result.report, null, 2));
    return result.ok ? 0 : 1;
  } finally {
    lambda.destroy();
  }
}
