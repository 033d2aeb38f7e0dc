import { logger, withLogContext } from '../adapters/logger.ts';
import { SendingHaltedError } from '../core/errors.ts';
import { prepareIssue } from '../core/issue/prepare.ts';
import type { RecipientQueue } from '../core/ports.ts';
import { enqueueIssue } from '../core/send/enqueue.ts';
import { sendToSubscribers } from '../core/send/fan-out.ts';
import { planSend } from '../core/send/plan.ts';
import { unlimited } from '../core/send/rate-limiter.ts';
import { sendTestCopy } from '../core/send/test-copy.ts';
import { normalizeAddress } from '../core/subscribers/address.ts';
import { type Runtime, runtime } from '../wiring/runtime.ts';

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

/**
 * The digest function: plans the send, builds (or resumes) the issue once and stores it, then
 * queues one message per confirmed recipient for the send function.
 */
export function makeDigestHandler(rt: Runtime, queue?: RecipientQueue) {
  return async (event: DigestEvent = {}): Promise<DigestResult> => {
    const deps = await rt.pipelineDeps();
    deps.onEvent = (e) => logger.info(e.type, { ...e });
    const to = event.to ? normalizeAddress(event.to) : undefined;

    // The plan comes first: a refused send leaves nothing stored behind (no half-started issue).
    let plan: ReturnType<typeof planSend> | undefined;
    if (!to) {
      const recipients = await deps.subscribers.countByStatus('confirmed');
      plan = planSend(recipients, await rt.sendQuota(), rt.config.DIGEST_SEND_RATE);
      logger.info('send plan', {
        recipients,
        rate: plan.rate,
        etaSeconds: plan.etaSeconds,
        remainingQuota: plan.remainingQuota,
      });
      if (plan.refusal && !event.force)
        throw new SendingHaltedError('plan', `refusing to send: ${plan.refusal}`);
    }

    const prepared = await prepareIssue(deps, {
      issueId: event.issueId,
      includeSent: event.includeSent,
      persist: !event.dryRun && !to,
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

    if (event.dryRun) {
      // Everything but the SES call, in this function: nothing stored changes.
      const report = await sendToSubscribers(deps, prepared, {
        dryRun: true,
        concurrency: rt.config.DIGEST_SEND_CONCURRENCY,
        limiter: unlimited,
        lookup: rt.stores.recipients,
      });
      const { issueId: _i, state: _s, halted: _h, ...counts } = report;
      logger.info('dry run', counts);
      return {
        status: 'dry-run',
        issueId,
        recipients: plan?.recipients ?? report.recipients,
        counts,
        message: `dry run of ${issueId}: ${report.dryRun} built, none sent`,
      };
    }

    const queued = await enqueueIssue({ ...deps, queue: queue ?? rt.queue() }, issueId, {
      retryUnknown: event.retryUnknown,
    });
    logger.info('queued', { recipients: queued, origin: prepared.origin });
    return {
      status: 'queued',
      issueId,
      recipients: queued,
      message: `${queued} recipient(s) of ${issueId} queued for sending`,
    };
  };
}

let handle: ((event: DigestEvent) => Promise<DigestResult>) | undefined;
export const handler = withLogContext(async (event: DigestEvent): Promise<DigestResult> => {
  handle ??= makeDigestHandler(runtime());
  return handle(event ?? {});
});
