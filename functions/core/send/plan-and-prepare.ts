import { SendingHaltedError } from '../errors.ts';
import { type PreparedIssue, prepareIssue } from '../issue/prepare.ts';
import type { PipelineDeps } from '../pipeline.ts';
import type { SendQuota } from '../ports.ts';
import { planSend, type SendPlan } from './plan.ts';

/** What a digest run was asked to do (`digest send` flags, or the digest function's event). */
export interface DigestRequest {
  dryRun?: boolean | undefined;
  /** A test copy to this one address: no plan, nothing stored. */
  to?: string | undefined;
  issueId?: string | undefined;
  includeSent?: boolean | undefined;
  /** Send even when the 24-hour quota looks too small for the list. */
  force?: boolean | undefined;
}

export type DigestStart =
  | { kind: 'nothing-new'; reason: string }
  | { kind: 'test-copy'; prepared: PreparedIssue; to: string }
  | { kind: 'send'; prepared: PreparedIssue; plan: SendPlan };

/**
 * The first half of every digest run, wherever it delivers (in process, or through the queue):
 * the send plan comes first, so a refused send leaves nothing stored behind (no half-started
 * issue); then the issue is chosen and prepared, stored unless this is a dry run or a test copy.
 */
export async function planAndPrepare(
  deps: PipelineDeps,
  request: DigestRequest,
  limits: { quota: () => Promise<SendQuota>; configuredRate?: number | undefined },
): Promise<DigestStart> {
  let plan: SendPlan | undefined;
  if (request.to === undefined) {
    const recipients = await deps.subscribers.countByStatus('confirmed');
    plan = planSend(recipients, await limits.quota(), limits.configuredRate);
    if (plan.refusal && !request.force)
      throw new SendingHaltedError('plan', `refusing to send: ${plan.refusal}`);
  }
  const prepared = await prepareIssue(deps, {
    issueId: request.issueId,
    includeSent: request.includeSent,
    persist: !request.dryRun && !request.to,
  });
  if (prepared.kind === 'nothing-new') return prepared;
  return request.to
    ? { kind: 'test-copy', prepared, to: request.to }
    : { kind: 'send', prepared, plan: plan as SendPlan };
}
