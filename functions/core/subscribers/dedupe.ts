import { addressOf, type SubscriberStatus } from '../model.ts';
import type { Clock, DeliveryStore, IssueStore, StoredSubscriber, SubscriberLifecycle } from '../ports.ts';
import { mailboxKey } from './address.ts';
import { suppressionKey } from './suppression.ts';

/**
 * The identity migration: one mailbox, one subscriber. Versions before identity keys stored a
 * subscriber under the spelling it came with, so `a@x.com`, `A@x.com` and `A@X.COM` could be three
 * confirmed records getting three copies of every digest. This merges each mailbox's records into
 * one, stored under the mailbox key with the spelling of the record kept.
 *
 * Which record is kept: the strictest status wins (complained > bounced > unsubscribed > confirmed
 * > pending), then the oldest. Its consent data is kept as it is. If the mailbox was erased (a
 * suppression entry exists) and the strictest record is not a pending re-signup, the erasure wins
 * and no profile is kept.
 *
 * Why a crash loses and doubles nothing (DynamoDB has transactions, dynalite has not, so there is
 * an order instead): for each mailbox,
 *   1. the delivery records of every spelling are carried to the mailbox key (idempotent), so a
 *      re-run of an old issue still finds who had it;
 *   2. the kept record is written under the mailbox key, only if what is there is still what was
 *      read (conditional on status and updatedAt);
 *   3. only then are the other spellings deleted, each only if unchanged since it was read.
 * A crash after 1 or 2 leaves the old records in place: the next run finds them (they still lack
 * `address`), merges the same set again to the same result, and deletes them. A record changed by
 * someone else meanwhile (an unsubscribe) fails its condition and is left for the next run, which
 * merges it with its new status. Sending is safe throughout: delivery records are per mailbox, so
 * two spellings still waiting to be merged share one record and get one message.
 *
 * Only records an older version wrote are looked at (current writes always set `address`), so a
 * run over a migrated list reads, but returns and changes, nothing: it runs before every send.
 */

const STRICTNESS: Record<SubscriberStatus, number> = {
  pending: 0,
  confirmed: 1,
  unsubscribed: 2,
  bounced: 3,
  complained: 4,
};

export interface MailboxPlan {
  key: string;
  /** The one record the mailbox keeps, under its key; undefined when its erasure wins. */
  keep?: StoredSubscriber | undefined;
  /** The record it replaces under the key, as read (undefined: none there). */
  replaces?: StoredSubscriber | undefined;
  /** Records under other keys (spellings), deleted once `keep` is written. */
  remove: StoredSubscriber[];
  /** Every record but the one kept (for the report: what was merged into it, or erased). */
  mergedAway: StoredSubscriber[];
  /** What happened to the mailbox, for the report. */
  outcome: 'merged' | 'moved' | 'erased' | 'upgraded';
}

/** The decision for one mailbox, from all its records (under its key and under spellings). */
export function planMailbox(
  key: string,
  records: StoredSubscriber[],
  erased: boolean,
  now: Date,
): MailboxPlan {
  const atKey = records.find((r) => r.email === key);
  const ranked = [...records].sort(
    (a, b) =>
      STRICTNESS[b.status] - STRICTNESS[a.status] ||
      (a.createdAt ?? '').localeCompare(b.createdAt ?? '') ||
      Number(b.email === key) - Number(a.email === key) ||
      a.email.localeCompare(b.email),
  );
  const winner = ranked[0] as StoredSubscriber;
  const others = records.filter((r) => r.email !== key);
  if (erased && winner.status !== 'pending') {
    // The person asked to be forgotten: no spelling keeps a profile.
    return { key, replaces: atKey, remove: records, mergedAway: records, outcome: 'erased' };
  }
  const keep: StoredSubscriber = {
    ...winner,
    email: key,
    address: addressOf(winner),
    updatedAt: now.toISOString(),
  };
  const outcome = records.length > 1 ? 'merged' : winner.email === key ? 'upgraded' : 'moved';
  const mergedAway = records.filter((r) => r !== winner);
  return { key, keep, replaces: atKey, remove: others, mergedAway, outcome };
}

export interface DedupeReport {
  /** Records an older version wrote that were looked at. */
  scanned: number;
  /** Mailboxes whose spellings were merged into one, with what was kept and what went. */
  merged: { key: string; kept: string; removed: string[] }[];
  /** Records moved from a spelling to their mailbox key (no duplicate). */
  moved: number;
  /** Mailboxes whose erasure won over a profile still there. */
  erased: { key: string; removed: string[] }[];
  /** Records already under their key, given their spelling (nothing else changed). */
  upgraded: number;
  /** Mailboxes that changed while being merged: left as they were, for the next run. */
  conflicts: string[];
}

export interface DedupeDeps {
  subscribers: Pick<
    SubscriberLifecycle,
    'legacyPages' | 'getExact' | 'replaceIf' | 'deleteIf' | 'erasedKeys'
  >;
  deliveries: Pick<DeliveryStore, 'carryForward'>;
  issues: Pick<IssueStore, 'list'>;
  /** Delivery records older than this are gone (TTL): no issue older needs carrying forward. */
  deliveryTtlDays: number;
  now?: Clock | undefined;
}

const describe = (r: StoredSubscriber) => `${addressOf(r)} (${r.status})`;

/** Runs the migration over the whole list; safe to run any number of times, and concurrently. */
export async function dedupeSubscribers(deps: DedupeDeps): Promise<DedupeReport> {
  const now = deps.now?.() ?? new Date();
  const report: DedupeReport = { scanned: 0, merged: [], moved: 0, erased: [], upgraded: 0, conflicts: [] };
  // Only the keys are held while scanning (not the records): a long old list stays small here.
  const spellings = new Map<string, Set<string>>();
  for await (const page of deps.subscribers.legacyPages()) {
    for (const record of page) {
      report.scanned++;
      const key = mailboxKey(record.email);
      spellings.set(key, (spellings.get(key) ?? new Set()).add(record.email));
    }
  }
  if (spellings.size === 0) return report;
  const erased = await deps.subscribers.erasedKeys();
  const cutoff = now.getTime() - deps.deliveryTtlDays * 86_400_000;
  const recentIssues = (await deps.issues.list()).filter((i) => Date.parse(i.createdAt) >= cutoff);

  for (const [key, stored] of spellings) {
    // Read again, consistently, just before deciding: the conditions below compare with these.
    const records: StoredSubscriber[] = [];
    for (const storedKey of new Set([key, ...stored])) {
      const record = await deps.subscribers.getExact(storedKey);
      if (record) records.push(record);
    }
    if (records.length === 0) continue;
    const plan = planMailbox(key, records, erased.has(suppressionKey(key)), now);

    // 1. Delivery records first: whatever happens next, a re-run of an old issue finds them.
    for (const record of records) {
      if (record.email === key) continue;
      for (const issue of recentIssues) await deps.deliveries.carryForward(issue.issueId, record.email);
    }
    // 2. The kept record under the mailbox key, if nothing changed there since it was read.
    if (plan.keep && !(await deps.subscribers.replaceIf(plan.keep, plan.replaces))) {
      report.conflicts.push(key);
      continue;
    }
    // 3. Then the other spellings, each if unchanged (or its merge is redone next time).
    let complete = true;
    for (const record of plan.remove) {
      if (!(await deps.subscribers.deleteIf(record))) complete = false;
    }
    if (!complete) report.conflicts.push(key);
    const kept = plan.keep ? describe(plan.keep) : '';
    const removed = plan.mergedAway.map(describe);
    if (plan.outcome === 'merged') report.merged.push({ key, kept, removed });
    else if (plan.outcome === 'erased') report.erased.push({ key, removed });
    else if (plan.outcome === 'moved') report.moved++;
    else report.upgraded++;
  }
  return report;
}
