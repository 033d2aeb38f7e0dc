import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SendRateLimiter } from '../../../functions/core/send/rate-limiter.ts';

/**
 * The send rate limiter on a fake clock: what it grants, and when, is decided by its logic only
 * (no real time is measured here; the achieved rate on a real clock is in bench/send-rate).
 */
beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
});
afterEach(() => {
  vi.useRealTimers();
});

/** Starts `n` waiters at once and records the fake time each one is granted. */
function request(limiter: SendRateLimiter, n: number, grants: number[], order?: number[]) {
  for (let i = 0; i < n; i++) {
    void limiter.schedule(async () => {
      grants.push(Date.now());
      order?.push(i);
    });
  }
}

function maxInWindow(times: number[], windowMs = 1000): number {
  const sorted = [...times].sort((a, b) => a - b);
  let max = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while ((sorted[i] as number) - (sorted[j] as number) >= windowMs) j++;
    max = Math.max(max, i - j + 1);
  }
  return max;
}

describe('SendRateLimiter', () => {
  it('grants at the configured rate, in arrival order, never more than the rate in any second', async () => {
    const limiter = new SendRateLimiter(200, () => Date.now());
    const grants: number[] = [];
    const order: number[] = [];
    request(limiter, 1000, grants, order);
    await vi.advanceTimersByTimeAsync(2_000);
    // 2 s at 200/s: 400 grants (the first at t = 0), not the 400 + 200 a full bucket would burst.
    expect(grants.length).toBeGreaterThanOrEqual(399);
    expect(grants.length).toBeLessThanOrEqual(401);
    await vi.advanceTimersByTimeAsync(4_000);
    expect(grants).toHaveLength(1000);
    expect(maxInWindow(grants)).toBeLessThanOrEqual(200);
    expect(order).toEqual([...order].sort((a, b) => a - b));
    // Evenly spaced: 5 ms apart, not bunched (the hard cap's 10 ms margin shows once a second).
    const gaps = grants.slice(1).map((t, i) => t - (grants[i] as number));
    expect(Math.max(...gaps)).toBeLessThanOrEqual(5 + 10);
    expect(gaps.filter((g) => g !== 5).length).toBeLessThanOrEqual(10);
  });

  it('catches up after late grants but still holds the cap in every window', async () => {
    // A clock that runs ahead by up to 30 ms at times: grants look late, the pacer catches up.
    let skew = 0;
    const limiter = new SendRateLimiter(100, () => Date.now() + skew);
    const grants: number[] = [];
    for (let i = 0; i < 600; i++) {
      void limiter.schedule(async () => {
        grants.push(Date.now() + skew);
        skew = i % 7 === 0 ? 30 : 0;
      });
    }
    await vi.advanceTimersByTimeAsync(8_000);
    expect(grants).toHaveLength(600);
    expect(maxInWindow(grants)).toBeLessThanOrEqual(100);
  });

  it('after an idle pause it does not burst above the rate', async () => {
    const limiter = new SendRateLimiter(50, () => Date.now());
    const grants: number[] = [];
    request(limiter, 10, grants);
    await vi.advanceTimersByTimeAsync(5_000);
    request(limiter, 200, grants);
    await vi.advanceTimersByTimeAsync(6_000);
    expect(grants).toHaveLength(210);
    expect(maxInWindow(grants)).toBeLessThanOrEqual(50);
  });

  it('handles rates below one message a second', async () => {
    const limiter = new SendRateLimiter(0.5, () => Date.now());
    const grants: number[] = [];
    request(limiter, 3, grants);
    await vi.advanceTimersByTimeAsync(4_500);
    expect(grants).toEqual([0, 2000, 4000]);
  });

  it('passes on what the call does, and a failed call does not hold up the queue', async () => {
    const limiter = new SendRateLimiter(100, () => Date.now());
    const first = limiter.schedule(async () => {
      throw new Error('SES said no');
    });
    const threw = limiter.schedule(() => {
      throw new Error('not even a promise');
    });
    const second = limiter.schedule(async () => 'message-id');
    const settled = Promise.allSettled([first, threw, second]);
    await vi.advanceTimersByTimeAsync(100);
    const [a, b, c] = await settled;
    expect(a).toMatchObject({ status: 'rejected', reason: new Error('SES said no') });
    expect(b).toMatchObject({ status: 'rejected', reason: new Error('not even a promise') });
    expect(c).toEqual({ status: 'fulfilled', value: 'message-id' });
  });

  it('refuses a rate that is not a positive number', () => {
    for (const rate of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => new SendRateLimiter(rate)).toThrow(RangeError);
    }
  });
});
