/** Shapes stored in DynamoDB, shared by the stores, the core and the handlers. */

export const SUBSCRIBER_STATUSES = ['pending', 'confirmed', 'unsubscribed', 'bounced', 'complained'] as const;
export type SubscriberStatus = (typeof SUBSCRIBER_STATUSES)[number];

/** Statuses that must never receive a digest again. */
export const SUPPRESSED_STATUSES: readonly SubscriberStatus[] = ['unsubscribed', 'bounced', 'complained'];

export interface Consent {
  /** How consent was collected: the signup form, an import with consent gathered elsewhere, the CLI. */
  source: 'form' | 'import' | 'cli' | 'api';
  subscribedAt: string;
  ip?: string | undefined;
  userAgent?: string | undefined;
  wordingVersion?: string | undefined;
  confirmedAt?: string | undefined;
  confirmIp?: string | undefined;
  note?: string | undefined;
}

/**
 * One mailbox. `email` is its identity (see `mailboxKey`: the address lower-cased, since every large
 * mailbox provider compares local parts case-insensitively), the key the subscriber and delivery
 * records are stored under; `address` is the spelling the person typed, used for display and in
 * `To:`. Records written before identity keys have no `address` and may sit under a spelling
 * (`digest subscribers dedupe` moves them): read the spelling with `addressOf`.
 */
export interface Subscriber {
  email: string;
  address?: string | undefined;
  /** Opaque id, used in SES message tags so delivery events can be matched back without the address. */
  id: string;
  status: SubscriberStatus;
  name?: string | undefined;
  createdAt: string;
  updatedAt: string;
  consent?: Consent | undefined;
  softBounces?: number | undefined;
}

export const DELIVERY_STATES = ['sending', 'sent', 'failed'] as const;
export type DeliveryState = (typeof DELIVERY_STATES)[number];

export interface DeliveryRecord {
  issueId: string;
  email: string;
  state: DeliveryState;
  attempts: number;
  messageId?: string | undefined;
  error?: string | undefined;
  updatedAt: string;
  /** Epoch seconds; DynamoDB TTL removes the record after the retention period. */
  expiresAt: number;
}

export const ISSUE_STATES = ['building', 'sending', 'sent', 'partial'] as const;
export type IssueState = (typeof ISSUE_STATES)[number];

export interface IssueCounts {
  recipients: number;
  sent: number;
  skipped: number;
  suppressed: number;
  failed: number;
  unknown: number;
}

export interface IssueRecord {
  issueId: string;
  createdAt: string;
  state: IssueState;
  subject: string;
  /** Content hashes of the articles the issue carried ("already sent" is decided by these). */
  articleHashes: string[];
  articleFiles: string[];
  articleTitles: string[];
  counts?: IssueCounts | undefined;
  /** Recipients queued for the send function (AWS fan-out); counts.recipients catches up to it. */
  enqueued?: number | undefined;
  sentAt?: string | undefined;
}

/** The spelling to show and to send to. */
export const addressOf = (s: Pick<Subscriber, 'email' | 'address'>): string => s.address ?? s.email;
