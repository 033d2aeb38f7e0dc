import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { DeliveryRecord, DeliveryState } from '../../core/model.ts';
import type { DeliveryStore, RecipientInfo, RecipientLookup } from '../../core/ports.ts';
import { mailboxKey } from '../../core/subscribers/address.ts';
import { batchGetAll, batchPutAll, ifCondition, wroteIf } from './writes.ts';

/** How far a delivery got: a record of a mailbox is never replaced by one that got less far. */
const PROGRESS: Record<DeliveryState, number> = { failed: 0, sending: 1, sent: 2 };

/**
 * Delivery records (PK `issueId`, SK `email`), keyed by the recipient's mailbox (see `mailboxKey`):
 * every method maps the address it is given, so two spellings of one mailbox meet the same record
 * and the conditional claim sends one message to the mailbox, not one per spelling.
 */
export class DynamoDeliveryStore implements DeliveryStore {
  constructor(
    private readonly ddb: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly ttlDays: number,
  ) {}

  private expiresAt(): number {
    return Math.floor(Date.now() / 1000) + Math.round(this.ttlDays * 86_400);
  }

  async claim(issueId: string, address: string) {
    const email = mailboxKey(address);
    const record: DeliveryRecord = {
      issueId,
      email,
      state: 'sending',
      attempts: 1,
      updatedAt: new Date().toISOString(),
      expiresAt: this.expiresAt(),
    };
    const claimed = await wroteIf(() =>
      this.ddb.send(
        new PutCommand({
          TableName: this.table,
          Item: record,
          ConditionExpression: 'attribute_not_exists(email)',
        }),
      ),
    );
    if (claimed) return { claimed: true as const };
    const existing = await this.get(issueId, email);
    if (!existing) throw new Error(`delivery record for ${email} vanished during claim`);
    return { claimed: false as const, existing };
  }

  async reclaim(issueId: string, address: string, from: DeliveryState, attempts: number): Promise<boolean> {
    const email = mailboxKey(address);
    return wroteIf(() =>
      this.ddb.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { issueId, email },
          UpdateExpression: 'SET #s = :sending, attempts = :next, updatedAt = :u REMOVE #e',
          // Both the state and the attempt count must match: two processes retrying the same
          // record cannot both win.
          ConditionExpression: '#s = :from AND attempts = :attempts',
          ExpressionAttributeNames: { '#s': 'state', '#e': 'error' },
          ExpressionAttributeValues: {
            ':sending': 'sending',
            ':from': from,
            ':attempts': attempts,
            ':next': attempts + 1,
            ':u': new Date().toISOString(),
          },
        }),
      ),
    );
  }

  async markSent(issueId: string, address: string, messageId: string, attempts?: number): Promise<void> {
    const email = mailboxKey(address);
    if (attempts !== undefined) {
      // The whole record, as it now stands: a grouped BatchWriteItem can only put items.
      return this.putSent({
        issueId,
        email,
        state: 'sent',
        attempts,
        messageId,
        updatedAt: new Date().toISOString(),
        expiresAt: this.expiresAt(),
      });
    }
    await this.ddb.send(
      new UpdateCommand({
        TableName: this.table,
        Key: { issueId, email },
        UpdateExpression: 'SET #s = :sent, messageId = :m, updatedAt = :u',
        ExpressionAttributeNames: { '#s': 'state' },
        ExpressionAttributeValues: { ':sent': 'sent', ':m': messageId, ':u': new Date().toISOString() },
      }),
    );
  }

  /**
   * Group commit of `sent` records: a write waits at most SENT_LINGER_MS for others to share its
   * BatchWriteItem call (25 at most), and its caller hears back only once the batch is written, so
   * the recipient's send slot stays taken until then (a crash still leaves at most the send
   * concurrency without a `sent` record). A put never lowers a record: only the worker holding the
   * `sending` claim gets here.
   */
  private sentQueue: { item: DeliveryRecord; done: (error?: unknown) => void }[] = [];
  private sentTimer: ReturnType<typeof setTimeout> | undefined;

  private putSent(item: DeliveryRecord): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const key = `${item.issueId}\n${item.email}`;
      if (this.sentQueue.some((q) => `${q.item.issueId}\n${q.item.email}` === key)) this.flushSent();
      this.sentQueue.push({ item, done: (error) => (error === undefined ? resolve() : reject(error)) });
      if (this.sentQueue.length >= BATCH_WRITE_MAX) this.flushSent();
      else this.sentTimer ??= setTimeout(() => this.flushSent(), SENT_LINGER_MS);
    });
  }

  private flushSent(): void {
    clearTimeout(this.sentTimer);
    this.sentTimer = undefined;
    const batch = this.sentQueue.splice(0, BATCH_WRITE_MAX);
    if (this.sentQueue.length > 0) this.sentTimer = setTimeout(() => this.flushSent(), 0);
    if (batch.length > 0) void this.writeSent(batch);
  }

  private async writeSent(batch: { item: DeliveryRecord; done: (error?: unknown) => void }[]): Promise<void> {
    const key = (item: DeliveryRecord) => `${item.issueId}\n${item.email}`;
    const waiting = new Map(batch.map((p) => [key(p.item), p]));
    try {
      await batchPutAll(
        this.ddb,
        this.table,
        batch.map((p) => p.item),
        key,
        (written) => {
          for (const item of written) {
            waiting.get(key(item))?.done();
            waiting.delete(key(item));
          }
        },
      );
    } catch (error) {
      // Only the records still unwritten fail; the others were released when they became durable.
      for (const p of waiting.values()) p.done(error);
    }
  }

  async markFailed(issueId: string, address: string, error: string): Promise<void> {
    const email = mailboxKey(address);
    await ifCondition(() =>
      this.ddb.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { issueId, email },
          UpdateExpression: 'SET #s = :failed, #e = :e, updatedAt = :u',
          // Never downgrade a record that another worker already marked sent.
          ConditionExpression: '#s = :sending',
          ExpressionAttributeNames: { '#s': 'state', '#e': 'error' },
          ExpressionAttributeValues: {
            ':failed': 'failed',
            ':sending': 'sending',
            ':e': error.slice(0, 1000),
            ':u': new Date().toISOString(),
          },
        }),
      ),
    );
  }

  async get(issueId: string, address: string): Promise<DeliveryRecord | undefined> {
    return this.getExact(issueId, mailboxKey(address));
  }

  private async getExact(issueId: string, email: string): Promise<DeliveryRecord | undefined> {
    const out = await this.ddb.send(
      new GetCommand({ TableName: this.table, Key: { issueId, email }, ConsistentRead: true }),
    );
    return out.Item as DeliveryRecord | undefined;
  }

  /** By the addresses asked for (two spellings of one mailbox both get its record). */
  async getMany(issueId: string, addresses: string[]): Promise<Map<string, DeliveryRecord>> {
    const keys = [...new Set(addresses.map(mailboxKey))];
    const items = await batchGetAll(
      this.ddb,
      this.table,
      keys.map((email) => ({ issueId, email })),
    );
    const byKey = new Map(items.map((item) => [String(item.email), item as unknown as DeliveryRecord]));
    const found = new Map<string, DeliveryRecord>();
    for (const address of addresses) {
      const record = byKey.get(mailboxKey(address));
      if (record) found.set(address, record);
    }
    return found;
  }

  async carryForward(issueId: string, storedKey: string): Promise<void> {
    const key = mailboxKey(storedKey);
    if (key === storedKey) return;
    const old = await this.getExact(issueId, storedKey);
    if (!old) return;
    const current = await this.getExact(issueId, key);
    if (!current || PROGRESS[old.state] > PROGRESS[current.state]) {
      // Only over what was read: a send that moved the mailbox's record on meanwhile wins.
      const moved = await wroteIf(() =>
        this.ddb.send(
          new PutCommand({
            TableName: this.table,
            Item: { ...old, email: key },
            ...(current
              ? {
                  ConditionExpression: '#s = :s AND attempts = :a',
                  ExpressionAttributeNames: { '#s': 'state' },
                  ExpressionAttributeValues: { ':s': current.state, ':a': current.attempts },
                }
              : { ConditionExpression: 'attribute_not_exists(email)' }),
          }),
        ),
      );
      if (!moved) return; // changed under us: the next dedupe run looks again
    }
    // The mailbox's record now says as much as the old one: the old one can go.
    await ifCondition(() =>
      this.ddb.send(
        new DeleteCommand({
          TableName: this.table,
          Key: { issueId, email: storedKey },
          ConditionExpression: '#s = :s AND attempts = :a',
          ExpressionAttributeNames: { '#s': 'state' },
          ExpressionAttributeValues: { ':s': old.state, ':a': old.attempts },
        }),
      ),
    );
  }

  async *pagesByState(issueId: string, state: DeliveryState): AsyncGenerator<DeliveryRecord[]> {
    let startKey: Record<string, unknown> | undefined;
    do {
      const out = await this.ddb.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'issueId = :i',
          FilterExpression: '#s = :s',
          ExpressionAttributeNames: { '#s': 'state' },
          ExpressionAttributeValues: { ':i': issueId, ':s': state },
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        }),
      );
      const items = (out.Items ?? []) as DeliveryRecord[];
      if (items.length > 0) yield items;
      startKey = out.LastEvaluatedKey;
    } while (startKey);
  }
}

/**
 * Reads subscribers' status and id from the subscribers table with BatchGetItem (strongly
 * consistent): one call per 100 recipients instead of one each, which is most of the per-message
 * cost of the send path besides the SES call itself.
 */
export class DynamoRecipientLookup implements RecipientLookup {
  constructor(
    private readonly ddb: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async getMany(keys: string[]): Promise<Map<string, RecipientInfo>> {
    const items = await batchGetAll(
      this.ddb,
      this.table,
      [...new Set(keys)].map((email) => ({ email })),
      { expression: 'email, id, #s, address', names: { '#s': 'status' } },
    );
    return new Map(items.map((item) => [String(item.email), item as unknown as RecipientInfo]));
  }
}

const BATCH_WRITE_MAX = 25;
/** How long a `sent` write waits for others to share its call. */
const SENT_LINGER_MS = 10;
