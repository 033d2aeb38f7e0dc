import { describe, expect, it } from 'vitest';
import { backoffUntil, requestLimiter } from '../../../functions/core/sources/limits.ts';

describe('politeness limits', () => {
  it('never runs more than 2 requests to one host, nor more than the global bound in all', async () => {
    const limited = requestLimiter({ global: 3, perHost: 2 });
    const active = new Map<string, number>();
    let total = 0;
    let finished = 0;
    let maxTotal = 0;
    const maxPerHost = new Map<string, number>();
    const release: (() => void)[] = [];
    const tasks = ['a', 'a', 'a', 'a', 'b', 'b', 'b', 'c', 'c', 'd'].map((host) =>
      limited(`http://${host}.example/feed`, async () => {
        active.set(host, (active.get(host) ?? 0) + 1);
        total++;
        maxTotal = Math.max(maxTotal, total);
        maxPerHost.set(host, Math.max(maxPerHost.get(host) ?? 0, active.get(host) ?? 0));
        await new Promise<void>((resolve) => release.push(resolve));
        active.set(host, (active.get(host) ?? 1) - 1);
        total--;
        finished++;
      }),
    );
    // Release whatever is running, one at a time, until everything has run (bounded loop).
    for (let i = 0; i < 200 && finished < tasks.length; i++) {
      await new Promise((r) => setImmediate(r));
      release.shift()?.();
    }
    await Promise.all(tasks);
    expect(maxTotal).toBe(3);
    expect(Math.max(...maxPerHost.values())).toBe(2);
  });

  it('backs off a failing source: not after one failure, then 15 min doubling to a day', () => {
    const now = new Date('2026-12-01T00:00:00Z');
    const minutes = (n: number) =>
      ((backoffUntil(now, n)?.getTime() ?? now.getTime()) - now.getTime()) / 60_000;
    expect(backoffUntil(now, 1)).toBeUndefined();
    expect([2, 3, 4, 5, 10, 50].map(minutes)).toEqual([15, 30, 60, 120, 1440, 1440]);
  });
});
