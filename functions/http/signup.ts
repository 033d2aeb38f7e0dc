import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { DigestError } from '../core/errors.ts';
import type { SubscriberStatus } from '../core/model.ts';
import type { StoredSubscriber } from '../core/ports.ts';
import { normalizeAddress } from '../core/subscribers/address.ts';
import { signupConsent } from '../core/subscribers/consent.ts';
import { signToken, TokenError, verifyToken } from '../core/tokens.ts';
import { buildConfirmMail } from './confirm-mail.ts';
import type { AppDeps } from './deps.ts';

/**
 * The subscriber lifecycle behind the routes: signup (double opt-in), confirm, unsubscribe, erase.
 * Every outcome a stranger could observe is the same whether the address was new, pending or
 * confirmed; only invalid input and rate limits are told apart.
 *
 * A signup for an address that is already known:
 *   - pending: the confirmation email is sent again (same nonce, so earlier links keep working),
 *     at most once per DIGEST_CONFIRM_RESEND_MINUTES;
 *   - confirmed: nothing happens (no email);
 *   - unsubscribed: back to pending with a fresh consent record, and a new double opt-in; the old
 *     confirm links no longer work (their nonce is gone);
 *   - bounced or complained: nothing happens and nothing is sent (mailing them hurts delivery for
 *     everyone); an operator can reset them with the CLI;
 *   - erased (only a hash is left): treated as new; the person must confirm again, and confirming
 *     drops the suppression entry. Imports still never re-add an erased address.
 */

export class RateLimitedError extends DigestError {
  override name = 'RateLimitedError';
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
}

/** Statuses a new signup may move back to pending (a fresh double opt-in). */
const REOPENABLE: SubscriberStatus[] = ['unsubscribed'];

const sha = (s: string) => createHash('sha256').update(s.toLowerCase(), 'utf8').digest('hex').slice(0, 32);
const nonce = () => randomBytes(9).toString('base64url');

/** IPv6 clients usually own a whole /64: count them as one. */
export function ipBucket(ip: string | undefined): string {
  if (!ip) return 'unknown';
  const v4 = /^(?:::ffff:)?(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (v4) return v4[1] as string;
  if (ip.includes(':')) {
    const full = ip.split('%')[0] as string;
    const [head = '', tail = ''] = full.split('::');
    const groups = [...head.split(':').filter(Boolean)];
    const tailGroups = tail.split(':').filter(Boolean);
    while (groups.length + tailGroups.length < 8) groups.push('0');
    return `${[...groups, ...tailGroups].slice(0, 4).join(':')}::/64`;
  }
  return ip;
}

export interface SignupRequest {
  email: unknown;
  wording?: unknown;
  ip?: string | undefined;
  userAgent?: string | undefined;
}

export interface SignupResult {
  email: string;
  /** What happened, for logs and tests only: never shown to the requester. */
  outcome: 'created' | 'reopened' | 'resent' | 'throttled' | 'already-confirmed' | 'suppressed';
}

export async function signup(deps: AppDeps, request: SignupRequest): Promise<SignupResult> {
  const email = normalizeAddress(request.email);
  const now = deps.now?.() ?? new Date();
  // Both counters in one round trip; either one over its limit refuses the request.
  const [ipLimit, addressLimit] = await Promise.all([
    deps.rateLimits.hit(
      `signup-ip#${ipBucket(request.ip)}`,
      deps.limits.signupsPerMinutePerIp,
      60,
      now.getTime(),
    ),
    deps.rateLimits.hit(
      `signup-addr#${sha(email)}`,
      deps.limits.signupsPerHourPerAddress,
      3600,
      now.getTime(),
    ),
  ]);
  if (!ipLimit.allowed) {
    throw new RateLimitedError(
      'too many signups from your network; try again in a minute',
      ipLimit.retryAfterSeconds,
    );
  }
  if (!addressLimit.allowed) {
    throw new RateLimitedError(
      'too many signups for this address; try again later',
      addressLimit.retryAfterSeconds,
    );
  }

  const consent = signupConsent({
    now,
    ip: request.ip,
    userAgent: request.userAgent,
    wording: request.wording,
  });
  let outcome: SignupResult['outcome'];
  let confirmNonce: string | undefined = nonce();
  // New addresses are the common case: a conditional put first, and a read only if it exists.
  // The nonce is stored beside the profile: the confirm link must carry it; confirm clears it.
  const profile: StoredSubscriber = {
    email,
    id: randomUUID(),
    status: 'pending',
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
    consent,
    confirmNonce,
  };
  if (await deps.subscribers.create(profile)) {
    outcome = 'created';
  } else {
    const existing = await deps.subscribers.get(email);
    if (existing?.status === 'pending') {
      confirmNonce = await deps.subscribers.ensureConfirmNonce(email, confirmNonce);
      outcome = 'resent';
    } else if (existing && REOPENABLE.includes(existing.status)) {
      outcome = (await deps.subscribers.reopen(email, REOPENABLE, consent, confirmNonce))
        ? 'reopened'
        : 'suppressed';
    } else if (existing?.status === 'confirmed') {
      return { email, outcome: 'already-confirmed' };
    } else {
      // Bounced or complained (or erased a moment ago): mailing them again, even a confirmation,
      // hurts the sender's reputation.
      return { email, outcome: 'suppressed' };
    }
  }
  if (!confirmNonce || outcome === 'suppressed') return { email, outcome: 'suppressed' };

  // At most one confirmation email per address per interval; the response does not change.
  if (
    !(await deps.rateLimits.claimOnce(
      `confirm-mail#${sha(email)}`,
      deps.limits.confirmResendSeconds,
      now.getTime(),
    ))
  ) {
    return { email, outcome: 'throttled' };
  }
  const keys = await deps.tokenKeys();
  const exp = Math.floor(now.getTime() / 1000) + Math.round(deps.limits.confirmTokenHours * 3600);
  const token = signToken(keys, { email, purpose: 'confirm', exp, nonce: confirmNonce });
  const confirmUrl = `${deps.brand.publicUrl}/confirm?token=${encodeURIComponent(token)}`;
  const raw = await buildConfirmMail({
    brand: deps.brand,
    settings: deps.mail,
    to: email,
    confirmUrl,
    hours: deps.limits.confirmTokenHours,
  });
  await deps.sender.sendRaw(raw, {
    tags: { kind: 'confirm' },
    configurationSet: deps.mail.configurationSet,
  });
  return { email, outcome };
}

export interface TokenView {
  email: string;
  status: SubscriberStatus | undefined;
}

/** Checks a confirm link without changing anything (GET: mail scanners open links). */
export async function inspectConfirm(deps: AppDeps, token: unknown): Promise<TokenView> {
  const claims = verifyToken(await deps.tokenKeys(), token, 'confirm', nowSeconds(deps));
  const subscriber = await deps.subscribers.get(claims.email);
  return { email: claims.email, status: subscriber?.status };
}

export async function confirm(
  deps: AppDeps,
  token: unknown,
  ip: string | undefined,
): Promise<{ email: string; outcome: 'confirmed' | 'already-confirmed' }> {
  const claims = verifyToken(await deps.tokenKeys(), token, 'confirm', nowSeconds(deps));
  const now = deps.now?.() ?? new Date();
  if (
    await deps.subscribers.confirm(claims.email, claims.nonce, {
      confirmedAt: now.toISOString(),
      confirmIp: ip,
    })
  ) {
    // A person who erased their data and then signed up and confirmed again is back for good.
    await deps.subscribers.clearErased(claims.email);
    return { email: claims.email, outcome: 'confirmed' };
  }
  const subscriber = await deps.subscribers.get(claims.email);
  if (subscriber?.status === 'confirmed') return { email: claims.email, outcome: 'already-confirmed' };
  throw new TokenError('this confirmation link was already used or replaced; sign up again for a new one');
}

export async function inspectUnsubscribe(deps: AppDeps, token: unknown): Promise<string> {
  return verifyToken(await deps.tokenKeys(), token, 'unsubscribe', nowSeconds(deps)).email;
}

/** Unsubscribes at once. Unknown, already unsubscribed or suppressed addresses answer the same. */
export async function unsubscribe(deps: AppDeps, token: unknown): Promise<string> {
  const email = await inspectUnsubscribe(deps, token);
  await deps.subscribers.setStatus(email, 'unsubscribed', { from: ['pending', 'confirmed'] });
  return email;
}

/** Self-service erasure, proven by the unsubscribe token of the person's own mail. */
export async function erase(deps: AppDeps, token: unknown): Promise<string> {
  const email = await inspectUnsubscribe(deps, token);
  await deps.subscribers.erase(email);
  return email;
}

const nowSeconds = (deps: AppDeps) => Math.floor((deps.now?.() ?? new Date()).getTime() / 1000);
