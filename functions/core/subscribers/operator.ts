import { randomUUID } from 'node:crypto';
import { ValidationError } from '../errors.ts';
import { SUPPRESSED_STATUSES, type SubscriberStatus } from '../model.ts';
import type { SubscriberLifecycle } from '../ports.ts';

export type OperatorAddResult = { outcome: 'added' } | { outcome: 'forced'; overrode: string };

/**
 * `digest subscribers add`: the operator adds someone whose consent they collected. An address
 * that was erased, or that unsubscribed, bounced or complained, is refused with the reason (the
 * person asked not to be mailed, or their mailbox refuses us) unless `force`: then the operator's
 * decision, and what it overrode, is recorded in the consent record.
 */
export async function addByOperator(
  store: Pick<SubscriberLifecycle, 'create' | 'get' | 'isErased' | 'clearErased' | 'setStatus'>,
  input: { email: string; status: SubscriberStatus; name?: string | undefined; force: boolean },
  now = new Date(),
): Promise<OperatorAddResult> {
  const at = now.toISOString();
  const { email, status, force } = input;
  const consent = (overrode?: string) => ({
    source: 'cli' as const,
    subscribedAt: at,
    ...(status === 'confirmed' ? { confirmedAt: at } : {}),
    ...(overrode ? { note: `added with --force by the operator over its ${overrode} status on ${at}` } : {}),
  });

  const erased = await store.isErased(email);
  if (erased && !force) {
    throw new ValidationError(
      `${email} was erased at the person's request (only a hash of it is kept), so it is not added again; ` +
        'if they asked to be added back, run again with --force (recorded in the consent record)',
    );
  }
  const created = await store.create({
    email,
    id: randomUUID(),
    status,
    name: input.name,
    createdAt: at,
    updatedAt: at,
    consent: consent(erased ? 'erased' : undefined),
  });
  if (created) {
    // The profile first, then the entry: a crash between leaves both, which dedupe resolves as
    // erased (the safe side).
    if (erased) await store.clearErased(email);
    return erased ? { outcome: 'forced', overrode: 'erased' } : { outcome: 'added' };
  }
  const existing = await store.get(email);
  if (!existing) throw new ValidationError(`${email} changed while being added; run the command again`);
  if (!SUPPRESSED_STATUSES.includes(existing.status)) {
    throw new ValidationError(`${email} is already on the list (status: ${existing.status})`);
  }
  if (!force) {
    const why = {
      unsubscribed: 'the person unsubscribed',
      bounced: 'mail to it bounced permanently',
      complained: 'the person marked the digest as spam',
    }[existing.status as 'unsubscribed' | 'bounced' | 'complained'];
    throw new ValidationError(
      `${email} is ${existing.status} (${why}), so it is not added again; ` +
        'if the person asked to be added back, run again with --force (recorded in the consent record)',
    );
  }
  // A new consent record: the old one was for a subscription the person ended.
  const changed = await store.setStatus(email, status, {
    from: [existing.status],
    newConsent: consent(existing.status),
  });
  if (!changed) throw new ValidationError(`${email} changed while being added; run the command again`);
  return { outcome: 'forced', overrode: existing.status };
}
