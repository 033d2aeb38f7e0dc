import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeClients } from '../../../functions/adapters/clients.ts';
import { DynamoSourceStore } from '../../../functions/adapters/dynamo/source-store.ts';
import { ensureTables } from '../../../functions/adapters/dynamo/tables.ts';
import { type LocalEngines, startLocalEngines } from '../../../functions/local/engines.ts';

/** The sources table on dynalite, through the real SDK: uniqueness, leases, conditional memory. */
let engines: LocalEngines;
let clients: ReturnType<typeof makeClients>;
let store: DynamoSourceStore;
const names = {
  subscribers: 'subs',
  deliveries: 'dels',
  issues: 'issues',
  rateLimits: 'limits',
  sources: 'sources',
};
const now = new Date('2026-12-01T08:00:00Z');
const later = (ms: number) => new Date(now.getTime() + ms);

beforeAll(async () => {
  engines = await startLocalEngines();
  clients = makeClients('us-east-1');
  await ensureTables(clients.dynamodb, names);
  store = new DynamoSourceStore(clients.ddb, names.sources);
});
afterAll(async () => {
  clients?.dynamodb.destroy();
  await engines?.stop();
});

describe('source store', () => {
  it('adds a source once per URL and once per name', async () => {
    const added = await store.add(
      { url: 'http://a.example/feed.xml', name: 'Alpha', kind: 'rss', section: 'Local' },
      now,
    );
    expect(added).toMatchObject({
      added: true,
      source: { name: 'Alpha', kind: 'rss', section: 'Local', consecutiveFailures: 0 },
    });
    expect(await store.add({ url: 'http://a.example/feed.xml', name: 'Other', kind: 'rss' }, now)).toEqual({
      added: false,
      reason: 'http://a.example/feed.xml is already a source ("Alpha")',
    });
    expect(await store.add({ url: 'http://b.example/feed.xml', name: 'alpha', kind: 'rss' }, now)).toEqual({
      added: false,
      reason: 'a source named "alpha" exists already',
    });
    // The failed attempts left nothing behind: "Other" is still free.
    expect(
      (await store.add({ url: 'http://b.example/feed.xml', name: 'Other', kind: 'atom' }, now)).added,
    ).toBe(true);
    expect((await store.list()).map((s) => s.name)).toEqual(['Alpha', 'Other']);
  });

  it('leases a source to one run at a time; only the holder records, and that releases it', async () => {
    const [alpha] = await store.list();
    const id = alpha?.id as string;
    expect(await store.lease(id, 'run-1', now, later(60_000))).toBe(true);
    expect(await store.lease(id, 'run-2', now, later(60_000))).toBe(false); // racing run
    const update = {
      lastFetch: {
        at: now.toISOString(),
        status: 'new' as const,
        itemsNew: 2,
        itemsUnchanged: 1,
        httpStatus: 200,
      },
      consecutiveFailures: 0,
      validators: { etag: '"abc"', lastModified: 'Tue, 01 Dec 2026 07:00:00 GMT' },
      kind: 'atom' as const,
      firstFetchedAt: now.toISOString(),
    };
    expect(await store.record(id, 'run-2', update)).toBe(false);
    expect(await store.record(id, 'run-1', update)).toBe(true);
    expect(await store.get(id)).toMatchObject({ etag: '"abc"', kind: 'atom', lastFetch: { itemsNew: 2 } });
    expect(await store.lease(id, 'run-2', now, later(60_000))).toBe(true); // released
    // A lease that expired can be taken over; the old holder's late result is then refused.
    expect(await store.lease(id, 'run-3', later(120_000), later(180_000))).toBe(true);
    expect(await store.record(id, 'run-2', { ...update, consecutiveFailures: 9 })).toBe(false);
    // A 200 without validators removes the old ones; a failure keeps them and sets the backoff.
    expect(
      await store.record(id, 'run-3', {
        lastFetch: {
          at: now.toISOString(),
          status: 'failed',
          itemsNew: 0,
          itemsUnchanged: 0,
          reason: 'HTTP 500',
        },
        consecutiveFailures: 2,
        nextAttemptAt: later(900_000).toISOString(),
      }),
    ).toBe(true);
    expect(await store.get(id)).toMatchObject({
      etag: '"abc"',
      consecutiveFailures: 2,
      nextAttemptAt: later(900_000).toISOString(),
    });
    await store.lease(id, 'run-4', now, later(1000));
    await store.record(id, 'run-4', { ...update, validators: {}, firstFetchedAt: later(5).toISOString() });
    const after = await store.get(id);
    expect(after?.etag).toBeUndefined();
    expect(after?.nextAttemptAt).toBeUndefined();
    expect(after?.firstFetchedAt).toBe(now.toISOString()); // the first one stays
  });

  it('remembers items by every key; a failed item may be retried, a final outcome never becomes failed', async () => {
    await store.remember([
      { keys: ['g:x:1', 'u:1'], sourceId: 'x', outcome: 'article', article: 'a.md', at: now.toISOString() },
      { keys: ['u:2'], sourceId: 'x', outcome: 'failed', attempts: 1, at: now.toISOString() },
    ]);
    await store.remember([
      // A racing run whose page fetch failed must not make the written article "new" again.
      { keys: ['u:1'], sourceId: 'x', outcome: 'failed', attempts: 1, at: now.toISOString() },
      { keys: ['u:2'], sourceId: 'x', outcome: 'failed', attempts: 2, at: now.toISOString() },
    ]);
    const known = await store.recall(['g:x:1', 'u:1', 'u:2', 'u:3']);
    expect(known.get('g:x:1')).toMatchObject({ outcome: 'article', article: 'a.md' });
    expect(known.get('u:1')).toMatchObject({ outcome: 'article', article: 'a.md' });
    expect(known.get('u:2')).toMatchObject({ outcome: 'failed', attempts: 2 });
    expect(known.has('u:3')).toBe(false);
    // A failed page that later succeeds becomes final.
    await store.remember([
      { keys: ['u:2'], sourceId: 'x', outcome: 'article', article: 'c.md', at: now.toISOString() },
    ]);
    expect((await store.recall(['u:2'])).get('u:2')).toMatchObject({ outcome: 'article', article: 'c.md' });
  });

  it('recalls many keys in batches', async () => {
    const keys = Array.from({ length: 250 }, (_, i) => `t:${i}`);
    await store.remember([{ keys, sourceId: 'x', outcome: 'skipped', at: now.toISOString() }]);
    expect((await store.recall([...keys, 'missing'])).size).toBe(250);
  });

  it('keeps story fingerprints and returns the recent ones', async () => {
    const print = (article: string, at: Date) => ({
      article,
      source: 'Alpha',
      url: `http://a.example/${article}`,
      title: article,
      signature: 'AAAA',
      at: at.toISOString(),
    });
    await store.rememberStories([print('old.md', later(-20 * 86_400_000)), print('new.md', now)]);
    expect((await store.recentStories(later(-86_400_000))).map((p) => p.article)).toEqual(['new.md']);
  });

  it('removes a source and frees its name', async () => {
    const other = (await store.list()).find((s) => s.name === 'Other');
    expect(await store.remove(other?.id as string)).toBe(true);
    expect(await store.remove(other?.id as string)).toBe(false);
    expect((await store.add({ url: 'http://c.example/feed', name: 'Other', kind: 'rss' }, now)).added).toBe(
      true,
    );
  });
});
