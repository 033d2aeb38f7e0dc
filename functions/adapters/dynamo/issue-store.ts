import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  ScanCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { IssueCounts, IssueRecord, IssueState } from '../../core/model.ts';
import type { IssueStore } from '../../core/ports.ts';
import { wroteIf } from './writes.ts';

export class DynamoIssueStore implements IssueStore {
  constructor(
    private readonly ddb: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async create(issue: IssueRecord): Promise<boolean> {
    return wroteIf(() =>
      this.ddb.send(
        new PutCommand({
          TableName: this.table,
          Item: issue,
          ConditionExpression: 'attribute_not_exists(issueId)',
        }),
      ),
    );
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

  async setEnqueued(issueId: string, enqueued: number): Promise<void> {
    const zero = { recipients: 0, sent: 0, skipped: 0, suppressed: 0, failed: 0, unknown: 0 };
    await this.ddb.send(
      new UpdateCommand({
        TableName: this.table,
        Key: { issueId },
        // A new fan-out (first, or completing an unfinished issue) starts counting afresh.
        UpdateExpression: 'SET enqueued = :n, #c = :zero',
        ConditionExpression: 'attribute_exists(issueId)',
        ExpressionAttributeNames: { '#c': 'counts' },
        ExpressionAttributeValues: { ':n': enqueued, ':zero': zero },
      }),
    );
  }

  async recordOutcome(issueId: string, outcome: keyof IssueCounts): Promise<IssueState | undefined> {
    const out = await this.ddb.send(
      new UpdateCommand({
        TableName: this.table,
        Key: { issueId },
        UpdateExpression: 'ADD #c.#o :one, #c.recipients :one',
        ConditionExpression: 'attribute_exists(#c)',
        ExpressionAttributeNames: { '#c': 'counts', '#o': outcome },
        ExpressionAttributeValues: { ':one': 1 },
        ReturnValues: 'ALL_NEW',
      }),
    );
    const issue = out.Attributes as (IssueRecord & { enqueued?: number }) | undefined;
    if (!issue?.counts || issue.enqueued === undefined || issue.counts.recipients < issue.enqueued)
      return undefined;
    const state: IssueState = issue.counts.failed > 0 || issue.counts.unknown > 0 ? 'partial' : 'sent';
    const finished = await wroteIf(() =>
      this.ddb.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { issueId },
          UpdateExpression: 'SET #s = :s, updatedAt = :u, sentAt = :u',
          // Only the first send function to see the last outcome finishes the issue.
          ConditionExpression: '#s = :sending',
          ExpressionAttributeNames: { '#s': 'state' },
          ExpressionAttributeValues: { ':s': state, ':sending': 'sending', ':u': new Date().toISOString() },
        }),
      ),
    );
    return finished ? state : undefined;
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
