import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { Consent, Subscriber, SubscriberStatus } from '../core/model.ts';
import { SUBSCRIBERS_STATUS_INDEX } from './tables.ts';

/** The subscriber list: the port the core uses, and its DynamoDB adapter below. */
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
  /** Pages of addresses with a status, one DynamoDB page at a time: memory does not grow with the list. */
  pagesByStatus(status: SubscriberStatus, pageSize?: number): AsyncGenerator<string[]>;
  countByStatus(status: SubscriberStatus): Promise<number>;
  incrementSoftBounces(email: string): Promise<void>;
  /** Whether the table holds any item at all (first-run detection). */
  isEmpty(): Promise<boolean>;
}

const isConditionFailure = (error: unknown) => error instanceof ConditionalCheckFailedException;

export class DynamoSubscriberStore implements SubscriberStore {
  constructor(
    private readonly ddb: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async get(email: string): Promise<Subscriber | undefined> {
    const out = await this.ddb.send(
      new GetCommand({ TableName: this.table, Key: { email }, ConsistentRead: true }),
    );
    return out.Item as Subscriber | undefined;
  }

  async create(subscriber: Subscriber): Promise<boolean> {
    try {
      await this.ddb.send(
        new PutCommand({
          TableName: this.table,
          Item: subscriber,
          ConditionExpression: 'attribute_not_exists(email)',
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async setStatus(
    email: string,
    status: SubscriberStatus,
    options: { from?: SubscriberStatus[]; consent?: Partial<Consent> } = {},
  ): Promise<boolean> {
    const names: Record<string, string> = { '#s': 'status', '#u': 'updatedAt' };
    const values: Record<string, unknown> = { ':s': status, ':u': new Date().toISOString() };
    const sets = ['#s = :s', '#u = :u'];
    for (const [key, value] of Object.entries(options.consent ?? {})) {
      if (value === undefined) continue;
      names[`#c_${key}`] = key;
      names['#c'] = 'consent';
      values[`:c_${key}`] = value;
      sets.push(`#c.#c_${key} = :c_${key}`);
    }
    let condition = 'attribute_exists(email)';
    if (options.from?.length) {
      const keys = options.from.map((s, i) => {
        values[`:f${i}`] = s;
        return `:f${i}`;
      });
      condition += ` AND #s IN (${keys.join(', ')})`;
    }
    try {
      await this.ddb.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { email },
          UpdateExpression: `SET ${sets.join(', ')}`,
          ConditionExpression: condition,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async delete(email: string): Promise<boolean> {
    const out = await this.ddb.send(
      new DeleteCommand({ TableName: this.table, Key: { email }, ReturnValues: 'ALL_OLD' }),
    );
    return out.Attributes !== undefined;
  }

  async *pagesByStatus(status: SubscriberStatus, pageSize = 500): AsyncGenerator<string[]> {
    let startKey: Record<string, unknown> | undefined;
    do {
      const out = await this.ddb.send(
        new QueryCommand({
          TableName: this.table,
          IndexName: SUBSCRIBERS_STATUS_INDEX,
          KeyConditionExpression: '#s = :s',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: { ':s': status },
          Limit: pageSize,
          ExclusiveStartKey: startKey,
        }),
      );
      const emails = (out.Items ?? []).map((item) => String(item.email));
      if (emails.length > 0) yield emails;
      startKey = out.LastEvaluatedKey;
    } while (startKey);
  }

  async countByStatus(status: SubscriberStatus): Promise<number> {
    let count = 0;
    let startKey: Record<string, unknown> | undefined;
    do {
      const out = await this.ddb.send(
        new QueryCommand({
          TableName: this.table,
          IndexName: SUBSCRIBERS_STATUS_INDEX,
          KeyConditionExpression: '#s = :s',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: { ':s': status },
          Select: 'COUNT',
          ExclusiveStartKey: startKey,
        }),
      );
      count += out.Count ?? 0;
      startKey = out.LastEvaluatedKey;
    } while (startKey);
    return count;
  }

  async incrementSoftBounces(email: string): Promise<void> {
    try {
      await this.ddb.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { email },
          UpdateExpression: 'ADD softBounces :one SET updatedAt = :u',
          ConditionExpression: 'attribute_exists(email)',
          ExpressionAttributeValues: { ':one': 1, ':u': new Date().toISOString() },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  async isEmpty(): Promise<boolean> {
    const out = await this.ddb.send(
      new ScanCommand({ TableName: this.table, Limit: 1, ProjectionExpression: 'email' }),
    );
    return (out.Items ?? []).length === 0;
  }
}
