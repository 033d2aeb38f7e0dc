import type { SNSEvent } from 'aws-lambda';
import { logger, withLogContext } from '../adapters/logger.ts';
import { applyFeedback, type FeedbackAction, parseFeedback, sentByUs } from '../core/subscribers/feedback.ts';
import { type Runtime, runtime } from '../wiring/runtime.ts';

/**
 * The feedback function: SES bounce and complaint notifications, delivered by SNS (the rules are in
 * core/subscribers/feedback.ts). A message that cannot be read is logged and dropped (retrying
 * cannot fix it); one about a message we have no record of sending to that recipient is logged
 * and changes nothing; a store error is thrown so that SNS retries the delivery (the updates are
 * idempotent).
 */

export interface FeedbackResult {
  applied: number;
  unchanged: number;
  dropped: number;
  /** Recipients of a message we have no record of sending them: nothing changed. */
  unmatched: number;
}

export function makeFeedbackHandler(rt: Pick<Runtime, 'stores' | 'config'>) {
  const ledger = {
    deliveries: rt.stores.deliveries,
    issues: rt.stores.issues,
    subscribers: rt.stores.subscribers,
    deliveryTtlDays: rt.config.DIGEST_DELIVERY_TTL_DAYS,
  };
  return async (event: SNSEvent): Promise<FeedbackResult> => {
    const result: FeedbackResult = { applied: 0, unchanged: 0, dropped: 0, unmatched: 0 };
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
        const sent = await sentByUs(ledger, action.email, action.message);
        if (!sent) {
          result.unmatched++;
          // Ids only, never the address: the message and SNS ids are enough to look it up.
          logger.warn('feedback for a message we have no record of sending to that recipient', {
            kind: action.kind,
            sesMessageId: action.message.messageId,
            issue: action.message.tags.issue,
            messageId: record.Sns.MessageId,
          });
          continue;
        }
        const changed = await applyFeedback(rt.stores.subscribers, action);
        if (changed) result.applied++;
        else result.unchanged++;
        // The id, not the address, goes to the logs.
        logger.info('feedback', { kind: action.kind, about: sent, changed, messageId: record.Sns.MessageId });
      }
    }
    return result;
  };
}

let cached: ReturnType<typeof makeFeedbackHandler> | undefined;
export const handler = withLogContext((event: SNSEvent) => {
  cached ??= makeFeedbackHandler(runtime());
  return cached(event);
});
