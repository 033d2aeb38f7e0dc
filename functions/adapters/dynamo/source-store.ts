import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  BatchWriteCommand,
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import pLimit from 'p-limit';
import type {
  ItemMemory,
  NewSource,
  Source,
  SourceStore,
  SourceUpdate,
  StoryPrint,
} from '../../core/sources/ports.ts';
import { sourceId } from '../../core/sources/urls.ts';

/**
 * Sources, what became of their items, and story fingerprints, in one table keyed (pk, sk):
 *
 * | pk                 | sk            | what                                                  |
 * | ------------------ | ------------- | ----------------------------------------------------- |
 * | `sources`          | source id     | a source (few: read with one Query)                   |
 * | `source-names`     | lower name    | guards name uniqueness                                |
 * | `item#<key>`       | `-`           | one identity of an item (GUID, URL, text hash)        |
 * | `stories`          | `<at>#<file>` | fingerprint of a written story (near-duplicates)      |
 *
 * Item and story rows carry `expiresAt` for DynamoDB TTL (configured on AWS; dynalite has none).
 * Two fetch runs can race, so the writes that matter are conditional: the lease on a source,
 * the result written only by the lease holder, and item memories that never overwrite an
 * article with a lesser outcome.
 */
const SOURCES = 'sources';
const NAMES = 'source-names';
const STORIES = 'stories';
const ITEM_DAYS = 400;
const STORY_DAYS = 30;
const DAY_S = 86_400;

type Row = Source & { pk: string; sk: string; leaseOwner?: string; leaseUntil?: string };

const toSource = (row: Row): Source => {
  const { pk: _pk, sk: _sk, leaseOwner: _o, leaseUntil: _u, ...source } = row;
  return source;
};

const isConditionFailure = (error: unknown) => error instanceof ConditionalCheckFailedException;

export class DynamoSourceStore implements SourceStore {
  constructor(
    private readonly ddb: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async add(input: NewSource, now: Date) {
    const id = sourceId(input.url);
    const nameKey = input.name.trim().toLowerCase();
    try {
      await this.ddb.send(
        new PutCommand({
          TableName: this.table,
          Item: { pk: NAMES, sk: nameKey, sourceId: id },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (error) {
      if (isConditionFailure(error))
        return { added: false as const, reason: `a source named "${input.name}" exists already` };
      throw error;
    }
    const source: Source = {
      id,
      url: input.url,
      name: input.name,
      kind: input.kind,
      section: input.section,
      addedAt: now.toISOString(),
      consecutiveFailures: 0,
    };
    try {
      await this.ddb.send(
        new PutCommand({
          TableName: this.table,
          Item: { pk: SOURCES, sk: id, ...source },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (error) {
      // No transactions on dynalite: undo the name guard by hand.
      await this.ddb.send(new DeleteCommand({ TableName: this.table, Key: { pk: NAMES, sk: nameKey } }));
      if (isConditionFailure(error)) {
        const existing = await this.get(id);
        return {
          added: false as const,
          reason: `${input.url} is already a source${existing ? ` ("${existing.name}")` : ''}`,
        };
      }
      throw error;
    }
    return { added: true as const, source };
  }

  async get(id: string): Promise<Source | undefined> {
    const out = await this.ddb.send(
      new GetCommand({ TableName: this.table, Key: { pk: SOURCES, sk: id }, ConsistentRead: true }),
    );
    return out.Item ? toSource(out.Item as Row) : undefined;
  }

  async list(): Promise<Source[]> {
    const sources: Source[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.ddb.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': SOURCES },
          ExclusiveStartKey: start,
          ConsistentRead: true,
        }),
      );
      sources.push(...((out.Items ?? []) as Row[]).map(toSource));
      start = out.LastEvaluatedKey;
    } while (start);
    return sources.sort((a, b) => a.name.localeCompare(b.name));
  }

  async remove(id: string): Promise<boolean> {
    try {
      const out = await this.ddb.send(
        new DeleteCommand({
          TableName: this.table,
          Key: { pk: SOURCES, sk: id },
          ConditionExpression: 'attribute_exists(pk)',
          ReturnValues: 'ALL_OLD',
        }),
      );
      const name = (out.Attributes as Row | undefined)?.name;
      if (name)
        await this.ddb.send(
          new DeleteCommand({ TableName: this.table, Key: { pk: NAMES, sk: name.trim().toLowerCase() } }),
        );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async lease(id: string, runId: string, now: Date, until: Date): Promise<boolean> {
    try {
      await this.ddb.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: SOURCES, sk: id },
          UpdateExpression: 'SET leaseOwner = :run, leaseUntil = :until',
          ConditionExpression:
            'attribute_exists(pk) AND (attribute_not_exists(leaseUntil) OR leaseUntil < :now OR leaseOwner = :run)',
          ExpressionAttributeValues: {
            ':run': runId,
            ':until': until.toISOString(),
            ':now': now.toISOString(),
          },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async record(id: string, runId: string, update: SourceUpdate): Promise<boolean> {
    const set: string[] = ['lastFetch = :lf', 'consecutiveFailures = :cf'];
    const remove: string[] = ['leaseOwner', 'leaseUntil'];
    const values: Record<string, unknown> = {
      ':lf': update.lastFetch,
      ':cf': update.consecutiveFailures,
      ':run': runId,
    };
    const optional = (name: string, value: string | undefined) => {
      if (value === undefined) remove.push(name);
      else {
        set.push(`${name} = :${name}`);
        values[`:${name}`] = value;
      }
    };
    optional('nextAttemptAt', update.nextAttemptAt);
    if (update.validators) {
      optional('etag', update.validators.etag);
      optional('lastModified', update.validators.lastModified);
    }
    if (update.kind) {
      set.push('#kind = :kind');
      values[':kind'] = update.kind;
    }
    if (update.firstFetchedAt) {
      set.push('firstFetchedAt = if_not_exists(firstFetchedAt, :ff)');
      values[':ff'] = update.firstFetchedAt;
    }
    try {
      await this.ddb.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: SOURCES, sk: id },
          UpdateExpression: `SET ${set.join(', ')} REMOVE ${remove.join(', ')}`,
          // Only the run holding the lease writes: a run that lost it must not overwrite newer validators.
          ConditionExpression: 'leaseOwner = :run',
          ExpressionAttributeValues: values,
          ...(update.kind ? { ExpressionAttributeNames: { '#kind': 'kind' } } : {}),
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async recall(keys: string[]): Promise<Map<string, ItemMemory>> {
    const found = new Map<string, ItemMemory>();
    const unique = [...new Set(keys)];
    for (let i = 0; i < unique.length; i += 100) {
      let request: Record<string, { Keys: Record<string, unknown>[]; ConsistentRead: boolean }> | undefined =
        {
          [this.table]: {
            Keys: unique.slice(i, i + 100).map((key) => ({ pk: `item#${key}`, sk: '-' })),
            ConsistentRead: true,
          },
        };
      // Unprocessed keys (throttling) are asked again, a bounded number of times.
      for (let attempt = 0; request && attempt < 8; attempt++) {
        const out: BatchGetCommandOutput = await this.ddb.send(
          new BatchGetCommand({ RequestItems: request }),
        );
        for (const row of out.Responses?.[this.table] ?? []) {
          const {
            pk,
            sk: _sk,
            expiresAt: _e,
            ...memory
          } = row as ItemMemory & { pk: string; sk: string; expiresAt: number };
          found.set(pk.slice('item#'.length), memory);
        }
        const rest: { Keys?: Record<string, unknown>[] } | undefined = out.UnprocessedKeys?.[this.table];
        request = rest?.Keys?.length
          ? { [this.table]: { Keys: rest.Keys as Record<string, unknown>[], ConsistentRead: true } }
          : undefined;
        if (request) await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
      }
      if (request) throw new Error('the sources table kept some item lookups unprocessed');
    }
    return found;
  }

  /**
   * Final outcomes (article, duplicate, skipped) are batch-written: replacing one final outcome by
   * another changes nothing that matters (the item stays known, and an article's file name is
   * derived from the story, so it is never written twice). A failed page is written on its own,
   * conditionally, so it can never replace a final outcome and make a known item "new" again.
   */
  async remember(items: ItemMemory[]): Promise<void> {
    const row = (item: ItemMemory, key: string) => ({
      pk: `item#${key}`,
      sk: '-',
      ...item,
      expiresAt: Math.floor(Date.parse(item.at) / 1000) + ITEM_DAYS * DAY_S,
    });
    // One row per key; within a batch a key may appear once only (the last outcome wins).
    const final = new Map<string, Record<string, unknown>>();
    const failed: Record<string, unknown>[] = [];
    for (const item of items) {
      for (const key of item.keys) {
        if (item.outcome === 'failed') failed.push(row(item, key));
        else final.set(key, row(item, key));
      }
    }
    await this.batchPut([...final.values()]);
    const limit = pLimit(8);
    await Promise.all(
      failed.map((Item) =>
        limit(async () => {
          try {
            await this.ddb.send(
              new PutCommand({
                TableName: this.table,
                Item,
                ConditionExpression: 'attribute_not_exists(pk) OR outcome = :failed',
                ExpressionAttributeValues: { ':failed': 'failed' },
              }),
            );
          } catch (error) {
            if (!isConditionFailure(error)) throw error;
          }
        }),
      ),
    );
  }

  /** BatchWriteItem, 25 rows a call, unprocessed rows resent a bounded number of times. */
  private async batchPut(rows: Record<string, unknown>[]): Promise<void> {
    const limit = pLimit(4);
    const chunks: Record<string, unknown>[][] = [];
    for (let i = 0; i < rows.length; i += 25) chunks.push(rows.slice(i, i + 25));
    await Promise.all(
      chunks.map((chunk) =>
        limit(async () => {
          let pending: Record<string, unknown>[] = chunk.map((Item) => ({ PutRequest: { Item } }));
          for (let attempt = 0; pending.length > 0 && attempt < 8; attempt++) {
            const out = await this.ddb.send(
              new BatchWriteCommand({ RequestItems: { [this.table]: pending as never[] } }),
            );
            pending = (out.UnprocessedItems?.[this.table] ?? []) as Record<string, unknown>[];
            if (pending.length > 0) await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
          }
          if (pending.length > 0) throw new Error('the sources table kept some writes unprocessed');
        }),
      ),
    );
  }

  async recentStories(since: Date): Promise<StoryPrint[]> {
    const prints: StoryPrint[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.ddb.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'pk = :pk AND sk >= :since',
          ExpressionAttributeValues: { ':pk': STORIES, ':since': since.toISOString() },
          ExclusiveStartKey: start,
        }),
      );
      for (const row of out.Items ?? []) {
        const {
          pk: _p,
          sk: _s,
          expiresAt: _e,
          ...print
        } = row as StoryPrint & { pk: string; sk: string; expiresAt: number };
        prints.push(print);
      }
      start = out.LastEvaluatedKey;
    } while (start);
    return prints;
  }

  async rememberStories(prints: StoryPrint[]): Promise<void> {
    await this.batchPut(
      prints.map((print) => ({
        pk: STORIES,
        sk: `${print.at}#${print.article}`,
        ...print,
        expiresAt: Math.floor(Date.parse(print.at) / 1000) + STORY_DAYS * DAY_S,
      })),
    );
  }
}
