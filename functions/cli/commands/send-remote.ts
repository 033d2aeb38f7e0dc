import { note, out } from '../output.ts';
import {
  createRemoteLambdaClient,
  invokeRemoteSend,
  type RemoteSendPayload,
  resolveFunctionName,
} from '../remote.ts';

/**
 * `digest send --remote`: invoke the deployed digest function, print its log tail and report, and
 * return a non-zero exit code when the function failed. An invocation that cannot happen at all
 * (unknown function, no permission) throws RemoteInvokeError, a DigestError the CLI prints.
 */
export async function runRemote(options: { stage: string; payload: RemoteSendPayload }): Promise<number> {
  const functionName = resolveFunctionName({ stage: options.stage, env: process.env });
  note(`Invoking ${functionName}…`);
  const lambda = createRemoteLambdaClient();
  try {
    const result = await invokeRemoteSend({ functionName, payload: options.payload, lambda });
    if (result.logTail) note(result.logTail.trimEnd());
    out(JSON.stringify(result.report, null, 2));
    return result.ok ? 0 : 1;
  } finally {
    lambda.destroy();
  }
}
