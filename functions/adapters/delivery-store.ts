import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { DeliveryRecord, DeliveryState, Subscriber } from '../core/model.ts';

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
  markSent(issueId: string, email: string, messageId: string): Promise<void>;
  markFailed(issueId: string, email: string, error: string): Promise<void>;
  get(issueId: string, email: string): Promise<DeliveryRecord | undefined>;
  /** The records of several recipients of one issue (absent ones are missing from the map). */
  getMany(issueId: string, emails: string[]): Promise<Map<string, DeliveryRecord>>;
  /** Pages of records of an issue in one state (e.g. `sending` left by a crash). */
  pagesByState(issueId: string, state: DeliveryState): AsyncGenerator<DeliveryRecord[]>;
}

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
    try {
      await this.ddb.send(
        new PutCommand({
          TableName: this.table,
          Item: record,
          ConditionExpression: 'attribute_not_exists(email)',
        }),
      );
      return { claimed: true as const };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const existing = await this.get(issueId, email);
      if (!existing) throw new Error(`delivery record for ${email} vanished during claim`, { cause: error });
      return { claimed: false as const, existing };
    }
  }

  async reclaim(issueId: string, email: string, from: DeliveryState, attempts: number): Promise<boolean> {
    try {
      await this.ddb.send(
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
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async markSent(issueId: string, email: string, messageId: string): Promise<void> {
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

  async markFailed(issueId: string, email: string, error: string): Promise<void> {
    await this.ddb
      .send(
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
      )
      .catch((e: unknown) => {
        if (!(e instanceof ConditionalCheckFailedException)) throw e;
      });
  }

  async get(issueId: string, email: string): Promise<DeliveryRecord | undefined> {
    const out = await this.ddb.send(
      new GetCommand({ TableName: this.table, Key: { issueId, email }, ConsistentRead: true }),
    );
    return out.Item as DeliveryRecord | undefined;
  }

  async getMany(issueId: string, emails: string[]): Promise<Map<string, DeliveryRecord>> {
    const items = await batchGet(
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

/** What the send path needs to know about a recipient right before sending. */
export type RecipientInfo = Pick<Subscriber, 'email' | 'id' | 'status'>;

/** The send-time suppression re-check for many recipients at once. */
export interface RecipientLookup {
  /** Current status and id of each address (addresses with no subscriber are missing). */
  getMany(emails: string[]): Promise<Map<string, RecipientInfo>>;
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
    const items = await batchGet(
      this.ddb,
      this.table,
      emails.map((email) => ({ email })),
      { projection: 'email, id, #s', names: { '#s': 'status' } },
    );
    return new Map(items.map((item) => [String(item.email), item as unknown as RecipientInfo]));
  }
}

const BATCH_GET_MAX = 100;

/** BatchGetItem in calls of 100 keys, unprocessed keys retried with backoff (bounded). */
async function batchGet(
  ddb: DynamoDBDocumentClient,
  table: string,
  keys: Record<string, string>[],
  projection?: { projection: string; names: Record<string, string> },
): Promise<Record<string, unknown>[]> {
  const found: Record<string, unknown>[] = [];
  for (let i = 0; i < keys.length; i += BATCH_GET_MAX) {
    let pending = keys.slice(i, i + BATCH_GET_MAX);
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt > 8) throw new Error(`DynamoDB left ${pending.length} key(s) of ${table} unprocessed`);
      if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(1000, 20 * 2 ** attempt)));
      const out = await ddb.send(
        new BatchGetCommand({
          RequestItems: {
            [table]: {
              Keys: pending,
              ConsistentRead: true,
              ...(projection
                ? { ProjectionExpression: projection.projection, ExpressionAttributeNames: projection.names }
                : {}),
            },
          },
        }),
      );
      found.push(...((out.Responses?.[table] ?? []) as Record<string, unknown>[]));
      pending = (out.UnprocessedKeys?.[table]?.Keys ?? []) as Record<string, string>[];
    }
  }
  return found;
}
