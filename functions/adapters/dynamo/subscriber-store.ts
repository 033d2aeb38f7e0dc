import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { Consent, Subscriber, SubscriberStatus } from '../../core/model.ts';
import type { StoredSubscriber, SubscriberLifecycle } from '../../core/ports.ts';
import { ERASED_STATUS, isSuppressionKey, suppressionKey } from '../../core/subscribers/suppression.ts';
import { SUBSCRIBERS_STATUS_INDEX } from './tables.ts';
import { batchGetAll, batchPutAll, ifCondition, wroteIf } from './writes.ts';

export class DynamoSubscriberStore implements SubscriberLifecycle {
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
    return wroteIf(() =>
      this.ddb.send(
        new PutCommand({
          TableName: this.table,
          Item: subscriber,
          ConditionExpression: 'attribute_not_exists(email)',
        }),
      ),
    );
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
    return wroteIf(() =>
      this.ddb.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { email },
          UpdateExpression: `SET ${sets.join(', ')}`,
          ConditionExpression: condition,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      ),
    );
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
    await ifCondition(() =>
      this.ddb.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { email },
          UpdateExpression: 'ADD softBounces :one SET updatedAt = :u',
          ConditionExpression: 'attribute_exists(email)',
          ExpressionAttributeValues: { ':one': 1, ':u': new Date().toISOString() },
        }),
      ),
    );
  }

  async isEmpty(): Promise<boolean> {
    const out = await this.ddb.send(
      new ScanCommand({ TableName: this.table, Limit: 1, ProjectionExpression: 'email' }),
    );
    return (out.Items ?? []).length === 0;
  }

  async reopen(
    email: string,
    from: SubscriberStatus[],
    consent: Consent,
    confirmNonce: string,
  ): Promise<boolean> {
    if (from.length === 0) return false;
    const values: Record<string, unknown> = {
      ':p': 'pending',
      ':c': consent,
      ':n': confirmNonce,
      ':u': new Date().toISOString(),
    };
    const keys = from.map((s, i) => {
      values[`:f${i}`] = s;
      return `:f${i}`;
    });
    return wroteIf(() =>
      this.ddb.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { email },
          UpdateExpression: 'SET #s = :p, consent = :c, confirmNonce = :n, updatedAt = :u',
          ConditionExpression: `attribute_exists(email) AND #s IN (${keys.join(', ')})`,
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: values,
        }),
      ),
    );
  }

  async ensureConfirmNonce(email: string, nonce: string): Promise<string | undefined> {
    const out = await ifCondition(() =>
      this.ddb.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { email },
          UpdateExpression: 'SET confirmNonce = if_not_exists(confirmNonce, :n)',
          ConditionExpression: 'attribute_exists(email) AND #s = :p',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: { ':n': nonce, ':p': 'pending' },
          ReturnValues: 'ALL_NEW',
        }),
      ),
    );
    return (out?.Attributes as StoredSubscriber | undefined)?.confirmNonce;
  }

  async confirm(
    email: string,
    nonce: string,
    consent: Pick<Consent, 'confirmedAt' | 'confirmIp'>,
  ): Promise<boolean> {
    const values: Record<string, unknown> = {
      ':c': 'confirmed',
      ':p': 'pending',
      ':n': nonce,
      ':u': new Date().toISOString(),
      ':at': consent.confirmedAt ?? new Date().toISOString(),
    };
    const sets = ['#s = :c', 'updatedAt = :u', 'consent.confirmedAt = :at'];
    if (consent.confirmIp) {
      values[':ip'] = consent.confirmIp;
      sets.push('consent.confirmIp = :ip');
    }
    return wroteIf(() =>
      this.ddb.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { email },
          UpdateExpression: `SET ${sets.join(', ')} REMOVE confirmNonce`,
          ConditionExpression: '#s = :p AND confirmNonce = :n AND attribute_exists(consent)',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: values,
        }),
      ),
    );
  }

  async erase(email: string): Promise<boolean> {
    // Suppression first: if the delete then fails, the address is still never mailed or re-added.
    await this.ddb.send(
      new PutCommand({
        TableName: this.table,
        Item: { email: suppressionKey(email), status: ERASED_STATUS },
      }),
    );
    return this.delete(email);
  }

  async isErased(email: string): Promise<boolean> {
    const out = await this.ddb.send(
      new GetCommand({
        TableName: this.table,
        Key: { email: suppressionKey(email) },
        ConsistentRead: true,
        ProjectionExpression: 'email',
      }),
    );
    return out.Item !== undefined;
  }

  async clearErased(email: string): Promise<void> {
    await this.ddb.send(new DeleteCommand({ TableName: this.table, Key: { email: suppressionKey(email) } }));
  }

  async existing(
    emails: string[],
    options: { erased?: boolean } = {},
  ): Promise<Map<string, { status: string }>> {
    const found = new Map<string, { status: string }>();
    const byKey = new Map<string, string>();
    for (const email of emails) {
      byKey.set(email, email);
      if (options.erased !== false) byKey.set(suppressionKey(email), email);
    }
    const items = await batchGetAll(
      this.ddb,
      this.table,
      [...byKey.keys()].map((email) => ({ email })),
      { expression: 'email, #s', names: { '#s': 'status' } },
    );
    for (const item of items) {
      const email = byKey.get(String(item.email));
      if (email === undefined) continue;
      const status = String(item.status);
      // An erasure entry wins over a profile created again afterwards only for import purposes.
      if (!found.has(email) || status === ERASED_STATUS) found.set(email, { status });
    }
    return found;
  }

  async erasedKeys(): Promise<Set<string>> {
    const keys = new Set<string>();
    // The status index holds suppression entries under 'erased' (never a mailable status).
    for await (const page of this.pagesByStatus(ERASED_STATUS as SubscriberStatus, 1000)) {
      for (const key of page) keys.add(key);
    }
    return keys;
  }

  async putMany(subscribers: Subscriber[]): Promise<void> {
    await batchPutAll(this.ddb, this.table, subscribers, (s) => s.email);
  }

  async *scanPages(pageSize = 500): AsyncGenerator<Subscriber[]> {
    let startKey: Record<string, unknown> | undefined;
    do {
      const out = await this.ddb.send(
        new ScanCommand({ TableName: this.table, Limit: pageSize, ExclusiveStartKey: startKey }),
      );
      const items = (out.Items ?? []).filter(
        (item) => !isSuppressionKey(String(item.email)),
      ) as StoredSubscriber[];
      if (items.length > 0) yield items.map(({ confirmNonce: _nonce, ...rest }) => rest);
      startKey = out.LastEvaluatedKey;
    } while (startKey);
  }
}
