import { errorMessage, SendingHaltedError } from '../errors.ts';
import type { IssueCounts, IssueRecord } from '../model.ts';
import type {
  DeliveryStore,
  IssueStore,
  MailSender,
  RateLimiterPort,
  RecipientLookup,
  SendFailure,
  SubscriberStore,
} from '../ports.ts';
import type { CompiledIssue } from '../render/personalize.ts';
import type { TokenKey } from '../tokens.ts';
import { attemptDelivery } from './attempt.ts';
import {
  createDeliverer,
  type Known,
  lookupRecipients,
  type MailSettings,
  type Outcome,
  type RetryPolicy,
} from './deliver.ts';

/** What sending an issue in process needs. */
export interface SendDeps {
  issues: IssueStore;
  subscribers: SubscriberStore;
  deliveries: DeliveryStore;
  sender: MailSender;
  tokenKeys: TokenKey[];
  settings: MailSettings;
}

/** The issue to send: its record and its compiled email. */
export interface IssueToSend {
  issue: IssueRecord;
  compiled: CompiledIssue;
}

export interface SendRunOptions {
  dryRun?: boolean;
  retryUnknown?: boolean;
  concurrency: number;
  limiter: RateLimiterPort;
  retry?: RetryPolicy;
  pageSize?: number;
  onRawMessage?: (email: string, raw: Buffer) => Promise<void>;
  onOutcome?: (email: string, outcome: Outcome) => void;
  /** Why a recipient failed or ended unknown. */
  onNotice?: (email: string, message: string) => void;
  /**
   * Batch reads of recipients just before their turn (see LOOKUP_CHUNK); without it each
   * recipient is read on its own.
   */
  lookup?: RecipientLookup;
}

export interface SendReport extends IssueCounts {
  issueId: string;
  dryRun: number;
  halted?: string | undefined;
  state: IssueRecord['state'];
}

/** Recipients read together right before their turn (BatchGetItem takes up to 100 keys). */
export const LOOKUP_CHUNK = 50;

/**
 * Sends a prepared issue to every confirmed subscriber in process. Pages of addresses come from
 * the status index; each chunk of LOOKUP_CHUNK recipients is read in one batch (subscriber status
 * for the suppression re-check, and this issue's delivery records) just before its turn; at most
 * `concurrency` deliveries run at once and the next chunk is read only when the previous one has
 * been handed out, so memory stays flat however long the list is and no page waits for the
 * slowest recipient of the one before.
 */
export async function sendToSubscribers(
  deps: SendDeps,
  prepared: IssueToSend,
  options: SendRunOptions,
): Promise<SendReport> {
  const deliver = createDeliverer(
    {
      subscribers: deps.subscribers,
      deliveries: deps.deliveries,
      sender: deps.sender,
      tokenKeys: deps.tokenKeys,
      limiter: options.limiter,
      settings: deps.settings,
      ...(options.retry ? { retry: options.retry } : {}),
      ...(options.onRawMessage ? { onRawMessage: options.onRawMessage } : {}),
      ...(options.onNotice ? { onNotice: options.onNotice } : {}),
    },
    prepared.compiled,
  );
  const { issueId } = prepared.issue;
  const report: SendReport = {
    issueId,
    recipients: 0,
    sent: 0,
    skipped: 0,
    suppressed: 0,
    failed: 0,
    unknown: 0,
    dryRun: 0,
    state: prepared.issue.state,
  };
  const deliverOptions: { dryRun: boolean; retryUnknown: boolean; halt?: { reason: string } } = {
    dryRun: options.dryRun ?? false,
    retryUnknown: options.retryUnknown ?? false,
  };
  let haltError: SendFailure | undefined;
  let unexpected: unknown;

  async function one(email: string, known: Known | undefined): Promise<void> {
    const attempt = await attemptDelivery(deliver, email, deliverOptions, known);
    const { outcome } = attempt;
    if (attempt.halt) {
      // SES paused or the daily quota is used up: nothing more is attempted.
      haltError ??= attempt.halt;
      deliverOptions.halt = { reason: attempt.halt.message };
    } else if (attempt.error !== undefined) {
      options.onNotice?.(email, `failed before sending: ${errorMessage(attempt.error)}`);
    }
    if (outcome === 'halted') return;
    report.recipients++;
    if (outcome === 'dry-run') report.dryRun++;
    else report[outcome]++;
    options.onOutcome?.(email, outcome);
  }

  // A counting gate instead of a queue of closures: at most `concurrency` deliveries at once.
  let active = 0;
  let wake: (() => void) | undefined;
  const waitUntil = async (ok: () => boolean) => {
    while (!ok()) await new Promise<void>((resolve) => (wake = resolve));
  };
  const settle = () => {
    active--;
    const w = wake;
    wake = undefined;
    w?.();
  };

  try {
    pages: for await (const page of deps.subscribers.pagesByStatus('confirmed', options.pageSize)) {
      for (let i = 0; i < page.length; i += LOOKUP_CHUNK) {
        if (deliverOptions.halt) break pages;
        const chunk = page.slice(i, i + LOOKUP_CHUNK);
        let known: Map<string, Known> | undefined;
        if (options.lookup) {
          try {
            known = await lookupRecipients(options.lookup, deps.deliveries, issueId, chunk);
          } catch (error) {
            // The batch read failed: each recipient reads for itself instead.
            options.onNotice?.(
              chunk[0] ?? '',
              `batch read failed, reading one by one: ${errorMessage(error)}`,
            );
          }
        }
        for (const email of chunk) {
          await waitUntil(() => active < options.concurrency);
          if (deliverOptions.halt) break pages;
          active++;
          one(email, known?.get(email))
            .catch((error: unknown) => {
              unexpected ??= error; // only a throwing onOutcome callback gets here
            })
            .finally(settle);
        }
      }
    }
  } finally {
    await waitUntil(() => active === 0);
  }
  if (unexpected) throw unexpected;

  if (!options.dryRun) {
    const complete = !haltError && report.failed === 0 && report.unknown === 0;
    report.state = complete ? 'sent' : 'partial';
    const { dryRun: _d, halted: _h, issueId: _i, state: _s, ...counts } = report;
    await deps.issues.setState(issueId, report.state, counts);
  }
  if (haltError) {
    report.halted = haltError.message;
    throw new SendingHaltedError(
      haltError.kind === 'quota' ? 'quota' : 'paused',
      haltError.kind === 'quota'
        ? `SES daily sending quota is used up: stopped after ${report.sent} sent; the next run resumes this issue (${haltError.message})`
        : `SES sending is paused for this account or configuration set: stopped at once (${haltError.message})`,
      { cause: Object.assign(haltError, { report }) },
    );
  }
  return report;
}
