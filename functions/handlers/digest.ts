import { DynamoRecipientLookup } from '../adapters/dynamo/delivery-store.ts';
import { logger } from '../adapters/logger.ts';
import { SqsRecipientQueue } from '../adapters/sqs-queue.ts';
import { ConfigError, SendingHaltedError } from '../core/errors.ts';
import { prepareIssue, sendTestCopy, sendToSubscribers } from '../core/issue/prepare.ts';
import type { RecipientQueue } from '../core/ports.ts';
import { planSend } from '../core/send/plan.ts';
import { unlimited } from '../core/send/rate-limiter.ts';
import { normalizeAddress } from '../core/subscribers/address.ts';
import { type Runtime, runtime } from '../wiring/runtime.ts';
import { sendQuota } from '../wiring/settings.ts';

/** What the schedule (`{}`) or `digest send --remote` passes. */
export interface DigestEvent {
  dryRun?: boolean;
  to?: string;
  issueId?: string;
  retryUnknown?: boolean;
  force?: boolean;
  includeSent?: boolean;
}

export interface DigestResult {
  status: 'queued' | 'nothing-new' | 'test-sent' | 'dry-run';
  issueId?: string;
  recipients?: number;
  counts?: Record<string, number>;
  message: string;
}

const PAGE = 500;

/**
 * The digest function: builds (or resumes) the issue once, stores it, then pages through the
 * confirmed subscribers and queues one message per recipient for the send function.
 */
export function makeDigestHandler(rt: Runtime, queue?: RecipientQueue) {
  return async (event: DigestEvent = {}): Promise<DigestResult> => {
    const deps = await rt.pipelineDeps();
    deps.onEvent = (e) => logger.info(e.type, { ...e });
    const to = event.to ? normalizeAddress(event.to) : undefined;
    const persist = !event.dryRun && !to;
    const prepared = await prepareIssue(deps, {
      issueId: event.issueId,
      includeSent: event.includeSent,
      persist,
    });
    if (prepared.kind === 'nothing-new') {
      logger.info('nothing to send', { reason: prepared.reason });
      return { status: 'nothing-new', message: `nothing to send: ${prepared.reason}` };
    }
    const { issueId } = prepared.issue;
    logger.appendKeys({ issueId });

    if (to) {
      const messageId = await sendTestCopy(deps, prepared, to, undefined, event.dryRun);
      logger.info('test copy', { to, messageId });
      return {
        status: 'test-sent',
        issueId,
        message: `test copy of ${issueId} ${event.dryRun ? 'built' : 'sent'} for ${to}`,
      };
    }

    const recipients = await deps.subscribers.countByStatus('confirmed');
    const plan = planSend(recipients, await sendQuota(rt.config, deps.sender), rt.config.DIGEST_SEND_RATE);
    logger.info('send plan', {
      recipients,
      rate: plan.rate,
      etaSeconds: plan.etaSeconds,
      remainingQuota: plan.remainingQuota,
    });
    if (plan.refusal && !event.force)
      throw new SendingHaltedError('plan', `refusing to send: ${plan.refusal}`);

    if (event.dryRun) {
      // Everything but the SES call, in this function: nothing stored changes.
      const report = await sendToSubscribers(deps, prepared, {
        dryRun: true,
        concurrency: rt.config.DIGEST_SEND_CONCURRENCY,
        limiter: unlimited,
        lookup: new DynamoRecipientLookup(rt.clients.ddb, rt.config.SUBSCRIBERS_TABLE),
      });
      const { issueId: _i, state: _s, halted: _h, ...counts } = report;
      logger.info('dry run', counts);
      return {
        status: 'dry-run',
        issueId,
        recipients,
        counts,
        message: `dry run of ${issueId}: ${report.dryRun} built, none sent`,
      };
    }

    const target = queue ?? defaultQueue(rt);
    let queued = 0;
    for await (const page of deps.subscribers.pagesByStatus('confirmed', PAGE)) {
      queued += await target.enqueue(
        page.map((email) => ({ issueId, email, ...(event.retryUnknown ? { retryUnknown: true } : {}) })),
      );
    }
    await deps.issues.setEnqueued(issueId, queued);
    if (queued === 0) await deps.issues.setState(issueId, 'sent');
    logger.info('queued', { recipients: queued, origin: prepared.origin });
    return {
      status: 'queued',
      issueId,
      recipients: queued,
      message: `${queued} recipient(s) of ${issueId} queued for sending`,
    };
  };
}

function defaultQueue(rt: Runtime): RecipientQueue {
  const url = rt.config.DIGEST_SEND_QUEUE_URL;
  if (!url)
    throw new ConfigError(['DIGEST_SEND_QUEUE_URL: required for the digest function to queue recipients']);
  return new SqsRecipientQueue(rt.clients.sqs, url);
}

let handle: ((event: DigestEvent) => Promise<DigestResult>) | undefined;
export const handler = async (event: DigestEvent): Promise<DigestResult> => {
  handle ??= makeDigestHandler(runtime());
  return handle(event ?? {});
};
