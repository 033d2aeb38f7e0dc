import { compileMessage, fillMessage } from '../render/mime.ts';
import { unsubscribeUrl } from './deliver.ts';
import type { IssueToSend, SendDeps } from './fan-out.ts';

/** A test send of the issue to one address: no delivery record, no issue state, not a subscriber. */
export async function sendTestCopy(
  deps: Pick<SendDeps, 'sender' | 'settings' | 'tokenKeys'>,
  prepared: IssueToSend,
  email: string,
  onRawMessage?: (email: string, raw: Buffer) => Promise<void>,
  dryRun = false,
): Promise<string | undefined> {
  // The same message a subscriber gets, built the same way, but for its subject.
  const skeleton = await compileMessage(prepared.compiled, {
    ...deps.settings,
    subject: `[TEST] ${prepared.compiled.subject}`,
  });
  const url = unsubscribeUrl(deps.settings.publicUrl, deps.tokenKeys, email);
  const raw = fillMessage(skeleton, { email, unsubscribeUrl: url });
  await onRawMessage?.(email, raw);
  if (dryRun) return undefined;
  return deps.sender.sendRaw(raw, {
    tags: { issue: prepared.issue.issueId, subscriber: 'test' },
    configurationSet: deps.settings.configurationSet,
  });
}
