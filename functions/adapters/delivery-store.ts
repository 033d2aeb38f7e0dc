import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { DeliveryRecord, DeliveryState } from '../core/model.ts';

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
