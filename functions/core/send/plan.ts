import type { SendQuota } from '../ports.ts';

export interface SendPlan {
  recipients: number;
  /** Messages per second the run will use. */
  rate: number;
  etaSeconds: number;
  remainingQuota: number;
  /** Why the run must not start (quota too small for the list with 10% headroom), if so. */
  refusal?: string | undefined;
}

export const QUOTA_HEADROOM = 0.1;

/**
 * Decides the send rate (configured, else SES MaxSendRate, never above it) and whether the
 * remaining 24-hour quota covers the list with 10% headroom.
 */
export function planSend(recipients: number, quota: SendQuota, configuredRate?: number): SendPlan {
  const rate = Math.max(0.1, Math.min(configuredRate ?? quota.maxSendRate, quota.maxSendRate));
  const remainingQuota = Math.max(0, quota.max24HourSend - quota.sentLast24Hours);
  const needed = Math.ceil(recipients * (1 + QUOTA_HEADROOM));
  const plan: SendPlan = { recipients, rate, etaSeconds: recipients / rate, remainingQuota };
  if (recipients > 0 && needed > remainingQuota) {
    plan.refusal =
      `the SES 24-hour quota has ${remainingQuota} messages left, but ${recipients} recipients need ` +
      `${needed} with 10% headroom; wait for the quota to refill, ask AWS for a higher quota, or pass --force`;
  }
  return plan;
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return 'unknown';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
}
