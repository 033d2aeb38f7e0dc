/**
 * Every interface the core needs from the outside world, and the domain errors and values that
 * cross it. Adapters (functions/adapters/) implement these; the core never imports an adapter or
 * an SDK. A capability with ports of its own (sources/) keeps them beside it.
 */
import { DigestError } from './errors.ts';
import type {
  Consent,
  DeliveryRecord,
  DeliveryState,
  IssueCounts,
  IssueRecord,
  IssueState,
  Subscriber,
  SubscriberStatus,
} from './model.ts';

/** The current time; injected so that tests and replays can fix it. */
export type Clock = () => Date;

// ── Subscribers ──────────────────────────────────────────────────────────────────────────────

/** The subscriber list as the send path sees it. */
export interface SubscriberStore {
  get(email: string): Promise<Subscriber | undefined>;
  /** Adds a subscriber unless the address exists; returns false (and changes nothing) if it does. */
  create(subscriber: Subscriber): Promise<boolean>;
  /** Sets the status when the current one is among `from` (or any, if omitted); returns whether it changed. */
  setStatus(
    email: string,
    status: SubscriberStatus,
    options?: { from?: SubscriberStatus[]; consent?: Partial<Consent> },
  ): Promise<boolean>;
  delete(email: string): Promise<boolean>;
  /** Pages of addresses with a status, one page at a time: memory does not grow with the list. */
  pagesByStatus(status: SubscriberStatus, pageSize?: number): AsyncGenerator<string[]>;
  countByStatus(status: SubscriberStatus): Promise<number>;
  incrementSoftBounces(email: string): Promise<void>;
  /** Whether the store holds any subscriber at all (first-run detection). */
  isEmpty(): Promise<boolean>;
}

/** Stored beside a pending subscriber: the nonce its confirm link must carry. */
export type StoredSubscriber = Subscriber & { confirmNonce?: string | undefined };

/**
 * The subscriber lifecycle beyond the send path: double opt-in, erasure with a hashed suppression
 * entry, and bulk import/export. The HTTP app, the feedback function and the CLI use it.
 */
export interface SubscriberLifecycle extends SubscriberStore {
  /** Moves an existing subscriber whose status is in `from` back to pending with a fresh consent record. */
  reopen(email: string, from: SubscriberStatus[], consent: Consent, confirmNonce: string): Promise<boolean>;
  /** Gives a pending subscriber without one a confirm nonce; returns the nonce now stored. */
  ensureConfirmNonce(email: string, nonce: string): Promise<string | undefined>;
  /**
   * pending → confirmed, only when `nonce` is the one stored (then cleared: the link works once).
   * Returns false, changing nothing, otherwise.
   */
  confirm(
    email: string,
    nonce: string,
    consent: Pick<Consent, 'confirmedAt' | 'confirmIp'>,
  ): Promise<boolean>;
  /**
   * Erasure: writes the suppression entry (a hash only), then deletes the profile and consent.
   * Returns whether a profile existed.
   */
  erase(email: string): Promise<boolean>;
  /** Whether the address was erased (its suppression entry exists). */
  isErased(email: string): Promise<boolean>;
  /** Drops the suppression entry (the person signed up and confirmed again). */
  clearErased(email: string): Promise<void>;
  /**
   * Existing entries for these addresses, by address; erased ones (found under their suppression
   * key) too unless `erased: false` (a caller holding `erasedKeys()` checks those itself).
   */
  existing(emails: string[], options?: { erased?: boolean }): Promise<Map<string, { status: string }>>;
  /** Every suppression key (see `suppressionKey`). */
  erasedKeys(): Promise<Set<string>>;
  /** Writes new subscribers in batches, retrying what the store left unprocessed. */
  putMany(subscribers: Subscriber[]): Promise<void>;
  /** Every profile (suppression entries excluded), one page at a time. */
  scanPages(pageSize?: number): AsyncGenerator<Subscriber[]>;
}

/** What the send path needs to know about a recipient right before sending. */
export type RecipientInfo = Pick<Subscriber, 'email' | 'id' | 'status'>;

/** The send-time suppression re-check for many recipients at once. */
export interface RecipientLookup {
  /** Current status and id of each address (addresses with no subscriber are missing). */
  getMany(emails: string[]): Promise<Map<string, RecipientInfo>>;
}

// ── Deliveries and issues ────────────────────────────────────────────────────────────────────

/**
 * Delivery records, one per (issue, address). The conditional write in `claim` is what makes a
 * send happen at most once: it comes before the SES call, and a retry finds it.
 */
export interface DeliveryStore {
  /** Writes a `sending` record if none exists; otherwise returns the existing record untouched. */
  claim(
    issueId: string,
    email: string,
  ): Promise<{ claimed: true } | { claimed: false; existing: DeliveryRecord }>;
  /** Moves an existing record from `from` back to `sending` (retrying a failed or unknown send). */
  reclaim(issueId: string, email: string, from: DeliveryState, attempts: number): Promise<boolean>;
  /**
   * Records that SES accepted the message; resolves once that is durable. With `attempts` (the
   * record's current count), writes of concurrent deliveries may be grouped into one call.
   */
  markSent(issueId: string, email: string, messageId: string, attempts?: number): Promise<void>;
  markFailed(issueId: string, email: string, error: string): Promise<void>;
  get(issueId: string, email: string): Promise<DeliveryRecord | undefined>;
  /** The records of several recipients of one issue (absent ones are missing from the map). */
  getMany(issueId: string, emails: string[]): Promise<Map<string, DeliveryRecord>>;
  /** Pages of records of an issue in one state (e.g. `sending` left by a crash). */
  pagesByState(issueId: string, state: DeliveryState): AsyncGenerator<DeliveryRecord[]>;
}

/** Issue records: what each issue carried and how far its sending got. */
export interface IssueStore {
  create(issue: IssueRecord): Promise<boolean>;
  get(issueId: string): Promise<IssueRecord | undefined>;
  setState(issueId: string, state: IssueState, counts?: IssueCounts): Promise<void>;
  /** All issues, newest first. Issues are few (one a week), so reading them all is fine. */
  list(): Promise<IssueRecord[]>;
  /** Records how many recipients were queued for the issue (fan-out through the queue). */
  setEnqueued(issueId: string, enqueued: number): Promise<void>;
  /**
   * Counts one recipient's outcome from a send function; when every queued recipient is
   * accounted for, the issue becomes `sent` (or `partial` if any failed or is unknown).
   */
  recordOutcome(issueId: string, outcome: keyof IssueCounts): Promise<IssueState | undefined>;
}

/** One recipient of one issue, as queued for the send function. */
export interface RecipientMessage {
  issueId: string;
  email: string;
  retryUnknown?: boolean;
}

export interface RecipientQueue {
  /** Queues recipients; returns how many were accepted. Throws if any entry could not be queued. */
  enqueue(messages: RecipientMessage[]): Promise<number>;
}

// ── Mail ─────────────────────────────────────────────────────────────────────────────────────

export interface SendQuota {
  maxSendRate: number;
  max24HourSend: number;
  sentLast24Hours: number;
}

/**
 * What can happen to one send, as far as the sender can know:
 * - retryable: the provider did not accept the message (throttled, 5xx, connection refused/reset);
 * - permanent: it refused this message for good, retrying won't help;
 * - unknown: the request may have been accepted (timeout): never resent blindly;
 * - paused / quota: it refuses everything now; the whole run must stop.
 */
export type SendFailureKind = 'retryable' | 'permanent' | 'unknown' | 'paused' | 'quota';

export class SendFailure extends DigestError {
  override name = 'SendFailure';
  constructor(
    readonly kind: SendFailureKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface MailSender {
  /** Hands one raw MIME message over; resolves with the provider's message id, or throws SendFailure. */
  sendRaw(
    raw: Uint8Array,
    options: { tags: Record<string, string>; configurationSet?: string | undefined },
  ): Promise<string>;
  getQuota(): Promise<SendQuota>;
}

/** Starts calls no faster than the send rate allows (see SendRateLimiter). */
export interface RateLimiterPort {
  /** Calls `fn` when the rate allows, in the same tick as the grant; settles as `fn` does. */
  schedule<T>(fn: () => Promise<T>): Promise<T>;
}

// ── Documents ────────────────────────────────────────────────────────────────────────────────

/** Stored documents (compiled issues, the archive, articles): S3 on AWS, a folder locally. */
export interface BlobStore {
  /** The document; with `maxBytes`, a larger one is refused (TooLargeError) without being read whole. */
  get(key: string, options?: { maxBytes?: number }): Promise<Uint8Array | undefined>;
  put(key: string, body: string | Uint8Array, contentType: string): Promise<void>;
  /** Keys under a prefix. */
  list(prefix: string): Promise<string[]>;
}

/**
 * One article file as a source lists it; read on demand. `read` returns at most
 * MAX_ARTICLE_BYTES (core/articles/parse.ts) and refuses, with the reason, anything that is not a
 * plain article: a larger file (TooLargeError), and locally a symbolic link, a device, a pipe or a
 * file outside the articles folder.
 */
export interface ArticleFile {
  name: string;
  read: () => Promise<Uint8Array>;
}

/**
 * Where the articles live (`seeds/` and fetched articles locally, the bucket's `articles/` prefix
 * on AWS). Adding never replaces a file that is already there.
 */
export interface ArticleStore {
  /** Where it is, for messages (a folder, or s3://bucket/prefix). */
  where: string;
  list(): Promise<ArticleFile[]>;
  /** Stores a new file; false when the name is taken (nothing is written then). */
  addNew(name: string, bytes: Uint8Array): Promise<boolean>;
}

// ── Abuse limits ─────────────────────────────────────────────────────────────────────────────

export interface RateDecision {
  allowed: boolean;
  count: number;
  retryAfterSeconds: number;
}

/**
 * Abuse limits that hold across instances: counters per window and "at most once per interval"
 * markers, shared by every Lambda instance.
 */
export interface RateLimitStore {
  /**
   * Counts one hit in the current window of `windowSeconds` for `key`; returns whether the
   * count is still within `limit`, and the seconds until the window ends.
   */
  hit(key: string, limit: number, windowSeconds: number, nowMs?: number): Promise<RateDecision>;
  /** Claims `key` for `intervalSeconds`; false when it was claimed less than that ago. */
  claimOnce(key: string, intervalSeconds: number, nowMs?: number): Promise<boolean>;
}
