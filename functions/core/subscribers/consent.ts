import type { Consent } from '../model.ts';

/**
 * The consent wording shown beside the signup button, by version. A consent record stores the
 * version the person saw; change the wording by adding a version, never by editing one.
 */
export const CONSENT_WORDINGS = {
  'signup-2025-01':
    'We will email you to confirm. After you confirm, we send the digest about once a week. Every issue has a one-click unsubscribe link; we never share your address.',
} as const satisfies Record<string, string>;

export type WordingVersion = keyof typeof CONSENT_WORDINGS;
export const CURRENT_WORDING: WordingVersion = 'signup-2025-01';

export const isWordingVersion = (v: unknown): v is WordingVersion =>
  typeof v === 'string' && Object.hasOwn(CONSENT_WORDINGS, v);

/** At most this many characters of a user agent are kept (it is evidence, not analytics). */
const MAX_USER_AGENT = 256;

export interface SignupEvidence {
  now: Date;
  ip?: string | undefined;
  userAgent?: string | undefined;
  /** The wording version the form carried; unknown or missing means the current one. */
  wording?: unknown;
  source?: Consent['source'];
}

/** The consent record written when someone asks to subscribe (time in UTC, ISO 8601). */
export function signupConsent(evidence: SignupEvidence): Consent {
  return {
    source: evidence.source ?? 'form',
    subscribedAt: evidence.now.toISOString(),
    ip: evidence.ip,
    // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping control characters is the point
    userAgent: evidence.userAgent?.replace(/[\u0000-\u001f\u007f]/g, ' ').slice(0, MAX_USER_AGENT),
    wordingVersion: isWordingVersion(evidence.wording) ? evidence.wording : CURRENT_WORDING,
  };
}

/** Consent for an imported list whose consent was collected elsewhere (`--confirmed`). */
export function importConsent(now: Date, subscribedAt: string | undefined, confirmed: boolean): Consent {
  return {
    source: 'import',
    subscribedAt: subscribedAt ?? now.toISOString(),
    ...(confirmed ? { confirmedAt: now.toISOString() } : {}),
    note: confirmed
      ? 'imported with --confirmed: consent collected before import, outside this system'
      : 'imported as pending: not confirmed through this system',
  };
}
