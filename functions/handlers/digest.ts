import { logger, withLogContext } from '../adapters/logger.ts';
import type { RecipientQueue } from '../core/ports.ts';
import { enqueueIssue } from '../core/send/enqueue.ts';
import { sendToSubscribers } from '../core/send/fan-out.ts';
import { planAndPrepare } from '../core/send/plan-and-prepare.ts';
import { unlimited } from '../core/send/rate-limiter.ts';
import { sendTestCopy } from '../core/send/test-copy.ts';
import { normalizeAddress } from '../core/subscribers/address.ts';
import { dedupeSubscribers } from '../core/subscribers/dedupe.ts';
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
    if (!event.dryRun && !to) {
      // One mailbox, one message: records an older version stored per spelling are merged first.
      const report = await dedupeSubscribers(rt.dedupeDeps);
      if (report.scanned > 0) {
        logger.info('dedupe', {
          scanned: report.scanned,
          merged: report.merged.length,
          erased: report.erased.length,
          moved: report.moved,
          upgraded: report.upgraded,
          conflicts: report.conflicts.length,
        });
      }
    }

    const start = await planAndPrepare(
      deps,
      { ...event, to },
      { quota: rt.sendQuota, configuredRate: rt.config.DIGEST_SEND_RATE },
    );
    if (start.kind === 'nothing-new') {
      logger.info('nothing to send', { reason: start.reason });
      return { status: 'nothing-new', message: `nothing to send: ${start.reason}` };
    }
    const { prepared } = start;
    const { issueId } = prepared.issue;
    logger.appendKeys({ issueId });

    if (start.kind === 'test-copy') {
      const messageId = await sendTestCopy(deps, prepared, start.to, undefined, event.dryRun);
      logger.info('test copy', { to: start.to, messageId });
      return {
        status: 'test-sent',
        issueId,
        message: `test copy of ${issueId} ${event.dryRun ? 'built' : 'sent'} for ${start.to}`,
      };
    }

    const { plan } = start;
    logger.info('send plan', {
      recipients: plan.recipients,
      rate: plan.rate,
      etaSeconds: plan.etaSeconds,
      remainingQuota: plan.remainingQuota,
    });
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
        recipients: plan.recipients,
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
