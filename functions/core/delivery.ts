import pRetry, { AbortError } from 'p-retry';
import type { DeliveryStore } from '../adapters/delivery-store.ts';
import { type MailSender, SendFailure } from '../adapters/ses-sender.ts';
import type { SubscriberStore } from '../adapters/subscriber-store.ts';
import { errorMessage } from '../errors.ts';
import { buildMessage } from './mime.ts';
import { type CompiledIssue, personalize } from './render.ts';
import { signToken, type TokenKey } from './tokens.ts';

/** How one recipient's delivery ended. */
export type Outcome =
  | 'sent'
  /** Already sent in an earlier run (the delivery record says so). */
  | 'skipped'
  /** Not confirmed at send time (unsubscribed, bounced, complained, erased). */
  | 'suppressed'
  | 'failed'
  /** A send whose result is unknown (crash or timeout): never resent without --retry-unknown. */
  | 'unknown'
  /** Dry run: everything but the SES call. */
  | 'dry-run'
  /** Not attempted because the run was halted (SES paused, daily quota). */
  | 'halted';

export interface MailSettings {
  from: { name: string; address: string };
  replyTo?: string | undefined;
  listId: string;
  listName: string;
  publicUrl: string;
  unsubscribeMailto: string;
  configurationSet?: string | undefined;
}

export interface RateLimiterPort {
  removeTokens(count: number): Promise<unknown>;
}

export interface RetryPolicy {
  retries: number;
  minTimeoutMs: number;
  maxTimeoutMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { retries: 6, minTimeoutMs: 100, maxTimeoutMs: 8_000 };

export interface DelivererDeps {
  subscribers: SubscriberStore;
  deliveries: DeliveryStore;
  sender: MailSender;
  tokenKeys: TokenKey[];
  limiter: RateLimiterPort;
  settings: MailSettings;
  retry?: RetryPolicy;
  /** Called with the exact raw bytes handed to SES (the CLI writes them as .eml files). */
  onRawMessage?: (email: string, raw: Buffer) => Promise<void>;
}

export interface DeliverOptions {
  dryRun?: boolean;
  retryUnknown?: boolean;
  /** Set once SES refused everything: remaining recipients are not attempted. */
  halt?: { reason: string } | undefined;
}

export function unsubscribeUrl(publicUrl: string, tokenKeys: TokenKey[], email: string): string {
  // Unsubscribe tokens never expire: the opt-out must keep working long after the send.
  const token = signToken(tokenKeys, { email, purpose: 'unsubscribe', exp: 0, nonce: 'u' });
  return `${publicUrl.replace(/\/+$/, '')}/unsubscribe?token=${encodeURIComponent(token)}`;
}

/**
 * The per-recipient send path, shared by the local runner and the SQS send function:
 * re-check suppression → conditional delivery record → personalize → MIME → rate limit → SES
 * (bounded retries with backoff) → record the result.
 */
export function createDeliverer(deps: DelivererDeps, compiled: CompiledIssue) {
  const retry = deps.retry ?? DEFAULT_RETRY;
  const { settings } = deps;

  async function buildRaw(email: string): Promise<Buffer> {
    const url = unsubscribeUrl(settings.publicUrl, deps.tokenKeys, email);
    const body = personalize(compiled, { email, unsubscribeUrl: url });
    return buildMessage({
      from: settings.from,
      to: email,
      replyTo: settings.replyTo,
      subject: compiled.subject,
      html: body.html,
      text: body.text,
      listId: settings.listId,
      listName: settings.listName,
      unsubscribeUrl: url,
      unsubscribeMailto: settings.unsubscribeMailto,
      configurationSet: settings.configurationSet,
    });
  }

  async function sendWithRetry(raw: Buffer, tags: Record<string, string>): Promise<string> {
    return pRetry(
      async () => {
        await deps.limiter.removeTokens(1);
        try {
          return await deps.sender.sendRaw(raw, { tags, configurationSet: settings.configurationSet });
        } catch (error) {
          if (error instanceof SendFailure && error.kind !== 'retryable') throw new AbortError(error);
          throw error;
        }
      },
      {
        retries: retry.retries,
        minTimeout: retry.minTimeoutMs,
        maxTimeout: retry.maxTimeoutMs,
        factor: 2,
        randomize: true,
      },
    );
  }

  return async function deliver(email: string, options: DeliverOptions = {}): Promise<Outcome> {
    if (options.halt) return 'halted';
    const subscriber = await deps.subscribers.get(email);
    if (subscriber?.status !== 'confirmed') return 'suppressed';

    if (options.dryRun) {
      const existing = await deps.deliveries.get(compiled.issueId, email);
      if (existing?.state === 'sent') return 'skipped';
      await buildRaw(email);
      return 'dry-run';
    }

    const claim = await deps.deliveries.claim(compiled.issueId, email);
    if (!claim.claimed) {
      const { existing } = claim;
      if (existing.state === 'sent') return 'skipped';
      // `sending` means an earlier attempt's outcome is unknown (crash or timeout): resending
      // could duplicate, so only an explicit --retry-unknown does it.
      if (existing.state === 'sending' && !options.retryUnknown) return 'unknown';
      if (!(await deps.deliveries.reclaim(compiled.issueId, email, existing.state, existing.attempts))) {
        return 'skipped'; // another worker took it over in the meantime
      }
    }

    const raw = await buildRaw(email);
    if (deps.onRawMessage) await deps.onRawMessage(email, raw);
    try {
      const messageId = await sendWithRetry(raw, { issue: compiled.issueId, subscriber: subscriber.id });
      await deps.deliveries.markSent(compiled.issueId, email, messageId);
      return 'sent';
    } catch (error) {
      const failure = error instanceof SendFailure ? error : undefined;
      if (failure?.kind === 'unknown') return 'unknown';
      await deps.deliveries.markFailed(compiled.issueId, email, errorMessage(error));
      if (failure?.kind === 'paused' || failure?.kind === 'quota') throw failure;
      return 'failed';
    }
  };
}

export type Deliver = ReturnType<typeof createDeliverer>;
