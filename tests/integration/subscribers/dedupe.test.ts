import { PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureTables } from '../../../functions/adapters/dynamo/tables.ts';
import type { RecipientMessage } from '../../../functions/core/ports.ts';
import { dedupeSubscribers, planMailbox } from '../../../functions/core/subscribers/dedupe.ts';
import { suppressionKey } from '../../../functions/core/subscribers/suppression.ts';
import { signToken } from '../../../functions/core/tokens.ts';
import { apiDeps } from '../../../functions/handlers/api.ts';
import { makeDigestHandler } from '../../../functions/handlers/digest.ts';
import { createApp } from '../../../functions/http/app.ts';
import { type LocalEngines, startLocalEngines } from '../../../functions/local/engines.ts';
import { createRuntime, type Runtime } from '../../../functions/wiring/runtime.ts';
import { tableNames } from '../../../functions/wiring/settings.ts';
import { cli } from '../../helpers/cli.ts';
import { tempWorkspace } from '../../helpers/workspace.ts';

/**
 * `digest subscribers dedupe` on a list an older version wrote: one record per spelling (under the
 * spelling, no `address`), in mixed states, with their delivery records. Written straight through
 * the SDK, as that version did.
 */
let engines: LocalEngines;
let ws: Awaited<ReturnType<typeof tempWorkspace>>;
let rt: Runtime;
const saved: Record<string, string | undefined> = {};
const ISSUE = '2026-11-23-01d155ee';

const consent = (source: string, at: string, extra: Record<string, string> = {}) => ({
  source,
  subscribedAt: at,
  ...extra,
});
/** The old shape: keyed by the spelling, no `address`. */
const OLD = [
  // One mailbox, three spellings: the unsubscribe wins over confirmed and pending.
  {
    email: 'reader@example.com',
    id: 'id-r1',
    status: 'confirmed',
    createdAt: '2024-01-01T00:00:00.000Z',
    updatedAt: '2024-01-01T00:00:00.000Z',
    consent: consent('form', '2024-01-01T00:00:00.000Z', {
      confirmedAt: '2024-01-01T01:00:00.000Z',
      ip: '192.0.2.1',
    }),
  },
  {
    email: 'Reader@example.com',
    id: 'id-r2',
    status: 'unsubscribed',
    createdAt: '2024-02-01T00:00:00.000Z',
    updatedAt: '2024-06-01T00:00:00.000Z',
    consent: consent('form', '2024-02-01T00:00:00.000Z', {
      ip: '198.51.100.9',
      wordingVersion: 'signup-2025-01',
    }),
  },
  {
    email: 'READER@example.com',
    id: 'id-r3',
    status: 'pending',
    createdAt: '2024-03-01T00:00:00.000Z',
    updatedAt: '2024-03-01T00:00:00.000Z',
    consent: consent('import', '2024-03-01T00:00:00.000Z'),
  },
  // Confirmed beats pending; the older confirmed spelling is kept.
  {
    email: 'Ann@example.org',
    id: 'id-a1',
    status: 'confirmed',
    createdAt: '2024-01-05T00:00:00.000Z',
    updatedAt: '2024-01-05T00:00:00.000Z',
    consent: consent('cli', '2024-01-05T00:00:00.000Z', { confirmedAt: '2024-01-05T00:00:00.000Z' }),
  },
  {
    email: 'ANN@example.org',
    id: 'id-a2',
    status: 'pending',
    createdAt: '2024-04-05T00:00:00.000Z',
    updatedAt: '2024-04-05T00:00:00.000Z',
  },
  // Bounced beats confirmed; complained beats unsubscribed.
  {
    email: 'Bob@example.org',
    id: 'id-b1',
    status: 'bounced',
    createdAt: '2024-05-01T00:00:00.000Z',
    updatedAt: '2024-05-02T00:00:00.000Z',
  },
  {
    email: 'bob@example.org',
    id: 'id-b2',
    status: 'confirmed',
    createdAt: '2024-01-01T00:00:00.000Z',
    updatedAt: '2024-01-01T00:00:00.000Z',
  },
  {
    email: 'Cat@example.org',
    id: 'id-c1',
    status: 'complained',
    createdAt: '2024-05-01T00:00:00.000Z',
    updatedAt: '2024-05-01T00:00:00.000Z',
  },
  {
    email: 'CAT@example.org',
    id: 'id-c2',
    status: 'unsubscribed',
    createdAt: '2024-01-01T00:00:00.000Z',
    updatedAt: '2024-01-01T00:00:00.000Z',
  },
  // Erased as dan@, still confirmed as Dan@ (the old erasure missed the other spelling).
  {
    email: 'Dan@example.org',
    id: 'id-d1',
    status: 'confirmed',
    createdAt: '2024-01-01T00:00:00.000Z',
    updatedAt: '2024-01-01T00:00:00.000Z',
    consent: consent('form', '2024-01-01T00:00:00.000Z'),
  },
  { email: suppressionKey('dan@example.org'), status: 'erased' },
  // Alone, but under a spelling: moved.
  {
    email: 'Eve@example.org',
    id: 'id-e1',
    status: 'confirmed',
    createdAt: '2024-01-01T00:00:00.000Z',
    updatedAt: '2024-01-01T00:00:00.000Z',
  },
  // Alone and already under its key: only its spelling is noted.
  {
    email: 'fay@example.org',
    id: 'id-f1',
    status: 'confirmed',
    createdAt: '2024-01-01T00:00:00.000Z',
    updatedAt: '2024-01-01T00:00:00.000Z',
  },
  // Erased, then signed up again (pending): the re-signup stays.
  {
    email: 'Gus@example.org',
    id: 'id-g1',
    status: 'pending',
    createdAt: '2024-09-01T00:00:00.000Z',
    updatedAt: '2024-09-01T00:00:00.000Z',
    confirmNonce: 'gus-nonce',
  },
  { email: suppressionKey('gus@example.org'), status: 'erased' },
];

async function table(name = rt.config.SUBSCRIBERS_TABLE) {
  const out = await rt.clients.ddb.send(new ScanCommand({ TableName: name, ConsistentRead: true }));
  return (out.Items ?? []).sort((a, b) => String(a.email).localeCompare(String(b.email)));
}
const put = (TableName: string, Item: Record<string, unknown>) =>
  rt.clients.ddb.send(new PutCommand({ TableName, Item }));

beforeAll(async () => {
  engines = await startLocalEngines();
  ws = await tempWorkspace();
  for (const [key, value] of Object.entries(ws.env)) {
    saved[key] = process.env[key];
    process.env[key] = value;
  }
  rt = createRuntime({ ...process.env });
  await ensureTables(rt.clients.dynamodb, tableNames(rt.config));
  for (const item of OLD) await put(rt.config.SUBSCRIBERS_TABLE, item);
  // The old delivery records of a recent issue: each spelling got its own copy.
  await rt.stores.issues.create({
    issueId: ISSUE,
    createdAt: new Date().toISOString(),
    state: 'sent',
    subject: 'x',
    articleHashes: [],
    articleFiles: [],
    articleTitles: [],
  });
  const delivery = (email: string, state: string, messageId?: string) =>
    put(rt.config.DELIVERIES_TABLE, {
      issueId: ISSUE,
      email,
      state,
      attempts: 1,
      updatedAt: '2026-11-23T08:00:00.000Z',
      expiresAt: 2_000_000_000,
      ...(messageId ? { messageId } : {}),
    });
  await delivery('reader@example.com', 'failed');
  await delivery('Reader@example.com', 'sent', 'ses-1');
  await delivery('READER@example.com', 'sent', 'ses-2');
  await delivery('Eve@example.org', 'sent', 'ses-3');
});
afterAll(async () => {
  for (const [key, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  await engines?.stop();
  await ws?.cleanup();
});

describe('planMailbox: which record a mailbox keeps', () => {
  const now = new Date('2026-12-01T00:00:00Z');
  const rec = (email: string, status: string, createdAt = '2024-01-01T00:00:00.000Z') =>
    ({ email, id: email, status, createdAt, updatedAt: createdAt }) as Parameters<
      typeof planMailbox
    >[1][number];

  it.each([
    [['confirmed', 'unsubscribed'], 'unsubscribed'],
    [['confirmed', 'bounced'], 'bounced'],
    [['unsubscribed', 'complained'], 'complained'],
    [['pending', 'confirmed'], 'confirmed'],
    [['bounced', 'complained', 'pending'], 'complained'],
  ])('%j keeps %s', (statuses, kept) => {
    const spellings = ['ab@x.org', 'Ab@x.org', 'AB@x.org'];
    const records = statuses.map((status, i) => rec(spellings[i] as string, status));
    expect(planMailbox('ab@x.org', records, false, now).keep?.status).toBe(kept);
  });

  it('between equals, the oldest record is kept, and its spelling', () => {
    const plan = planMailbox(
      'ab@x.org',
      [
        rec('ab@x.org', 'confirmed', '2024-05-01T00:00:00.000Z'),
        rec('AB@x.org', 'confirmed', '2024-01-01T00:00:00.000Z'),
      ],
      false,
      now,
    );
    expect(plan.keep).toMatchObject({
      email: 'ab@x.org',
      address: 'AB@x.org',
      createdAt: '2024-01-01T00:00:00.000Z',
    });
  });

  it('an erasure wins over everything but a pending re-signup', () => {
    const erased = planMailbox('a@x.org', [rec('A@x.org', 'confirmed')], true, now);
    expect(erased.outcome).toBe('erased');
    expect(erased.keep).toBeUndefined();
    expect(erased.remove.map((r) => r.email)).toEqual(['A@x.org']);
    expect(planMailbox('a@x.org', [rec('A@x.org', 'pending')], true, now).keep?.status).toBe('pending');
  });
});

describe('digest subscribers dedupe', () => {
  let first: Awaited<ReturnType<typeof cli>>;
  beforeAll(async () => {
    first = await cli('subscribers', 'dedupe');
  });

  it('reports what it merged, by mailbox', () => {
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(
      'merged reader@example.com: kept Reader@example.com (unsubscribed); merged into it reader@example.com (confirmed), READER@example.com (pending)',
    );
    expect(first.stdout).toContain(
      'merged ann@example.org: kept Ann@example.org (confirmed); merged into it ANN@example.org (pending)',
    );
    expect(first.stdout).toContain('merged bob@example.org: kept Bob@example.org (bounced)');
    expect(first.stdout).toContain('merged cat@example.org: kept Cat@example.org (complained)');
    expect(first.stdout).toContain(
      'erased dan@example.org: its erasure wins over Dan@example.org (confirmed)',
    );
    expect(first.stdout).toMatch(/moved 2 subscriber\(s\) to their mailbox key/);
    expect(first.stdout).toMatch(/noted the spelling of 1 subscriber/);
    expect(first.stdout).toMatch(
      /Dedupe: 4 mailbox\(es\) merged, 1 erased, 2 moved, 0 left for the next run/,
    );
  });

  it('leaves one record per mailbox, under its key, with the strictest state and the kept consent intact', async () => {
    const items = await table();
    const profiles = items.filter((i) => !String(i.email).startsWith('suppressed#'));
    expect(profiles.map((i) => i.email)).toEqual([
      'ann@example.org',
      'bob@example.org',
      'cat@example.org',
      'eve@example.org',
      'fay@example.org',
      'gus@example.org',
      'reader@example.com',
    ]);
    const reader = profiles.find((i) => i.email === 'reader@example.com');
    const old = OLD[1] as Record<string, unknown>;
    expect(reader).toMatchObject({
      address: 'Reader@example.com',
      id: 'id-r2',
      status: 'unsubscribed',
      createdAt: old.createdAt,
    });
    expect(reader?.consent).toEqual(old.consent); // never a byte of the kept consent lost
    expect(profiles.find((i) => i.email === 'ann@example.org')).toMatchObject({
      address: 'Ann@example.org',
      status: 'confirmed',
      id: 'id-a1',
    });
    expect(profiles.find((i) => i.email === 'bob@example.org')?.status).toBe('bounced');
    expect(profiles.find((i) => i.email === 'cat@example.org')?.status).toBe('complained');
    expect(profiles.find((i) => i.email === 'eve@example.org')).toMatchObject({
      address: 'Eve@example.org',
      status: 'confirmed',
    });
    expect(profiles.find((i) => i.email === 'fay@example.org')).toMatchObject({ address: 'fay@example.org' });
    expect(profiles.find((i) => i.email === 'gus@example.org')).toMatchObject({
      status: 'pending',
      confirmNonce: 'gus-nonce',
    });
    // The erasures stay, Dan's profile is gone.
    expect(
      items
        .filter((i) => String(i.email).startsWith('suppressed#'))
        .map((i) => i.email)
        .sort(),
    ).toEqual([suppressionKey('dan@example.org'), suppressionKey('gus@example.org')].sort());
    expect(JSON.stringify(items)).not.toContain('Dan@example.org');
  });

  it('carries the delivery records to the mailbox key, the furthest along winning, so a re-run finds them', async () => {
    const records = (await table(rt.config.DELIVERIES_TABLE)).map((r) => [r.email, r.state, r.messageId]);
    expect(records).toEqual([
      ['eve@example.org', 'sent', 'ses-3'],
      ['reader@example.com', 'sent', expect.stringMatching(/^ses-[12]$/)],
    ]);
    expect((await rt.stores.deliveries.get(ISSUE, 'READER@EXAMPLE.COM'))?.state).toBe('sent');
  });

  it('is idempotent: a second run finds nothing and changes nothing', async () => {
    const before = { subscribers: await table(), deliveries: await table(rt.config.DELIVERIES_TABLE) };
    const again = await cli('subscribers', 'dedupe');
    expect(again.code).toBe(0);
    expect(again.stdout.trim()).toBe('No duplicates: one subscriber per mailbox already.');
    expect(await table()).toEqual(before.subscribers);
    expect(await table(rt.config.DELIVERIES_TABLE)).toEqual(before.deliveries);
  });
});

describe('before the migration has run', () => {
  it('an unsubscribe link an older version mailed still reaches the record under its spelling', async () => {
    await put(rt.config.SUBSCRIBERS_TABLE, {
      email: 'Kim@example.org',
      id: 'id-k1',
      status: 'confirmed',
      createdAt: '2024-01-01T00:00:00.000Z',
      updatedAt: '2024-01-01T00:00:00.000Z',
    });
    const app = createApp({ ...apiDeps(rt), log: undefined });
    const token = signToken(await rt.tokenKeys(), {
      email: 'Kim@example.org',
      purpose: 'unsubscribe',
      exp: 0,
      nonce: 'u',
    });
    expect(
      (await app.request(`/unsubscribe?token=${encodeURIComponent(token)}`, { method: 'POST' })).status,
    ).toBe(200);
    expect((await rt.stores.subscribers.getExact('Kim@example.org'))?.status).toBe('unsubscribed');
  });

  it('the digest function merges first, so it queues each mailbox once', async () => {
    for (const email of ['Zed@example.net', 'ZED@example.net']) {
      await put(rt.config.SUBSCRIBERS_TABLE, {
        email,
        id: email,
        status: 'confirmed',
        createdAt: '2024-01-01T00:00:00.000Z',
        updatedAt: '2024-01-01T00:00:00.000Z',
      });
    }
    const queued: RecipientMessage[] = [];
    const queue = { enqueue: async (m: RecipientMessage[]) => queued.push(...m) };
    const result = await makeDigestHandler(rt, queue)({});
    expect(result.status).toBe('queued');
    expect(queued.filter((m) => m.email.toLowerCase() === 'zed@example.net').map((m) => m.email)).toEqual([
      'zed@example.net',
    ]);
  });
});

describe('a crash in the middle of the migration loses and doubles nothing', () => {
  it('after the kept record is written but before the spellings are deleted, the next run finishes the job', async () => {
    const old = [
      {
        email: 'Hal@example.net',
        id: 'id-h1',
        status: 'unsubscribed',
        createdAt: '2024-01-01T00:00:00.000Z',
        updatedAt: '2024-02-01T00:00:00.000Z',
      },
      {
        email: 'HAL@example.net',
        id: 'id-h2',
        status: 'confirmed',
        createdAt: '2023-01-01T00:00:00.000Z',
        updatedAt: '2023-01-01T00:00:00.000Z',
      },
    ];
    for (const item of old) await put(rt.config.SUBSCRIBERS_TABLE, item);
    // Step 2 of the migration, done by the real store, then the process "dies".
    const records = await Promise.all(old.map((o) => rt.stores.subscribers.getExact(o.email)));
    const plan = planMailbox(
      'hal@example.net',
      records.filter((r) => r !== undefined),
      false,
      new Date(),
    );
    expect(
      await rt.stores.subscribers.replaceIf(plan.keep as NonNullable<typeof plan.keep>, plan.replaces),
    ).toBe(true);
    const crashed = (await table()).filter((i) => String(i.email).toLowerCase() === 'hal@example.net');
    // Nothing lost: the old records are all there; the mailbox's one record is the strictest.
    expect(
      crashed.map((i) => [i.email, i.status]).sort((a, b) => (String(a[0]) < String(b[0]) ? -1 : 1)),
    ).toEqual([
      ['HAL@example.net', 'confirmed'],
      ['Hal@example.net', 'unsubscribed'],
      ['hal@example.net', 'unsubscribed'],
    ]);
    // Nothing doubled at send time: every spelling shares the mailbox's delivery record.
    await rt.stores.deliveries.claim(ISSUE, 'HAL@example.net');
    expect((await rt.stores.deliveries.claim(ISSUE, 'Hal@example.net')).claimed).toBe(false);

    const report = await dedupeSubscribers({
      subscribers: rt.stores.subscribers,
      deliveries: rt.stores.deliveries,
      issues: rt.stores.issues,
      deliveryTtlDays: 90,
    });
    expect(report.merged).toEqual([
      {
        key: 'hal@example.net',
        kept: 'Hal@example.net (unsubscribed)',
        removed: expect.arrayContaining(['HAL@example.net (confirmed)']),
      },
    ]);
    const after = (await table()).filter((i) => String(i.email).toLowerCase() === 'hal@example.net');
    expect(after).toHaveLength(1);
    expect(after[0]).toMatchObject({
      email: 'hal@example.net',
      address: 'Hal@example.net',
      status: 'unsubscribed',
      id: 'id-h1',
    });
  });

  it('a record changed since it was read is never overwritten or deleted', async () => {
    await put(rt.config.SUBSCRIBERS_TABLE, {
      email: 'Ivy@example.net',
      id: 'i',
      status: 'confirmed',
      createdAt: '2024-01-01T00:00:00.000Z',
      updatedAt: '2024-01-01T00:00:00.000Z',
    });
    const seen = await rt.stores.subscribers.getExact('Ivy@example.net');
    if (!seen) throw new Error('not stored');
    await rt.stores.subscribers.setStatus('Ivy@example.net', 'unsubscribed'); // someone unsubscribes meanwhile
    expect(await rt.stores.subscribers.deleteIf(seen)).toBe(false);
    expect(
      await rt.stores.subscribers.replaceIf({ ...seen, email: 'Ivy@example.net', address: 'x' }, seen),
    ).toBe(false);
    expect((await rt.stores.subscribers.getExact('Ivy@example.net'))?.status).toBe('unsubscribed');
  });
});
