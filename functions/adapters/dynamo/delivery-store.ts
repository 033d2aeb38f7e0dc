import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { DeliveryRecord, DeliveryState } from '../../core/model.ts';
import type { DeliveryStore, RecipientInfo, RecipientLookup } from '../../core/ports.ts';
import { batchGetAll, batchPutAll, ifCondition, wroteIf } from './writes.ts';

export class DynamoDeliveryStore implements DeliveryStore {
  constructor(
    private readonly ddb: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly ttlDays: number,
  ) {}

  private expiresAt(): number {
    return Math.floor(Date.now() / 1000) + Math.round(this.ttlDays * 86_400);
  }

  async claim(issueId: string, email: string) {
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

  async reclaim(issueId: string, email: string, from: DeliveryState, attempts: number): Promise<boolean> {
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

  async markSent(issueId: string, email: string, messageId: string, attempts?: number): Promise<void> {
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

  async markFailed(issueId: string, email: string, error: string): Promise<void> {
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

  async get(issueId: string, email: string): Promise<DeliveryRecord | undefined> {
    const out = await this.ddb.send(
      new GetCommand({ TableName: this.table, Key: { issueId, email }, ConsistentRead: true }),
    );
    return out.Item as DeliveryRecord | undefined;
  }

  async getMany(issueId: string, emails: string[]): Promise<Map<string, DeliveryRecord>> {
    const items = await batchGetAll(
      this.ddb,
      this.table,
      emails.map((email) => ({ issueId, email })),
    );
    return new Map(items.map((item) => [String(item.email), item as unknown as DeliveryRecord]));
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

  async getMany(emails: string[]): Promise<Map<string, RecipientInfo>> {
    const items = await batchGetAll(
      this.ddb,
      this.table,
      emails.map((email) => ({ email })),
      { expression: 'email, id, #s', names: { '#s': 'status' } },
    );
    return new Map(items.map((item) => [String(item.email), item as unknown as RecipientInfo]));
  }
}

const BATCH_WRITE_MAX = 25;
/** How long a `sent` write waits for others to share its call. */
const SENT_LINGER_MS = 10;
