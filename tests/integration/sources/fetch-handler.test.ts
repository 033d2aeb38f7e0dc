import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureTables } from '../../../functions/adapters/dynamo/tables.ts';
import { makeFetchHandler } from '../../../functions/handlers/fetch.ts';
import { type LocalEngines, startLocalEngines } from '../../../functions/local/engines.ts';
import { createRuntime, type Runtime } from '../../../functions/wiring/runtime.ts';
import { tableNames } from '../../../functions/wiring/settings.ts';
import { type Publisher, startPublisher } from '../../helpers/publisher.ts';

/** The fetch Lambda's handler, built from the real composition root, on dynalite and a folder. */
let engines: LocalEngines;
let rt: Runtime;
let publisher: Publisher;
let root: string;

beforeAll(async () => {
  engines = await startLocalEngines();
  root = await mkdtemp(join(tmpdir(), 'digest-fetch-fn-'));
  rt = createRuntime({
    ...process.env,
    DIGEST_DATA_DIR: join(root, 'data'),
    DIGEST_TOKEN_SECRETS: 'test:0123456789abcdef0123456789abcdef',
    DIGEST_ALLOW_PRIVATE_SOURCES: 'true',
    DIGEST_ITEMS_PER_SOURCE: '2',
  });
  await ensureTables(rt.clients.dynamodb, tableNames(rt.config));
  publisher = await startPublisher();
});
afterAll(async () => {
  rt?.close();
  await publisher?.close();
  await engines?.stop();
  await rm(root, { recursive: true, force: true });
});

describe('fetch function', () => {
  it('fetches every source into the articles folder, reports failures by name, and never throws for them', async () => {
    await rt.stores.sources.add(
      { url: publisher.url('/feed.xml'), name: 'Courier', kind: 'rss' },
      new Date(),
    );
    await rt.stores.sources.add({ url: publisher.url('/500.xml'), name: 'Broken', kind: 'rss' }, new Date());
    const handler = makeFetchHandler(rt);
    const result = await handler({ source: 'schedule' });
    expect(result).toMatchObject({
      sources: 2,
      articles: 2,
      failed: [{ name: 'Broken', reason: 'HTTP 500' }],
    });
    expect(result.message).toBe('2 source(s) fetched: 2 new article(s), 1 failed');
    expect(await readdir(join(root, 'data', 'articles'))).toHaveLength(2); // DIGEST_ITEMS_PER_SOURCE
    expect((await handler({})).articles).toBe(0); // a 304 the second time
  });
});
