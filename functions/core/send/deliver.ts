import pRetry, { AbortError } from 'p-retry';
import { errorMessage } from '../errors.ts';
import { addressOf, type DeliveryRecord, type Subscriber } from '../model.ts';
import {
  type DeliveryStore,
  type MailSender,
  type RateLimiterPort,
  type RecipientLookup,
  SendFailure,
  type SubscriberStore,
} from '../ports.ts';
import { compileMessage, fillMessage, type MessageSkeleton } from '../render/mime.ts';
import type { CompiledIssue } from '../render/personalize.ts';
import { signToken, type TokenKey } from '../tokens.ts';

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
  /** Called with the recipient's address and the exact raw bytes handed to SES (the CLI writes .eml files). */
  onRawMessage?: (email: string, raw: Buffer) => Promise<void>;
  /** Why a recipient ended unknown or failed, for a person (CLI) or the log (Lambda). */
  onNotice?: (email: string, message: string) => void;
}

/**
 * What was read for a recipient just before its turn, in a batch with its neighbours (see
 * `lookupRecipients`): its subscriber entry (undefined: none) and this issue's delivery record.
 */
export interface Known {
  subscriber: Pick<Subscriber, 'id' | 'status' | 'address'> | undefined;
  delivery: DeliveryRecord | undefined;
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
 * (bounded retries with backoff) → record the result. `email` is the stored key the list paged;
 * the delivery record is the mailbox's (one per mailbox, however many spellings), and the message
 * goes to the spelling the person typed.
 */
export function createDeliverer(deps: DelivererDeps, compiled: CompiledIssue) {
  const retry = deps.retry ?? DEFAULT_RETRY;
  const { settings } = deps;

  // The MIME message is built once per issue; each recipient's fills in its own parts (mime.ts).
  let skeleton: Promise<MessageSkeleton> | undefined;
  async function buildRaw(email: string): Promise<Buffer> {
    skeleton ??= compileMessage(compiled, { ...settings, subject: compiled.subject });
    const url = unsubscribeUrl(settings.publicUrl, deps.tokenKeys, email);
    return fillMessage(await skeleton, { email, unsubscribeUrl: url });
  }

  async function sendWithRetry(
    raw: Buffer,
    tags: Record<string, string>,
    options: DeliverOptions,
  ): Promise<string> {
    return pRetry(
      async () => {
        try {
          // Every attempt, retries included, is an SES call and takes its turn at the rate.
          return await deps.limiter.schedule(() =>
            deps.sender.sendRaw(raw, { tags, configurationSet: settings.configurationSet }),
          );
        } catch (error) {
          // Only what certainly did not reach SES is retried (see classifySesError); anything
          // else, including an error the sender did not classify, ends the attempts.
          if (error instanceof SendFailure && error.kind === 'retryable') throw error;
          throw new AbortError(error instanceof Error ? error : new Error(String(error)));
        }
      },
      {
        retries: retry.retries,
        minTimeout: retry.minTimeoutMs,
        maxTimeout: retry.maxTimeoutMs,
        factor: 2,
        randomize: true,
        // Once the run is halted (SES paused, quota used up), no more attempts.
        shouldRetry: () => !options.halt,
      },
    );
  }

  return deliver;

  async function deliver(email: string, options: DeliverOptions = {}, known?: Known): Promise<Outcome> {
    if (options.halt) return 'halted';
    // The suppression re-check: the subscriber's status now, not when the list was paged or queued.
    const subscriber = known ? known.subscriber : await deps.subscribers.get(email);
    if (subscriber?.status !== 'confirmed') return 'suppressed';
    const to = addressOf({ email, address: subscriber.address });
    // `sent` is final, so a record read a moment ago is as good as one read now.
    const seen = known ? known.delivery : undefined;
    if (seen?.state === 'sent') return 'skipped';

    if (options.dryRun) {
      const existing = known ? seen : await deps.deliveries.get(compiled.issueId, email);
      if (existing?.state === 'sent') return 'skipped';
      await buildRaw(to);
      return 'dry-run';
    }

    const claim = await deps.deliveries.claim(compiled.issueId, email);
    let attempts = 1;
    if (!claim.claimed) {
      const { existing } = claim;
      if (existing.state === 'sent') return 'skipped';
      // `sending` means an earlier attempt's outcome is unknown (crash or timeout): resending
      // could duplicate, so only an explicit --retry-unknown does it.
      if (existing.state === 'sending' && !options.retryUnknown) return 'unknown';
      if (!(await deps.deliveries.reclaim(compiled.issueId, email, existing.state, existing.attempts))) {
        return 'skipped'; // another worker took it over in the meantime
      }
      attempts = existing.attempts + 1;
    }

    // From here a `sending` record exists, and every path must leave it saying what happened.
    let raw: Buffer;
    try {
      raw = await buildRaw(to);
      if (deps.onRawMessage) await deps.onRawMessage(to, raw);
    } catch (error) {
      // Nothing reached SES: a failed record is safe (the next run retries it).
      return fail(email, `before sending: ${errorMessage(error)}`);
    }

    let messageId: string;
    try {
      messageId = await sendWithRetry(raw, { issue: compiled.issueId, subscriber: subscriber.id }, options);
    } catch (error) {
      if (!(error instanceof SendFailure) || error.kind === 'unknown') {
        // SES may have accepted it: the record stays `sending`, reported as unknown.
        deps.onNotice?.(email, `result unknown, not resent: ${errorMessage(error)}`);
        return 'unknown';
      }
      const outcome = await fail(email, error.message);
      if (error.kind === 'paused' || error.kind === 'quota') throw error;
      return outcome;
    }

    try {
      await pRetry(() => deps.deliveries.markSent(compiled.issueId, email, messageId, attempts), {
        retries: 4,
        minTimeout: 50,
        maxTimeout: 2_000,
        randomize: true,
      });
      return 'sent';
    } catch (error) {
      // SES accepted it but the record could not say so: it stays `sending`, so no later run
      // resends it blindly. Never mark it failed (that would resend it).
      deps.onNotice?.(
        email,
        `SES accepted it (message id ${messageId}) but the delivery record could not be updated: ${errorMessage(error)}`,
      );
      return 'unknown';
    }
  }

  /** Records a send that certainly did not reach SES; if even that fails, the record stays `sending` (unknown). */
  async function fail(email: string, reason: string): Promise<Outcome> {
    try {
      await deps.deliveries.markFailed(compiled.issueId, email, reason);
      deps.onNotice?.(email, `failed: ${reason}`);
      return 'failed';
    } catch (error) {
      deps.onNotice?.(email, `failed (${reason}); recording that failed too: ${errorMessage(error)}`);
      return 'unknown';
    }
  }
}

export type Deliver = ReturnType<typeof createDeliverer>;

/**
 * Reads the subscriber entries and this issue's delivery records of a few recipients at once,
 * right before their turn: two batch reads instead of two reads per recipient.
 */
export async function lookupRecipients(
  lookup: RecipientLookup,
  deliveries: DeliveryStore,
  issueId: string,
  emails: string[],
): Promise<Map<string, Known>> {
  const [subscribers, records] = await Promise.all([
    lookup.getMany(emails),
    deliveries.getMany(issueId, emails),
  ]);
  return new Map(
    emails.map((email) => [email, { subscriber: subscribers.get(email), delivery: records.get(email) }]),
  );
}
