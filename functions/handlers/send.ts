import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import pLimit from 'p-limit';
import { logger, withLogContext } from '../adapters/logger.ts';
import { parseRecipientMessage } from '../adapters/sqs-queue.ts';
import { loadCompiledIssue } from '../core/issue/stored.ts';
import type { IssueCounts } from '../core/model.ts';
import type { RecipientMessage } from '../core/ports.ts';
import { type Attempt, attemptDelivery } from '../core/send/attempt.ts';
import {
  createDeliverer,
  type Deliver,
  type Known,
  lookupRecipients,
  type Outcome,
} from '../core/send/deliver.ts';
import { SendRateLimiter } from '../core/send/rate-limiter.ts';
import { type Runtime, runtime } from '../wiring/runtime.ts';

/** Outcomes that SQS should retry (a redelivery then finds the delivery record and does the right thing). */
const RETRY: ReadonlySet<Outcome> = new Set(['failed', 'unknown', 'halted']);

/**
 * The send function: one SQS message per recipient. Returns batchItemFailures for exactly the
 * recipients that did not end well, so SQS retries only those and the DLQ catches the rest.
 * The compiled issue is loaded once per container and issue; MJML is never needed here.
 */
export function makeSendHandler(rt: Runtime) {
  const deliverers = new Map<string, Promise<Deliver>>();
  let limiter: SendRateLimiter | undefined;

  async function rate(): Promise<number> {
    const configured = rt.config.DIGEST_SEND_RATE ?? (await rt.sendQuota()).maxSendRate;
    // Each concurrent send function takes its share of the account's rate.
    return Math.max(0.1, configured / rt.config.DIGEST_SEND_FUNCTION_CONCURRENCY);
  }

  function deliverer(issueId: string): Promise<Deliver> {
    let found = deliverers.get(issueId);
    if (!found) {
      found = (async () => {
        const deps = await rt.pipelineDeps();
        const compiled = await loadCompiledIssue(deps.blobs, issueId);
        if (!compiled) throw new Error(`compiled issue ${issueId} is not in the store`);
        limiter ??= new SendRateLimiter(await rate());
        return createDeliverer(
          {
            subscribers: deps.subscribers,
            deliveries: deps.deliveries,
            sender: deps.sender,
            tokenKeys: deps.tokenKeys,
            limiter,
            settings: deps.settings,
            onNotice: (email, message) => logger.warn('recipient', { issueId, email, message }),
          },
          compiled,
        );
      })();
      found.catch(() => deliverers.delete(issueId));
      deliverers.set(issueId, found);
    }
    return found;
  }

  return async (event: SQSEvent): Promise<SQSBatchResponse> => {
    const failures: string[] = [];
    const counts: Record<string, number> = {};
    const halt: { reason: string } | { reason?: undefined } = {};
    const limit = pLimit(rt.config.DIGEST_SEND_CONCURRENCY);
    const lookup = rt.stores.recipients;

    // The suppression re-check and the delivery records of the whole batch, read in one go now
    // (a batch is a handful of messages); if that read fails, each recipient reads for itself.
    const parsed = new Map<string, RecipientMessage | Error>();
    for (const record of event.Records) {
      try {
        parsed.set(record.messageId, parseRecipientMessage(record.body));
      } catch (error) {
        parsed.set(record.messageId, error as Error);
      }
    }
    const known = new Map<string, Known>();
    const byIssue = new Map<string, string[]>();
    for (const m of parsed.values()) {
      if (!(m instanceof Error)) byIssue.set(m.issueId, [...(byIssue.get(m.issueId) ?? []), m.email]);
    }
    for (const [issueId, emails] of byIssue) {
      try {
        const deps = await rt.pipelineDeps();
        const found = await lookupRecipients(lookup, deps.deliveries, issueId, [...new Set(emails)]);
        for (const [email, k] of found) known.set(`${issueId} ${email}`, k);
      } catch (error) {
        logger.warn('batch read failed, reading one by one', { issueId, error });
      }
    }

    async function one(record: SQSRecord): Promise<void> {
      let outcome: Outcome;
      let issueId: string | undefined;
      const message = parsed.get(record.messageId);
      if (!message || message instanceof Error) {
        logger.error('unreadable recipient message', { messageId: record.messageId, error: message });
        outcome = 'failed';
      } else {
        issueId = message.issueId;
        let attempt: Attempt;
        try {
          const deliver = await deliverer(message.issueId);
          attempt = await attemptDelivery(
            deliver,
            message.email,
            {
              retryUnknown: message.retryUnknown ?? false,
              // Read at every step, so a halt stops the other recipients' retries too.
              get halt() {
                return halt.reason ? { reason: halt.reason } : undefined;
              },
            },
            known.get(`${message.issueId} ${message.email}`),
          );
        } catch (error) {
          attempt = { outcome: 'failed', error }; // the compiled issue could not be loaded
        }
        outcome = attempt.outcome;
        if (attempt.halt) {
          // SES paused or the daily quota is used up: stop this batch; SQS brings the rest back later.
          halt.reason ??= attempt.halt.message;
          logger.error('sending halted', { error: attempt.halt });
          outcome = 'halted';
        } else if (attempt.error !== undefined) {
          logger.error('recipient failed', { messageId: record.messageId, error: attempt.error });
        }
      }
      counts[outcome] = (counts[outcome] ?? 0) + 1;
      if (RETRY.has(outcome)) failures.push(record.messageId);
      // Outcomes that end a recipient's story count towards the issue's completion.
      if (issueId && !RETRY.has(outcome) && outcome !== 'dry-run') {
        const state = await rt.stores.issues
          .recordOutcome(issueId, outcome as keyof IssueCounts)
          .catch((error: unknown) => {
            logger.warn('could not count outcome', { issueId, error });
            return undefined;
          });
        if (state) logger.info('issue finished', { issueId, state });
      }
    }

    await Promise.all(event.Records.map((record) => limit(() => one(record))));
    logger.info('batch done', { records: event.Records.length, ...counts, retried: failures.length });
    return { batchItemFailures: failures.map((itemIdentifier) => ({ itemIdentifier })) };
  };
}

let handle: ((event: SQSEvent) => Promise<SQSBatchResponse>) | undefined;
export const handler = withLogContext(async (event: SQSEvent): Promise<SQSBatchResponse> => {
  handle ??= makeSendHandler(runtime());
  return handle(event);
});
