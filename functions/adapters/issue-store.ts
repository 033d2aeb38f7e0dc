import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  ScanCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { IssueCounts, IssueRecord, IssueState } from '../core/model.ts';

/** Issue records: what each issue carried and how far its sending got. */
export interface IssueStore {
  create(issue: IssueRecord): Promise<boolean>;
  get(issueId: string): Promise<IssueRecord | undefined>;
  setState(issueId: string, state: IssueState, counts?: IssueCounts): Promise<void>;
  /** All issues, newest first. Issues are few (one a week), so a scan is fine. */
  list(): Promise<IssueRecord[]>;
}

export class DynamoIssueStore implements IssueStore {
  constructor(
    private readonly ddb: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async create(issue: IssueRecord): Promise<boolean> {
    try {
      await this.ddb.send(
        new PutCommand({
          TableName: this.table,
          Item: issue,
          ConditionExpression: 'attribute_not_exists(issueId)',
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async get(issueId: string): Promise<IssueRecord | undefined> {
    const out = await this.ddb.send(
      new GetCommand({ TableName: this.table, Key: { issueId }, ConsistentRead: true }),
    );
    return out.Item as IssueRecord | undefined;
  }

  async setState(issueId: string, state: IssueState, counts?: IssueCounts): Promise<void> {
    const values: Record<string, unknown> = { ':s': state, ':u': new Date().toISOString() };
    let update = 'SET #s = :s, updatedAt = :u';
    if (counts) {
      update += ', #c = :c';
      values[':c'] = counts;
    }
    if (state === 'sent') update += ', sentAt = :u';
    await this.ddb.send(
      new UpdateCommand({
        TableName: this.table,
        Key: { issueId },
        UpdateExpression: update,
        ConditionExpression: 'attribute_exists(issueId)',
        ExpressionAttributeNames: { '#s': 'state', ...(counts ? { '#c': 'counts' } : {}) },
        ExpressionAttributeValues: values,
      }),
    );
  }

  async list(): Promise<IssueRecord[]> {
    const items: IssueRecord[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const out = await this.ddb.send(
        new ScanCommand({ TableName: this.table, ExclusiveStartKey: startKey, ConsistentRead: true }),
      );
      items.push(...((out.Items ?? []) as IssueRecord[]));
      startKey = out.LastEvaluatedKey;
    } while (startKey);
    return items.sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.issueId.localeCompare(a.issueId));
  }
}
