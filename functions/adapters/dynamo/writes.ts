import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DigestError } from '../../core/errors.ts';

/**
 * The DynamoDB calls every store repeats: a conditional write whose failed condition is an answer
 * (not an error), and batch reads and writes whose unprocessed part is retried with backoff, a
 * bounded number of times, then reported.
 */

/** Runs a conditional write: its result, or `undefined` when the condition did not hold. */
export async function ifCondition<T>(write: () => Promise<T>): Promise<T | undefined> {
  try {
    return await write();
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return undefined;
    throw error;
  }
}

/** Runs a conditional write: true when it happened, false when its condition did not hold. */
export async function wroteIf(write: () => Promise<unknown>): Promise<boolean> {
  const done = await ifCondition(async () => {
    await write();
    return true;
  });
  return done ?? false;
}

const BATCH_GET_MAX = 100;
const BATCH_WRITE_MAX = 25;
/** Rounds of retrying unprocessed keys or items before giving up (about 5 s of backoff in all). */
const MAX_ROUNDS = 9;

const backoff = (round: number) => new Promise((r) => setTimeout(r, Math.min(1000, 20 * 2 ** round)));

type Key = Record<string, string>;

/** BatchGetItem (strongly consistent) in calls of 100 keys, unprocessed keys retried. */
export async function batchGetAll(
  ddb: DynamoDBDocumentClient,
  table: string,
  keys: Key[],
  projection?: { expression: string; names?: Record<string, string> },
): Promise<Record<string, unknown>[]> {
  const found: Record<string, unknown>[] = [];
  for (let i = 0; i < keys.length; i += BATCH_GET_MAX) {
    let pending = keys.slice(i, i + BATCH_GET_MAX);
    for (let round = 0; pending.length > 0; round++) {
      if (round >= MAX_ROUNDS)
        throw new Error(`DynamoDB left ${pending.length} key(s) of ${table} unprocessed`);
      if (round > 0) await backoff(round);
      const out = await ddb.send(
        new BatchGetCommand({
          RequestItems: {
            [table]: {
              Keys: pending,
              ConsistentRead: true,
              ...(projection
                ? {
                    ProjectionExpression: projection.expression,
                    ...(projection.names ? { ExpressionAttributeNames: projection.names } : {}),
                  }
                : {}),
            },
          },
        }),
      );
      found.push(...((out.Responses?.[table] ?? []) as Record<string, unknown>[]));
      pending = (out.UnprocessedKeys?.[table]?.Keys ?? []) as Key[];
    }
  }
  return found;
}

/**
 * BatchWriteItem puts in calls of 25, unprocessed items retried. Items are matched by `keyOf`
 * (their primary key as one string). `onWritten` hears of each round's written items as soon as
 * they are durable (a group commit releases its callers early); if DynamoDB keeps leaving items
 * unprocessed, UnwrittenError lists them.
 */
export async function batchPutAll<T extends object>(
  ddb: DynamoDBDocumentClient,
  table: string,
  items: T[],
  keyOf: (item: T) => string,
  onWritten?: (written: T[]) => void,
): Promise<void> {
  for (let i = 0; i < items.length; i += BATCH_WRITE_MAX) {
    let pending = items.slice(i, i + BATCH_WRITE_MAX);
    for (let round = 0; pending.length > 0; round++) {
      if (round >= MAX_ROUNDS) throw new UnwrittenError(table, pending);
      if (round > 0) await backoff(round);
      const out = await ddb.send(
        new BatchWriteCommand({
          RequestItems: { [table]: pending.map((Item) => ({ PutRequest: { Item } })) },
        }),
      );
      const left = new Set(
        (out.UnprocessedItems?.[table] ?? []).flatMap((r) =>
          r.PutRequest?.Item ? [keyOf(r.PutRequest.Item as T)] : [],
        ),
      );
      const written = pending.filter((item) => !left.has(keyOf(item)));
      if (written.length > 0) onWritten?.(written);
      pending = pending.filter((item) => left.has(keyOf(item)));
    }
  }
}

/** Items DynamoDB kept leaving unprocessed. */
export class UnwrittenError<T> extends DigestError {
  override name = 'UnwrittenError';
  constructor(
    table: string,
    readonly items: T[],
  ) {
    super(`DynamoDB left ${items.length} item(s) of ${table} unwritten`);
  }
}
