import type { RateLimiterPort } from '../ports.ts';

/**
 * Starts in any window this long are counted: a little over a second, because the SES call itself
 * starts a moment after the grant (a GC pause of a few ms can fall in between), and 2 ms proved
 * too little for the bench at 100 msg/s. 10 ms costs at most 1% of the rate, and only in bursts.
 */
const WINDOW_MS = 1000 + 10;
/** How far behind its schedule the pacer may catch up (timers fire late, never early). */
const CATCH_UP_MS = 100;

/**
 * The send rate limit, shared by every concurrent delivery of a process:
 * - pacing: calls start on a schedule one `1000 / rate` ms apart, kept in absolute time so late
 *   timers do not slowly lower the rate (a queue that kept waiting may catch up by at most
 *   CATCH_UP_MS; a limiter that was idle starts a fresh schedule, so no burst after a pause);
 * - a hard cap: never more than `rate` starts in any one-second window (a log of the starts of
 *   the last second, so memory is bounded by the rate), whatever the catching up did.
 * `schedule(fn)` calls `fn` in the same tick as the grant, so the time logged is the time the call
 * starts: no other work can slip in between and bunch starts up. Waiters go in arrival order.
 * (The `limiter` package's RateLimiter lets a full bucket burst to twice the rate in the first
 * second, and its TokenBucket loses the part of a token each late timer overshoots: 10–20% of
 * the rate at 200/s.)
 */
export class SendRateLimiter implements RateLimiterPort {
  private readonly spacing: number;
  private readonly cap: number;
  private next = Number.NEGATIVE_INFINITY;
  /** Start times of the last window, oldest first, from index `head`. */
  private starts: number[] = [];
  private head = 0;
  private pending = 0;
  private tail: Promise<void> = Promise.resolve();

  constructor(
    readonly rate: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    if (!(rate > 0) || !Number.isFinite(rate)) {
      throw new RangeError(`send rate must be a positive number, got ${rate}`);
    }
    this.spacing = 1000 / rate;
    this.cap = Math.max(1, Math.floor(rate));
  }

  /** Calls `fn` when its turn comes; resolves or rejects with what `fn` does. */
  schedule<T>(fn: () => Promise<T>): Promise<T> {
    const queued = this.pending > 0;
    this.pending++;
    return new Promise<T>((resolve, reject) => {
      const start = () => {
        try {
          fn().then(resolve, reject);
        } catch (error) {
          reject(error);
        }
      };
      this.tail = this.tail.then(() => this.acquire(queued, start));
    });
  }

  private async acquire(queued: boolean, start: () => void): Promise<void> {
    for (;;) {
      const t = this.now();
      while (this.head < this.starts.length && t - (this.starts[this.head] as number) >= WINDOW_MS)
        this.head++;
      if (this.head > 1024 && this.head * 2 > this.starts.length) {
        this.starts = this.starts.slice(this.head);
        this.head = 0;
      }
      const slot = Math.max(this.next, queued ? t - CATCH_UP_MS : t);
      const full = this.starts.length - this.head >= this.cap;
      const ready = full ? Math.max(slot, (this.starts[this.head] as number) + WINDOW_MS) : slot;
      if (ready <= t) {
        this.next = slot + this.spacing;
        this.starts.push(t);
        this.pending--;
        // In the same tick as the grant: the logged start is the real start.
        start();
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
export const unlimited: RateLimiterPort = { schedule: (fn) => fn() };
