import type { ConfirmMail } from '../ports.ts';

/**
 * The per-address cap on confirmation mails: at most `perDay` in any 24 hours and at least
 * `minIntervalSeconds` apart, counted over the mails actually sent (the log on the subscriber's
 * record), in a sliding window rather than one aligned to the clock. Requests over the cap are
 * answered like any other (the signup form never tells a stranger more); they send nothing, and the
 * links already mailed keep working.
 */
export interface ConfirmMailLimits {
  perDay: number;
  minIntervalSeconds: number;
}

const DAY_SECONDS = 24 * 3600;
const seconds = (iso: string) => Date.parse(iso) / 1000;

/**
 * The log without what no longer matters: mails older than a day whose link has expired. (A
 * mail still counts for a day, and its nonce may be reused while its link is valid.)
 */
export function pruneConfirmMails(log: ConfirmMail[] | undefined, now: Date): ConfirmMail[] {
  const nowSeconds = now.getTime() / 1000;
  return (log ?? []).filter((m) => seconds(m.at) > nowSeconds - DAY_SECONDS || m.exp > nowSeconds);
}

export type ConfirmMailSlot =
  | { allowed: true; log: ConfirmMail[] }
  | { allowed: false; retryAfterSeconds: number; reason: 'per-day' | 'interval' };

/** Whether another confirmation mail may go out now; when it may, the pruned log to append it to. */
export function confirmMailSlot(
  log: ConfirmMail[] | undefined,
  now: Date,
  limits: ConfirmMailLimits,
): ConfirmMailSlot {
  const pruned = pruneConfirmMails(log, now);
  const nowSeconds = now.getTime() / 1000;
  const lastDay = pruned.map((m) => seconds(m.at)).filter((at) => at > nowSeconds - DAY_SECONDS);
  lastDay.sort((a, b) => a - b);
  const newest = lastDay[lastDay.length - 1];
  if (newest !== undefined && nowSeconds - newest < limits.minIntervalSeconds) {
    return {
      allowed: false,
      reason: 'interval',
      retryAfterSeconds: Math.ceil(newest + limits.minIntervalSeconds - nowSeconds),
    };
  }
  if (lastDay.length >= limits.perDay) {
    // The window slides: a slot frees when the oldest mail that fills it turns a day old.
    const freeing = lastDay[lastDay.length - limits.perDay] as number;
    return {
      allowed: false,
      reason: 'per-day',
      retryAfterSeconds: Math.max(1, Math.ceil(freeing + DAY_SECONDS - nowSeconds)),
    };
  }
  return { allowed: true, log: pruned };
}

/** The newest mail whose link still works, if any (its nonce may confirm a new request). */
export function validConfirmMail(log: ConfirmMail[] | undefined, now: Date): ConfirmMail | undefined {
  const nowSeconds = now.getTime() / 1000;
  return [...(log ?? [])].filter((m) => m.exp > nowSeconds).sort((a, b) => seconds(b.at) - seconds(a.at))[0];
}
