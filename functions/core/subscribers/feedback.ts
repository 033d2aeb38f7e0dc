import type { SubscriberStatus } from '../model.ts';
import type { SubscriberStore } from '../ports.ts';
import { normalizeAddress } from './address.ts';

/**
 * SES bounce and complaint notifications, in both shapes SES writes them: identity notifications
 * (`notificationType`) and configuration-set events (`eventType`).
 *   - permanent bounce → `bounced`; complaint → `complained` (never mailed again);
 *   - transient or undetermined bounce → counted in `softBounces`, status unchanged.
 */

export type FeedbackAction =
  | { kind: 'hard-bounce'; email: string }
  | { kind: 'soft-bounce'; email: string }
  | { kind: 'complaint'; email: string };

interface SesRecipient {
  emailAddress?: unknown;
}
interface SesNotification {
  notificationType?: unknown;
  eventType?: unknown;
  bounce?: { bounceType?: unknown; bouncedRecipients?: SesRecipient[] };
  complaint?: { complainedRecipients?: SesRecipient[] };
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
export function parseFeedback(message: string): FeedbackAction[] {
  const n = JSON.parse(message) as SesNotification;
  if (typeof n !== 'object' || n === null) throw new Error('not an SES notification object');
  const type = n.notificationType ?? n.eventType;
  const actions: FeedbackAction[] = [];
  if (type === 'Bounce') {
    const hard = n.bounce?.bounceType === 'Permanent';
    for (const r of n.bounce?.bouncedRecipients ?? []) {
      const email = recipientAddress(r.emailAddress);
      if (email) actions.push({ kind: hard ? 'hard-bounce' : 'soft-bounce', email });
    }
  } else if (type === 'Complaint') {
    for (const r of n.complaint?.complainedRecipients ?? []) {
      const email = recipientAddress(r.emailAddress);
      if (email) actions.push({ kind: 'complaint', email });
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
