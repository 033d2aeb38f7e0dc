import type { RateLimiterPort } from '../core/delivery.ts';

/** Starts in any window this long are counted; the margin absorbs the microseconds between a grant and the SES call. */
const WINDOW_MS = 1000 + 2;
/** How far behind its schedule the pacer may catch up (timers fire late, never early). */
const CATCH_UP_MS = 100;

/**
 * The send rate limit, shared by every concurrent delivery of a process:
 * - pacing: calls are granted on a schedule one `1000 / rate` ms apart, kept in absolute time so
 *   late timers do not slowly lower the rate (a late grant lets the next ones catch up, by at most
 *   CATCH_UP_MS);
 * - a hard cap: never more than `rate` grants in any one-second window (a log of the grants of the
 *   last second, so memory is bounded by the rate), whatever the catching up did.
 * Waiters are served in arrival order. (The `limiter` package's RateLimiter lets a full bucket burst
 * to twice the rate in the first second, and its TokenBucket loses the fraction of a token that
 * each late timer overshoots, which costs 10–20% of the rate at 200/s.)
 */
export class SendRateLimiter implements RateLimiterPort {
  private readonly spacing: number;
  private readonly cap: number;
  private next = Number.NEGATIVE_INFINITY;
  /** Grant times of the last window, oldest first, from index `head`. */
  private grants: number[] = [];
  private head = 0;
  private pending = 0;
  private tail: Promise<void> = Promise.resolve();

  constructor(
    readonly rate: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    if (!(rate > 0) || !Number.isFinite(rate))
      throw new RangeError(`send rate must be a positive number, got ${rate}`);
    this.spacing = 1000 / rate;
    this.cap = Math.max(1, Math.floor(rate));
  }

  /** Resolves when `count` calls may start (one after another on the schedule). */
  removeTokens(count = 1): Promise<void> {
    let turn = this.tail;
    for (let i = 0; i < count; i++) {
      // Catching up is for a queue that kept waiting; one that arrives to an idle limiter starts
      // a new schedule (no burst after a pause).
      const queued = this.pending > 0;
      this.pending++;
      turn = turn.then(() => this.acquire(queued)).finally(() => this.pending--);
    }
    this.tail = turn.catch(() => {});
    return turn;
  }

  private async acquire(queued: boolean): Promise<void> {
    for (;;) {
      const t = this.now();
      while (this.head < this.grants.length && t - (this.grants[this.head] as number) >= WINDOW_MS)
        this.head++;
      if (this.head > 1024 && this.head * 2 > this.grants.length) {
        this.grants = this.grants.slice(this.head);
        this.head = 0;
      }
      const slot = Math.max(this.next, queued ? t - CATCH_UP_MS : t);
      const full = this.grants.length - this.head >= this.cap;
      const ready = full ? Math.max(slot, (this.grants[this.head] as number) + WINDOW_MS) : slot;
      if (ready <= t) {
        this.next = slot + this.spacing;
        this.grants.push(t);
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, Math.max(1, Math.ceil(ready - t))));
    }
  }
}

/** The limiter for a send run at `rate` messages per second. */
export function makeLimiter(rate: number): SendRateLimiter {
  return new SendRateLimiter(rate);
}

/** No limit (dry runs: nothing reaches SES). */
export const unlimited: RateLimiterPort = { removeTokens: async () => undefined };
