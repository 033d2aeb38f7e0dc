import { randomUUID } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureTables } from '../../../functions/adapters/dynamo/tables.ts';
import type { SubscriberStatus } from '../../../functions/core/model.ts';
import { importSubscribers, readImportRows, validateRow } from '../../../functions/core/subscribers/csv.ts';
import { type LocalEngines, startLocalEngines } from '../../../functions/local/engines.ts';
import { createRuntime, type Runtime } from '../../../functions/wiring/runtime.ts';
import { tableNames } from '../../../functions/wiring/settings.ts';
import { cli } from '../../helpers/cli.ts';
import { tempWorkspace } from '../../helpers/workspace.ts';

/** `digest subscribers import|export|remove` on dynalite, driven by raw argv like a person would. */
let engines: LocalEngines;
let ws: Awaited<ReturnType<typeof tempWorkspace>>;
let rt: Runtime;
const saved: Record<string, string | undefined> = {};

async function snapshot() {
  const out = await rt.clients.ddb.send(new ScanCommand({ TableName: rt.config.SUBSCRIBERS_TABLE }));
  return (out.Items ?? []).sort((a, b) => String(a.email).localeCompare(String(b.email)));
}

async function seed(email: string, status: SubscriberStatus) {
  const now = new Date().toISOString();
  await rt.stores.subscribers.create({ email, id: randomUUID(), status, createdAt: now, updatedAt: now });
}

beforeAll(async () => {
  engines = await startLocalEngines();
  ws = await tempWorkspace();
  // The CLI reads its configuration from the environment, like it does for a person.
  for (const [key, value] of Object.entries(ws.env)) {
    saved[key] = process.env[key];
    process.env[key] = value;
  }
  rt = createRuntime({ ...process.env });
  await ensureTables(rt.clients.dynamodb, tableNames(rt.config));
  await seed('left@example.com', 'unsubscribed');
  await seed('bounced@example.com', 'bounced');
  await seed('complained@example.com', 'complained');
  await seed('kept@example.com', 'confirmed');
  await rt.stores.subscribers.create({
    email: 'erased@example.com',
    id: randomUUID(),
    status: 'confirmed',
    createdAt: '2020-01-01T00:00:00.000Z',
    updatedAt: '2020-01-01T00:00:00.000Z',
  });
});
afterAll(async () => {
  for (const [key, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  await engines?.stop();
  await ws?.cleanup();
});

const CSV = [
  'email,name,status,subscribed_at', // line 1
  'ana@example.com,Ana,subscribed,2024-03-01', // 2 good
  'ben@Example.COM,"Ben, Jr.",,2024-03-02T10:00:00Z', // 3 good (domain lower-cased)
  'not-an-address,Nobody,subscribed,', // 4 bad email
  'cai@example.com,Cai,maybe,', // 5 bad status
  'dee@example.com,Dee,subscribed,yesterday', // 6 bad date
  'eve@example.com,Eve,subscribed,2024-01-01,extra', // 7 too many columns
  'ana@example.com,Ana again,subscribed,', // 8 duplicate of line 2
  'ben@example.com,,subscribed,', // 9 duplicate of line 3 once normalized
  'left@example.com,Left,subscribed,', // 10 previously unsubscribed: untouched
  'bounced@example.com,,subscribed,', // 11 bounced: untouched
  'complained@example.com,,subscribed,', // 12 complained: untouched
  'erased@example.com,,subscribed,', // 13 erased: never re-added
  'kept@example.com,Kept,subscribed,', // 14 already confirmed: untouched
  'fay@example.com,Fay,pending,', // 15 good, stays pending
  'gus@example.com,Gus,unsubscribed,', // 16 good: recorded as suppressed
  '"hal@example.com\nBcc: x@example.com",,subscribed,', // 17-18 header injection: each half has an odd quote
  '', // blank line: skipped
  'ivy@example.com,Ivy,subscribed,', // 20 good
  'jon@example.com,"Jon', // 21 unclosed quote, to the end of the file
  '',
].join('\n');

describe('digest subscribers import', () => {
  let file: string;
  beforeAll(async () => {
    file = join(ws.root, 'list.csv');
    await writeFile(file, CSV);
    expect((await cli('subscribers', 'remove', 'erased@example.com')).code).toBe(0);
  });

  it('erasure kept no profile, only the suppression hash', async () => {
    expect(await rt.stores.subscribers.get('erased@example.com')).toBeUndefined();
    expect(JSON.stringify(await snapshot())).not.toContain('erased@example.com');
    expect(await rt.stores.subscribers.isErased('erased@example.com')).toBe(true);
  });

  it('imports the good rows, reports each bad row by line, leaves known addresses alone', async () => {
    const r = await cli('subscribers', 'import', file, '--confirmed');
    expect(r.code).toBe(1);
    const lines = r.stderr
      .trim()
      .split('\n')
      .map((l) => Number(/list\.csv:(\d+):/.exec(l)?.[1]));
    expect(lines).toEqual([4, 5, 6, 7, 17, 18, 21]);
    expect(r.stderr).toMatch(/list\.csv:4: email: .*@/);
    expect(r.stderr).toMatch(/list\.csv:5: status: "maybe"/);
    expect(r.stderr).toMatch(/list\.csv:6: subscribed_at: "yesterday"/);
    expect(r.stderr).toMatch(/list\.csv:17: unbalanced quote/);
    expect(r.stderr).toMatch(/list\.csv:21: unbalanced quote/);
    expect(r.stderr).not.toContain('hal@example.com');
    expect(r.stdout).toMatch(
      /Imported 5 of \d+ rows .*5 already known \(4 suppressed\).*2 duplicate\(s\), 7 bad row\(s\)/,
    );

    const get = (email: string) => rt.stores.subscribers.get(email);
    expect(await get('ana@example.com')).toMatchObject({
      status: 'confirmed',
      name: 'Ana',
      consent: { source: 'import', subscribedAt: '2024-03-01T00:00:00.000Z' },
    });
    expect((await get('ana@example.com'))?.consent?.note).toMatch(/--confirmed/);
    expect((await get('ana@example.com'))?.consent?.confirmedAt).toBeDefined();
    expect(await get('ben@example.com')).toMatchObject({ status: 'confirmed', name: 'Ben, Jr.' });
    expect((await get('fay@example.com'))?.status).toBe('pending');
    expect((await get('gus@example.com'))?.status).toBe('unsubscribed');
    expect((await get('ivy@example.com'))?.status).toBe('confirmed');
    expect((await get('left@example.com'))?.status).toBe('unsubscribed');
    expect((await get('bounced@example.com'))?.status).toBe('bounced');
    expect((await get('complained@example.com'))?.status).toBe('complained');
    expect((await get('kept@example.com'))?.name).toBeUndefined();
    expect(await get('erased@example.com')).toBeUndefined();
    for (const bad of ['cai@example.com', 'dee@example.com', 'eve@example.com', 'jon@example.com']) {
      expect(await get(bad)).toBeUndefined();
    }
  });

  it('a second import of the same file changes nothing', async () => {
    const before = await snapshot();
    const r = await cli('subscribers', 'import', file, '--confirmed');
    expect(r.stdout).toMatch(/Imported 0 of/);
    expect(await snapshot()).toEqual(before);
  });

  it('without --confirmed, active rows are pending (consent not collected through this system)', async () => {
    const plain = join(ws.root, 'plain.csv');
    await writeFile(plain, 'email\nkim@example.com\n');
    const r = await cli('subscribers', 'import', plain);
    expect(r.code).toBe(0);
    const kim = await rt.stores.subscribers.get('kim@example.com');
    expect(kim?.status).toBe('pending');
    expect(kim?.consent?.confirmedAt).toBeUndefined();
  });

  it('a file without an email column is refused whole, the store unchanged', async () => {
    const bad = join(ws.root, 'bad.csv');
    await writeFile(bad, 'address,name\nzed@example.com,Zed\n');
    const before = await snapshot();
    const r = await cli('subscribers', 'import', bad);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/at least "email"/);
    expect(await snapshot()).toEqual(before);
  });

  it('usage errors: no file, a missing file, an unknown flag', async () => {
    expect((await cli('subscribers', 'import')).stderr).toMatch(/missing the CSV file/);
    expect((await cli('subscribers', 'import', join(ws.root, 'nope.csv'))).code).toBe(2);
    expect((await cli('subscribers', 'import', file, '--force')).stderr).toMatch(/unknown option --force/);
  });
});

describe('digest subscribers export', () => {
  it('writes every profile as CSV (no suppression hashes), and re-importing it changes nothing', async () => {
    const out = join(ws.root, 'export.csv');
    const r = await cli('subscribers', 'export', '--out', out);
    expect(r.code).toBe(0);
    const rows = parse(await readFile(out, 'utf8'), { columns: true }) as Record<string, string>[];
    const byEmail = new Map(rows.map((row) => [row.email, row]));
    expect(byEmail.get('ana@example.com')).toMatchObject({
      status: 'confirmed',
      name: 'Ana',
      source: 'import',
    });
    expect(byEmail.get('left@example.com')?.status).toBe('unsubscribed');
    expect(rows.some((row) => row.email?.startsWith('suppressed#'))).toBe(false);
    expect(rows).toHaveLength((await snapshot()).length - 1);
    const before = await snapshot();
    await cli('subscribers', 'import', out, '--confirmed');
    expect(await snapshot()).toEqual(before);
  });

  it('prints to stdout without --out', async () => {
    const r = await cli('subscribers', 'export');
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe('email,name,status,subscribed_at,confirmed_at,source');
  });
});

describe('import core', () => {
  it('validateRow names the column at fault', () => {
    expect(validateRow({ email: 'a@example.com', status: 'CONFIRMED' }, 2, true)).toMatchObject({
      status: 'confirmed',
    });
    expect(validateRow({ email: 'a@example.com', name: 'x'.repeat(101) }, 3, true)).toEqual({
      line: 3,
      message: 'name: longer than 100 characters',
    });
  });

  it('writes in batches across chunks and skips what exists', async () => {
    const rows = Array.from({ length: 1234 }, (_, i) => `bulk${i}@example.com`);
    const csv = `email\n${rows.join('\n')}\n`;
    const calls = { existing: 0, putMany: 0 };
    const store = {
      existing: async (emails: string[]) => {
        calls.existing++;
        return rt.stores.subscribers.existing(emails);
      },
      putMany: async (subs: Parameters<typeof rt.stores.subscribers.putMany>[0]) => {
        calls.putMany++;
        return rt.stores.subscribers.putMany(subs);
      },
    };
    const report = await importSubscribers(readImportRows(Readable.from([csv]), true), store, {
      confirmed: true,
      chunkSize: 500,
    });
    expect(report).toMatchObject({ rows: 1234, imported: 1234, existing: 0, problems: [] });
    expect(calls).toEqual({ existing: 3, putMany: 3 });
    expect(await rt.stores.subscribers.countByStatus('confirmed')).toBeGreaterThanOrEqual(1234);
    const again = await importSubscribers(readImportRows(Readable.from([csv]), true), store, {
      confirmed: true,
      chunkSize: 500,
    });
    expect(again).toMatchObject({ imported: 0, existing: 1234 });
  });
});
