import pLimit, { type LimitFunction } from 'p-limit';

/**
 * Politeness: at most `perHost` requests at a time to one host, and at most `global` in all.
 * A request first queues for its host, then for a global slot, so a busy host never holds
 * global slots that other hosts could use.
 */
export function requestLimiter(options: { global: number; perHost: number }) {
  const global = pLimit(options.global);
  const hosts = new Map<string, LimitFunction>();
  return <T>(url: string, fn: () => Promise<T>): Promise<T> => {
    let host: string;
    try {
      host = new URL(url).host.toLowerCase();
    } catch {
      host = '';
    }
    let limit = hosts.get(host);
    if (!limit) {
      limit = pLimit(options.perHost);
      hosts.set(host, limit);
    }
    const hostLimit = limit;
    return hostLimit(() => global(fn)).finally(() => {
      // Forget idle hosts so a run over many hosts does not keep a limiter for each.
      if (hostLimit.activeCount === 0 && hostLimit.pendingCount === 0) hosts.delete(host);
    });
  };
}

/** Backoff for a source that keeps failing: 15 min, doubling, at most a day. */
export function backoffUntil(now: Date, consecutiveFailures: number): Date | undefined {
  if (consecutiveFailures <= 1) return undefined; // one failure: try again on the next run
  const minutes = Math.min(24 * 60, 15 * 2 ** (consecutiveFailures - 2));
  return new Date(now.getTime() + minutes * 60_000);
}
