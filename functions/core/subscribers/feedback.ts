import type { SubscriberStatus } from '../model.ts';
import type { DeliveryStore, IssueStore, SubscriberLifecycle, SubscriberStore } from '../ports.ts';
import { normalizeAddress } from './address.ts';

/**
 * SES bounce and complaint notifications, in both shapes SES writes them: identity notifications
 * (`notificationType`) and configuration-set events (`eventType`).
 *   - permanent bounce → `bounced`; complaint → `complained` (never mailed again);
 *   - transient or undetermined bounce → counted in `softBounces`, status unchanged.
 * Only for a message we sent to that recipient (see `sentByUs`): a notification that names an
 * address we never mailed, or a message we have no record of, changes nothing.
 */

/** What identifies the message a notification is about: SES's id, and the tags we sent it with. */
export interface FeedbackMessage {
  messageId?: string | undefined;
  /** Our SendRawEmail tags as SES echoes them (`issue`, `subscriber`, `kind`), first value each. */
  tags: Record<string, string>;
}

export type FeedbackAction =
  | { kind: 'hard-bounce'; email: string; message: FeedbackMessage }
  | { kind: 'soft-bounce'; email: string; message: FeedbackMessage }
  | { kind: 'complaint'; email: string; message: FeedbackMessage };

interface SesRecipient {
  emailAddress?: unknown;
}
interface SesNotification {
  notificationType?: unknown;
  eventType?: unknown;
  mail?: { messageId?: unknown; tags?: Record<string, unknown> };
  bounce?: { bounceType?: unknown; bouncedRecipients?: SesRecipient[] };
  complaint?: { complainedRecipients?: SesRecipient[] };
}

function messageOf(n: SesNotification): FeedbackMessage {
  const tags: Record<string, string> = {};
  for (const [name, value] of Object.entries(n.mail?.tags ?? {})) {
    const first = Array.isArray(value) ? value[0] : value;
    if (typeof first === 'string') tags[name] = first;
  }
  const messageId = typeof n.mail?.messageId === 'string' ? n.mail.messageId : undefined;
  return { messageId, tags };
}

/** SES may write a recipient as `"Name" <a@b>`: take the address inside the angle brackets. */
function recipientAddress(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const inner = /<([^<>]+)>\s*$/.exec(value)?.[1] ?? value;
  try {
    return normalizeAddress(inner);
  } catch {
    return undefined;
  }
}

/** The actions one SES notification asks for; throws when the message is not SES feedback JSON. */
export function parseFeedback(json: string): FeedbackAction[] {
  const n = JSON.parse(json) as SesNotification;
  if (typeof n !== 'object' || n === null) throw new Error('not an SES notification object');
  const type = n.notificationType ?? n.eventType;
  const actions: FeedbackAction[] = [];
  const message = messageOf(n);
  if (type === 'Bounce') {
    const hard = n.bounce?.bounceType === 'Permanent';
    for (const r of n.bounce?.bouncedRecipients ?? []) {
      const email = recipientAddress(r.emailAddress);
      if (email) actions.push({ kind: hard ? 'hard-bounce' : 'soft-bounce', email, message });
    }
  } else if (type === 'Complaint') {
    for (const r of n.complaint?.complainedRecipients ?? []) {
      const email = recipientAddress(r.emailAddress);
      if (email) actions.push({ kind: 'complaint', email, message });
    }
  } else if (typeof type !== 'string') {
    throw new Error('neither notificationType nor eventType is set');
  }
  return actions;
}

const NOT_AFTER: Record<'bounced' | 'complained', SubscriberStatus[]> = {
  // An unsubscribed address that hard-bounces is suppressed either way: keep what the person chose.
  bounced: ['pending', 'confirmed'],
  complained: ['pending', 'confirmed', 'unsubscribed', 'bounced'],
};

export interface SentLedger {
  deliveries: Pick<DeliveryStore, 'get'>;
  issues: Pick<IssueStore, 'list'>;
  subscribers: Pick<SubscriberLifecycle, 'getStored'>;
  /** Delivery records live this long: no older issue can match. */
  deliveryTtlDays: number;
  now?: () => Date;
}

/** Issues looked through for a notification that carries no issue tag (identity notifications). */
const UNTAGGED_ISSUES = 60;

/**
 * Which of our messages the notification is about, if we sent it to this recipient: a digest (the
 * mailbox's delivery record for the tagged issue, or a recent one, holds this SES message id) or a
 * confirmation mail (the mailbox's log holds it). Undefined when no record of ours matches: the
 * notification is then not acted on (SNS from SES is the only way in, so this is defence in depth).
 */
export async function sentByUs(
  ledger: SentLedger,
  email: string,
  message: FeedbackMessage,
): Promise<'digest' | 'confirmation' | undefined> {
  const { messageId, tags } = message;
  if (!messageId) return undefined;
  if (tags.kind === 'confirm' || tags.issue === undefined) {
    const stored = await ledger.subscribers.getStored(email);
    if (stored?.confirmMails?.some((m) => m.messageId === messageId)) return 'confirmation';
    if (tags.kind === 'confirm') return undefined;
  }
  let issueIds: string[];
  if (tags.issue !== undefined) issueIds = [tags.issue];
  else {
    const cutoff = (ledger.now?.() ?? new Date()).getTime() - ledger.deliveryTtlDays * 86_400_000;
    issueIds = (await ledger.issues.list())
      .filter((i) => Date.parse(i.createdAt) >= cutoff)
      .slice(0, UNTAGGED_ISSUES)
      .map((i) => i.issueId);
  }
  for (const issueId of issueIds) {
    if ((await ledger.deliveries.get(issueId, email))?.messageId === messageId) return 'digest';
  }
  return undefined;
}

export async function applyFeedback(
  store: Pick<SubscriberStore, 'setStatus' | 'incrementSoftBounces'>,
  action: FeedbackAction,
): Promise<boolean> {
  switch (action.kind) {
    case 'hard-bounce':
      return store.setStatus(action.email, 'bounced', { from: NOT_AFTER.bounced });
    case 'complaint':
      return store.setStatus(action.email, 'complained', { from: NOT_AFTER.complained });
    case 'soft-bounce':
      await store.incrementSoftBounces(action.email);
      return true;
  }
}
