import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { RateDecision, RateLimitStore } from '../../core/ports.ts';

/**
 * Abuse limits that hold across Lambda instances: fixed-window counters in the rate-limits table
 * (PK `key`). Every item carries `expiresAt` (epoch seconds), the table's TTL attribute on AWS, so
 * old windows disappear on their own. Only UpdateItem is used (the API function's grant).
 */
export class DynamoRateLimitStore implements RateLimitStore {
  constructor(
    private readonly ddb: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async hit(key: string, limit: number, windowSeconds: number, nowMs = Date.now()): Promise<RateDecision> {
    const now = Math.floor(nowMs / 1000);
    const window = Math.floor(now / windowSeconds);
    const windowEnd = (window + 1) * windowSeconds;
    const out = await this.ddb.send(
      new UpdateCommand({
        TableName: this.table,
        Key: { key: `${key}#${window}` },
        UpdateExpression: 'ADD hits :one SET expiresAt = if_not_exists(expiresAt, :exp)',
        // Keep the item a little past the window end: TTL deletion on AWS is lazy anyway.
        ExpressionAttributeValues: { ':one': 1, ':exp': windowEnd + 60 },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    const count = Number(out.Attributes?.hits ?? 1);
    return { allowed: count <= limit, count, retryAfterSeconds: Math.max(1, windowEnd - now) };
  }
}
