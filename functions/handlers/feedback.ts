import type { SNSEvent } from 'aws-lambda';
import { logger, withLogContext } from '../adapters/logger.ts';
import { applyFeedback, type FeedbackAction, parseFeedback } from '../core/subscribers/feedback.ts';
import { type Runtime, runtime } from '../wiring/runtime.ts';

/**
 * The feedback function: SES bounce and complaint notifications, delivered by SNS (the rules are in
 * core/subscribers/feedback.ts). A message that cannot be read is logged and dropped (retrying
 * cannot fix it); a store error is thrown so that SNS retries the delivery (the updates are idempotent).
 */

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
export const handler = withLogContext((event: SNSEvent) => {
  cached ??= makeFeedbackHandler(runtime());
  return cached(event);
});
