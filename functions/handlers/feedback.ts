import type { SNSEvent } from 'aws-lambda';
import { logger } from '../adapters/logger.ts';
import type { SubscriberStatus } from '../core/model.ts';
import type { SubscriberStore } from '../core/ports.ts';
import { normalizeAddress } from '../core/subscribers/address.ts';
import { type Runtime, runtime } from '../wiring/runtime.ts';

/**
 * The feedback function: SES bounce and complaint notifications, delivered by SNS. Both shapes
 * are read: identity notifications (`notificationType`) and configuration-set events (`eventType`).
 *   - permanent bounce → `bounced`; complaint → `complained` (never mailed again);
 *   - transient or undetermined bounce → counted in `softBounces`, status unchanged.
 * A message that cannot be read is logged and dropped (retrying cannot fix it); a store error is
 * thrown so that SNS retries the delivery (the updates are idempotent).
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

export interface FeedbackResult {
  applied: number;
  unchanged: number;
  dropped: number;
}

export function makeFeedbackHandler(rt: Pick<Runtime, 'stores'>) {
  return async (event: SNSEvent): Promise<FeedbackResult> => {
    const result: FeedbackResult = { applied: 0, unchanged: 0, dropped: 0 };
    for (const record of event.Records ?? []) {
      let actions: FeedbackAction[];
      try {
        actions = parseFeedback(record.Sns.Message);
      } catch (error) {
        result.dropped++;
        logger.error('unreadable notification', { messageId: record.Sns?.MessageId, error });
        continue;
      }
      for (const action of actions) {
        const changed = await applyFeedback(rt.stores.subscribers, action);
        if (changed) result.applied++;
        else result.unchanged++;
        // The id, not the address, goes to the logs.
        logger.info('feedback', { kind: action.kind, changed, messageId: record.Sns.MessageId });
      }
    }
    return result;
  };
}

let cached: ReturnType<typeof makeFeedbackHandler> | undefined;
export const handler = (event: SNSEvent) => {
  cached ??= makeFeedbackHandler(runtime());
  return cached(event);
};
