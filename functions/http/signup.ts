import { randomBytes, randomUUID } from 'node:crypto';
import { DigestError } from '../core/errors.ts';
import { addressOf, type SubscriberStatus } from '../core/model.ts';
import type { ConfirmMail, StoredSubscriber } from '../core/ports.ts';
import { normalizeAddress } from '../core/subscribers/address.ts';
import { confirmMailSlot, pruneConfirmMails, validConfirmMail } from '../core/subscribers/confirm-mails.ts';
import { signupConsent } from '../core/subscribers/consent.ts';
import { signToken, TokenError, verifyToken } from '../core/tokens.ts';
import { buildConfirmMail } from './confirm-mail.ts';
import type { AppDeps } from './deps.ts';

/**
 * The subscriber lifecycle behind the routes: signup (double opt-in), confirm, unsubscribe, erase.
 * Every outcome a stranger could observe is the same whether the address was new, pending or
 * confirmed; only invalid input and the per-network rate limit are told apart. One mailbox is one
 * subscriber, whatever the capitalization (the store keys it), and mail goes to the spelling the
 * person typed first.
 *
 * Confirmation mails are capped per mailbox (DIGEST_CONFIRM_MAILS_PER_DAY in any 24 hours, at least
 * DIGEST_CONFIRM_RESEND_MINUTES apart, a sliding window over the mails actually sent): so the form
 * cannot flood anyone's inbox, and a request over the cap gets the same answer and sends nothing.
 * A nonce is never replaced without its mail going out, so a link already mailed keeps working.
 *
 * A signup for an address that is already known:
 *   - pending: the confirmation email is sent again with the same nonce (earlier links keep working);
 *   - confirmed: nothing happens (no email);
 *   - unsubscribed: back to pending with a fresh consent record and a new double opt-in mail; when
 *     the cap allows no mail, the newest link still valid is made to confirm this request instead
 *     (or, with none, nothing changes);
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
  const ipLimit = await deps.rateLimits.hit(
    `signup-ip#${ipBucket(request.ip)}`,
    deps.limits.signupsPerMinutePerIp,
    60,
    now.getTime(),
  );
  if (!ipLimit.allowed) {
    throw new RateLimitedError(
      'too many signups from your network; try again in a minute',
      ipLimit.retryAfterSeconds,
    );
  }

  const consent = signupConsent({
    now,
    ip: request.ip,
    userAgent: request.userAgent,
    wording: request.wording,
  });
  const limits = {
    perDay: deps.limits.confirmMailsPerDay,
    minIntervalSeconds: deps.limits.confirmResendSeconds,
  };
  const exp = Math.floor(now.getTime() / 1000) + Math.round(deps.limits.confirmTokenHours * 3600);
  const mail = (nonce: string): ConfirmMail => ({ at: now.toISOString(), nonce, exp });

  // New addresses are the common case: a conditional put first (its first mail already in the
  // log), and a read only if the mailbox exists. Confirm clears the nonce: the link works once.
  const first = mail(nonce());
  const profile: StoredSubscriber = {
    email,
    id: randomUUID(),
    status: 'pending',
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
    consent,
    confirmNonce: first.nonce,
    confirmMails: [first],
  };
  if (await deps.subscribers.create(profile)) {
    await sendConfirmMail(deps, { email, id: profile.id }, first, now);
    return { email, outcome: 'created' };
  }

  const existing = await deps.subscribers.getStored(email);
  if (!existing) return { email, outcome: 'suppressed' }; // erased a moment ago: nothing to mail
  const to = { email: addressOf(existing), id: existing.id };
  if (existing.status === 'confirmed') return { email, outcome: 'already-confirmed' };
  if (existing.status === 'pending') {
    const slot = confirmMailSlot(existing.confirmMails, now, limits);
    if (!slot.allowed) return { email, outcome: 'throttled' };
    // The same nonce: every link mailed before keeps working.
    const next = mail(existing.confirmNonce ?? nonce());
    if (
      !(await deps.subscribers.recordConfirmMail(existing, { log: [...slot.log, next], nonce: next.nonce }))
    ) {
      return { email, outcome: 'throttled' }; // a concurrent request took the slot
    }
    await sendConfirmMail(deps, to, next, now);
    return { email, outcome: 'resent' };
  }
  if (REOPENABLE.includes(existing.status)) {
    const slot = confirmMailSlot(existing.confirmMails, now, limits);
    if (slot.allowed) {
      const next = mail(nonce());
      const reopened = await deps.subscribers.recordConfirmMail(existing, {
        log: [...slot.log, next],
        nonce: next.nonce,
        reopen: consent,
      });
      if (!reopened) return { email, outcome: 'throttled' };
      await sendConfirmMail(deps, to, next, now);
      return { email, outcome: 'reopened' };
    }
    // No mail may go out now: the newest link still valid confirms this request; without one,
    // nothing changes (a nonce is never replaced without its mail).
    const valid = validConfirmMail(existing.confirmMails, now);
    if (valid) {
      await deps.subscribers.recordConfirmMail(existing, {
        log: pruneConfirmMails(existing.confirmMails, now),
        nonce: valid.nonce,
        reopen: consent,
      });
    }
    return { email, outcome: 'throttled' };
  }
  // Bounced or complained: mailing them again, even a confirmation, hurts the sender's reputation.
  return { email, outcome: 'suppressed' };
}

/** Builds and sends one confirmation mail, then notes SES's message id in the log (for feedback). */
async function sendConfirmMail(
  deps: AppDeps,
  to: { email: string; id: string },
  entry: ConfirmMail,
  now: Date,
): Promise<void> {
  const keys = await deps.tokenKeys();
  const token = signToken(keys, { email: to.email, purpose: 'confirm', exp: entry.exp, nonce: entry.nonce });
  const confirmUrl = `${deps.brand.publicUrl}/confirm?token=${encodeURIComponent(token)}`;
  const raw = await buildConfirmMail({
    brand: deps.brand,
    settings: deps.mail,
    to: to.email,
    confirmUrl,
    hours: deps.limits.confirmTokenHours,
  });
  const messageId = await deps.sender.sendRaw(raw, {
    tags: { kind: 'confirm', subscriber: to.id },
    configurationSet: deps.mail.configurationSet,
  });
  try {
    await deps.subscribers.noteConfirmMessageId(to.email, entry.at, messageId);
  } catch (error) {
    // The mail went out; only a later bounce of it will not be matched.
    deps.log?.warn('could not note the confirmation message id', { error, at: now.toISOString() });
  }
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
