import { buildMessage } from '../render/mime.ts';
import { personalize } from '../render/personalize.ts';
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
  const url = unsubscribeUrl(deps.settings.publicUrl, deps.tokenKeys, email);
  const body = personalize(prepared.compiled, { email, unsubscribeUrl: url });
  const raw = await buildMessage({
    from: deps.settings.from,
    to: email,
    replyTo: deps.settings.replyTo,
    subject: `[TEST] ${prepared.compiled.subject}`,
    html: body.html,
    text: body.text,
    listId: deps.settings.listId,
    listName: deps.settings.listName,
    unsubscribeUrl: url,
    unsubscribeMailto: deps.settings.unsubscribeMailto,
    configurationSet: deps.settings.configurationSet,
  });
  await onRawMessage?.(email, raw);
  if (dryRun) return undefined;
  return deps.sender.sendRaw(raw, {
    tags: { issue: prepared.issue.issueId, subscriber: 'test' },
    configurationSet: deps.settings.configurationSet,
  });
}
