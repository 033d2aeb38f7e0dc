import { randomUUID } from 'node:crypto';
import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SubscriberStatus } from '../../functions/core/model.ts';

/** Writes `count` subscribers quickly (BatchWrite, 25 per call, unprocessed items resent). */
export async function seedSubscribers(
  ddb: DynamoDBDocumentClient,
  table: string,
  count: number,
  options: { status?: SubscriberStatus; prefix?: string; parallel?: number } = {},
): Promise<string[]> {
  const now = new Date().toISOString();
  const emails = Array.from({ length: count }, (_, i) => `${options.prefix ?? 'reader'}${i}@example.com`);
  const batches: Record<string, unknown>[][] = [];
  for (let i = 0; i < emails.length; i += 25) {
    batches.push(
      emails.slice(i, i + 25).map((email) => ({
        PutRequest: {
          // As the current version writes them: under the mailbox key, with the spelling.
          Item: {
            email,
            address: email,
            id: randomUUID(),
            status: options.status ?? 'confirmed',
            createdAt: now,
            updatedAt: now,
          },
        },
      })),
    );
  }
  const parallel = options.parallel ?? 4;
  for (let i = 0; i < batches.length; i += parallel) {
    await Promise.all(
      batches.slice(i, i + parallel).map(async (batch) => {
        let items = batch;
        while (items.length > 0) {
          const out = await ddb.send(new BatchWriteCommand({ RequestItems: { [table]: items as never[] } }));
          items = (out.UnprocessedItems?.[table] ?? []) as Record<string, unknown>[];
        }
      }),
    );
  }
  return emails;
}
