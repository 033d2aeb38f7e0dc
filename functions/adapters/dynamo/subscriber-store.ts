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
import type { ConfirmMail, StoredSubscriber, SubscriberLifecycle } from '../../core/ports.ts';
import { mailboxKey } from '../../core/subscribers/address.ts';
import { ERASED_STATUS, isSuppressionKey, suppressionKey } from '../../core/subscribers/suppression.ts';
import { SUBSCRIBERS_STATUS_INDEX } from './tables.ts';
import { batchGetAll, batchPutAll, wroteIf } from './writes.ts';

/**
 * The subscribers table (PK `email`). A profile is stored under its mailbox key (the address
 * lower-cased; see `mailboxKey`) with the spelling the person typed in `address`, so the
 * conditional create is what makes one mailbox one subscriber, whatever the capitalization.
 *
 * Records an older version wrote under a spelling (`Reader@Example.com`, no `address`) are moved by
 * `dedupe`; until then, each method also tries the exact spelling it was given when that differs
 * from the key, which is what a token or an SES notification from that time carries. Suppression
 * entries (`suppressed#<sha256>`) share the table.
 */
export class DynamoSubscriberStore implements SubscriberLifecycle {
  constructor(
    private readonly ddb: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  /** The mailbox key, then the exact spelling if it differs (a record not yet moved by dedupe). */
  private keys(email: string): string[] {
    const key = mailboxKey(email);
    return key === email ? [key] : [key, email];
  }

  /** Runs `write` for each key until one applies. */
  private async firstOf(email: string, write: (key: string) => Promise<boolean>): Promise<boolean> {
    for (const key of this.keys(email)) if (await write(key)) return true;
    return false;
  }

  async getExact(key: string): Promise<StoredSubscriber | undefined> {
    const out = await this.ddb.send(
      new GetCommand({ TableName: this.table, Key: { email: key }, ConsistentRead: true }),
    );
    return out.Item as StoredSubscriber | undefined;
  }

  async getStored(email: string): Promise<StoredSubscriber | undefined> {
    for (const key of this.keys(email)) {
      const found = await this.getExact(key);
      if (found) return found;
    }
    return undefined;
  }

  async get(email: string): Promise<Subscriber | undefined> {
    const found = await this.getStored(email);
    if (!found) return undefined;
    const { confirmNonce: _n, confirmMails: _m, ...subscriber } = found;
    return subscriber;
  }

  /** The shape written: keyed by mailbox, the typed spelling kept. */
  private stored<T extends Subscriber>(subscriber: T): T {
    return {
      ...subscriber,
      email: mailboxKey(subscriber.email),
      address: subscriber.address ?? subscriber.email,
    };
  }

  async create(subscriber: Subscriber | StoredSubscriber): Promise<boolean> {
    return wroteIf(() =>
      this.ddb.send(
        new PutCommand({
          TableName: this.table,
          Item: this.stored(subscriber),
          ConditionExpression: 'attribute_not_exists(email)',
        }),
      ),
    );
  }

  async setStatus(
    email: string,
    status: SubscriberStatus,
    options: { from?: SubscriberStatus[]; consent?: Partial<Consent>; newConsent?: Consent } = {},
  ): Promise<boolean> {
    const names: Record<string, string> = { '#s': 'status', '#u': 'updatedAt' };
    const values: Record<string, unknown> = { ':s': status, ':u': new Date().toISOString() };
    const sets = ['#s = :s', '#u = :u'];
    if (options.newConsent) {
      names['#c'] = 'consent';
      values[':consent'] = options.newConsent;
      sets.push('#c = :consent');
    }
    for (const [key, value] of Object.entries(options.newConsent ? {} : (options.consent ?? {}))) {
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
    // Every key, not only the first that works: an unsubscribe must reach a not-yet-merged
    // spelling too.
    let changed = false;
    for (const key of this.keys(email)) {
      changed =
        (await wroteIf(() =>
          this.ddb.send(
            new UpdateCommand({
              TableName: this.table,
              Key: { email: key },
              UpdateExpression: `SET ${sets.join(', ')}`,
              ConditionExpression: condition,
              ExpressionAttributeNames: names,
              ExpressionAttributeValues: values,
            }),
          ),
        )) || changed;
    }
    return changed;
  }

  async delete(email: string): Promise<boolean> {
    // Both keys, not the first that works: an erasure must leave no spelling of the mailbox behind.
    let existed = false;
    for (const key of this.keys(email)) {
      const out = await this.ddb.send(
        new DeleteCommand({ TableName: this.table, Key: { email: key }, ReturnValues: 'ALL_OLD' }),
      );
      existed ||= out.Attributes !== undefined;
    }
    return existed;
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
    await this.firstOf(email, (key) =>
      wroteIf(() =>
        this.ddb.send(
          new UpdateCommand({
            TableName: this.table,
            Key: { email: key },
            UpdateExpression: 'ADD softBounces :one SET updatedAt = :u',
            ConditionExpression: 'attribute_exists(email)',
            ExpressionAttributeValues: { ':one': 1, ':u': new Date().toISOString() },
          }),
        ),
      ),
    );
  }

  async isEmpty(): Promise<boolean> {
    const out = await this.ddb.send(
      new ScanCommand({ TableName: this.table, Limit: 1, ProjectionExpression: 'email' }),
    );
    return (out.Items ?? []).length === 0;
  }

  /** `#s = :seenStatus AND updatedAt = :seenAt` (or its absence): the record is as it was read. */
  private unchanged(seen: StoredSubscriber, names: Record<string, string>, values: Record<string, unknown>) {
    names['#s'] = 'status';
    names['#seenAt'] = 'updatedAt';
    values[':seenStatus'] = seen.status;
    if (seen.updatedAt === undefined) return '#s = :seenStatus AND attribute_not_exists(#seenAt)';
    values[':seenAt'] = seen.updatedAt;
    return '#s = :seenStatus AND #seenAt = :seenAt';
  }

  async recordConfirmMail(
    seen: StoredSubscriber,
    change: { log: ConfirmMail[]; nonce: string; reopen?: Consent | undefined },
  ): Promise<boolean> {
    const names: Record<string, string> = { '#u': 'updatedAt' };
    const values: Record<string, unknown> = {
      ':log': change.log,
      ':n': change.nonce,
      ':u': new Date().toISOString(),
    };
    const sets = ['confirmMails = :log', 'confirmNonce = :n', '#u = :u'];
    const condition = `attribute_exists(email) AND ${this.unchanged(seen, names, values)}`;
    if (change.reopen) {
      values[':pending'] = 'pending';
      values[':consent'] = change.reopen;
      sets.push('#s = :pending', 'consent = :consent');
    }
    return wroteIf(() =>
      this.ddb.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { email: seen.email },
          UpdateExpression: `SET ${sets.join(', ')}`,
          ConditionExpression: condition,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      ),
    );
  }

  async noteConfirmMessageId(email: string, at: string, messageId: string): Promise<void> {
    // The log may have been rewritten since (another mail, a prune): find the entry again, a few
    // times at most; losing the id only means a bounce of that one mail is not matched.
    for (let attempt = 0; attempt < 3; attempt++) {
      const stored = await this.getStored(email);
      const index = stored?.confirmMails?.findIndex((m) => m.at === at) ?? -1;
      if (!stored || index < 0) return;
      const written = await wroteIf(() =>
        this.ddb.send(
          new UpdateCommand({
            TableName: this.table,
            Key: { email: stored.email },
            UpdateExpression: `SET confirmMails[${index}].messageId = :m`,
            ConditionExpression: `confirmMails[${index}].#at = :at`,
            ExpressionAttributeNames: { '#at': 'at' },
            ExpressionAttributeValues: { ':m': messageId, ':at': at },
          }),
        ),
      );
      if (written) return;
    }
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
    return this.firstOf(email, (key) =>
      wroteIf(() =>
        this.ddb.send(
          new UpdateCommand({
            TableName: this.table,
            Key: { email: key },
            UpdateExpression: `SET ${sets.join(', ')} REMOVE confirmNonce`,
            ConditionExpression: '#s = :p AND confirmNonce = :n AND attribute_exists(consent)',
            ExpressionAttributeNames: { '#s': 'status' },
            ExpressionAttributeValues: values,
          }),
        ),
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
      for (const key of this.keys(email)) byKey.set(key, email);
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
    await batchPutAll(
      this.ddb,
      this.table,
      subscribers.map((s) => this.stored(s)),
      (s) => s.email,
    );
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
      if (items.length > 0) yield items.map(({ confirmNonce: _n, confirmMails: _m, ...rest }) => rest);
      startKey = out.LastEvaluatedKey;
    } while (startKey);
  }

  async *legacyPages(pageSize = 500): AsyncGenerator<StoredSubscriber[]> {
    let startKey: Record<string, unknown> | undefined;
    do {
      // Every current write sets `address`: the filter leaves only what an older version wrote,
      // so after the migration a scan returns (and transfers) nothing.
      const out = await this.ddb.send(
        new ScanCommand({
          TableName: this.table,
          Limit: pageSize,
          ExclusiveStartKey: startKey,
          ConsistentRead: true,
          FilterExpression: 'attribute_not_exists(address) AND NOT begins_with(email, :suppressed)',
          ExpressionAttributeValues: { ':suppressed': 'suppressed#' },
        }),
      );
      const items = (out.Items ?? []) as StoredSubscriber[];
      if (items.length > 0) yield items;
      startKey = out.LastEvaluatedKey;
    } while (startKey);
  }

  async replaceIf(record: StoredSubscriber, expected: StoredSubscriber | undefined): Promise<boolean> {
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    const condition = expected
      ? `attribute_exists(email) AND ${this.unchanged(expected, names, values)}`
      : 'attribute_not_exists(email)';
    return wroteIf(() =>
      this.ddb.send(
        new PutCommand({
          TableName: this.table,
          Item: record,
          ConditionExpression: condition,
          ...(expected ? { ExpressionAttributeNames: names, ExpressionAttributeValues: values } : {}),
        }),
      ),
    );
  }

  async deleteIf(expected: StoredSubscriber): Promise<boolean> {
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    const condition = this.unchanged(expected, names, values);
    return wroteIf(() =>
      this.ddb.send(
        new DeleteCommand({
          TableName: this.table,
          Key: { email: expected.email },
          ConditionExpression: condition,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      ),
    );
  }
}
