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

/**
 * The subscriber list as the send path sees it. One mailbox is one subscriber: every method takes
 * an address in any capitalization and works on the record of its mailbox (see `mailboxKey`).
 * A record an older version stored under a spelling is still reached through that exact spelling
 * (the one its unsubscribe links and SES feedback carry) until `dedupe` has moved it.
 */
export interface SubscriberStore {
  get(email: string): Promise<Subscriber | undefined>;
  /**
   * Adds a subscriber unless its mailbox is known; returns false (and changes nothing) if it is.
   * `email` is the address as typed: it is stored under its mailbox key with the spelling kept.
   */
  create(subscriber: Subscriber): Promise<boolean>;
  /**
   * Sets the status when the current one is among `from` (or any, if omitted); returns whether it
   * changed. `consent` adds fields to the consent record; `newConsent` replaces it (a new
   * subscription, such as an operator's override).
   */
  setStatus(
    email: string,
    status: SubscriberStatus,
    options?: { from?: SubscriberStatus[]; consent?: Partial<Consent>; newConsent?: Consent },
  ): Promise<boolean>;
  delete(email: string): Promise<boolean>;
  /**
   * Pages of the stored keys of one status, one page at a time: memory does not grow with the
   * list. (A key is the mailbox key, or a spelling for a record not yet moved by dedupe.)
   */
  pagesByStatus(status: SubscriberStatus, pageSize?: number): AsyncGenerator<string[]>;
  countByStatus(status: SubscriberStatus): Promise<number>;
  incrementSoftBounces(email: string): Promise<void>;
  /** Whether the store holds any subscriber at all (first-run detection). */
  isEmpty(): Promise<boolean>;
}

/** One confirmation mail sent to a mailbox (kept while its link is valid, or a day at least). */
export interface ConfirmMail {
  /** When it was sent (ISO 8601). */
  at: string;
  /** The nonce its link carries. */
  nonce: string;
  /** When its link expires (epoch seconds). */
  exp: number;
  /** SES's message id, once SES accepted it (bounces of this mail are matched by it). */
  messageId?: string | undefined;
}

/**
 * Stored beside a subscriber: the nonce a pending subscriber's confirm link must carry, and the
 * confirmation mails sent to the mailbox lately (the per-address cap counts them).
 */
export type StoredSubscriber = Subscriber & {
  confirmNonce?: string | undefined;
  confirmMails?: ConfirmMail[] | undefined;
};

/**
 * The subscriber lifecycle beyond the send path: double opt-in, erasure with a hashed suppression
 * entry, and bulk import/export. The HTTP app, the feedback function and the CLI use it.
 */
export interface SubscriberLifecycle extends SubscriberStore {
  /** The record with what is stored beside it (nonce, confirmation mails). */
  getStored(email: string): Promise<StoredSubscriber | undefined>;
  /**
   * One conditional write for a confirmation mail, only if the record is still as `seen` (same
   * status and updatedAt), so of two requests racing for the last slot one wins: sets the log of
   * confirmation mails (the caller's pruned log, with the mail about to go out appended) and the
   * confirm nonce; with `reopen`, also moves an unsubscribed record back to pending with that
   * fresh consent record. Returns false, changing nothing, if the record changed meanwhile.
   */
  recordConfirmMail(
    seen: StoredSubscriber,
    change: { log: ConfirmMail[]; nonce: string; reopen?: Consent | undefined },
  ): Promise<boolean>;
  /** Notes SES's message id on the logged confirmation mail sent at `at` (matched by feedback). */
  noteConfirmMessageId(email: string, at: string, messageId: string): Promise<void>;
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

  // The identity migration (`dedupe`): exact keys, and writes that happen only if nothing changed.
  /** Pages of records stored before identity keys (those without `address`), profiles only. */
  legacyPages(pageSize?: number): AsyncGenerator<StoredSubscriber[]>;
  /** The record stored under exactly this key (no mapping to a mailbox key). */
  getExact(key: string): Promise<StoredSubscriber | undefined>;
  /**
   * Writes `record` under its `email` only if what is stored there is still `expected` (same
   * status and updatedAt; undefined: nothing is stored there). False, changing nothing, otherwise.
   */
  replaceIf(record: StoredSubscriber, expected: StoredSubscriber | undefined): Promise<boolean>;
  /** Deletes the record under exactly `expected.email` only if it is still `expected`. */
  deleteIf(expected: StoredSubscriber): Promise<boolean>;
}

/** What the send path needs to know about a recipient right before sending. */
export type RecipientInfo = Pick<Subscriber, 'email' | 'id' | 'status' | 'address'>;

/** The send-time suppression re-check for many recipients at once. */
export interface RecipientLookup {
  /**
   * Current status, id and spelling of each stored key as `pagesByStatus` yields them (keys with
   * no subscriber are missing).
   */
  getMany(keys: string[]): Promise<Map<string, RecipientInfo>>;
}

// ── Deliveries and issues ────────────────────────────────────────────────────────────────────

/**
 * Delivery records, one per (issue, mailbox): every method takes an address in any spelling and
 * keys it by its mailbox (see `mailboxKey`), so two spellings of one mailbox share one record. The
 * conditional write in `claim` is what makes a send happen at most once: it comes before the SES
 * call, and a retry finds it.
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
  /**
   * The identity migration: moves the record an older version wrote under exactly `storedKey`
   * (a spelling) to its mailbox key, unless the mailbox already has one as far along (sent beats
   * sending beats failed); then deletes the old one. Idempotent; conditional at each step.
   */
  carryForward(issueId: string, storedKey: string): Promise<void>;
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
  /** Stores a new document; false, writing nothing, when the key is taken (atomic: two racing callers cannot both win). */
  putNew(key: string, body: string | Uint8Array, contentType: string): Promise<boolean>;
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
 * Abuse limits that hold across instances (counters per window), shared by every Lambda instance.
 * The per-address cap on confirmation mails lives with the subscriber (its log of mails sent).
 */
export interface RateLimitStore {
  /**
   * Counts one hit in the current window of `windowSeconds` for `key`; returns whether the
   * count is still within `limit`, and the seconds until the window ends.
   */
  hit(key: string, limit: number, windowSeconds: number, nowMs?: number): Promise<RateDecision>;
}
