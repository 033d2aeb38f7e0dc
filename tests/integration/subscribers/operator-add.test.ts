import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureTables } from '../../../functions/adapters/dynamo/tables.ts';
import type { SubscriberStatus } from '../../../functions/core/model.ts';
import { type LocalEngines, startLocalEngines } from '../../../functions/local/engines.ts';
import { createRuntime, type Runtime } from '../../../functions/wiring/runtime.ts';
import { tableNames } from '../../../functions/wiring/settings.ts';
import { cli } from '../../helpers/cli.ts';
import { tempWorkspace } from '../../helpers/workspace.ts';

/**
 * `digest subscribers add` of someone who asked to be forgotten or left: refused with the reason,
 * the list unchanged, unless the operator passes --force, which the consent record then says.
 */
let engines: LocalEngines;
let ws: Awaited<ReturnType<typeof tempWorkspace>>;
let rt: Runtime;
const saved: Record<string, string | undefined> = {};

async function table() {
  const out = await rt.clients.ddb.send(new ScanCommand({ TableName: rt.config.SUBSCRIBERS_TABLE }));
  return (out.Items ?? []).sort((a, b) => (String(a.email) < String(b.email) ? -1 : 1));
}
async function seed(email: string, status: SubscriberStatus) {
  const now = new Date().toISOString();
  await rt.stores.subscribers.create({ email, id: email, status, createdAt: now, updatedAt: now });
}

beforeAll(async () => {
  engines = await startLocalEngines();
  ws = await tempWorkspace();
  for (const [key, value] of Object.entries(ws.env)) {
    saved[key] = process.env[key];
    process.env[key] = value;
  }
  rt = createRuntime({ ...process.env });
  await ensureTables(rt.clients.dynamodb, tableNames(rt.config));
});
afterAll(async () => {
  for (const [key, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  await engines?.stop();
  await ws?.cleanup();
});

describe('subscribers add after remove', () => {
  it('refuses an erased address, in any capitalization, and changes nothing', async () => {
    expect((await cli('subscribers', 'add', 'gone@example.com')).code).toBe(0);
    expect((await cli('subscribers', 'remove', 'gone@example.com')).code).toBe(0);
    const before = await table();
    for (const spelling of ['gone@example.com', 'GONE@Example.com']) {
      const r = await cli('subscribers', 'add', spelling);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/was erased at the person's request .* not added again; .*--force/);
    }
    expect(await table()).toEqual(before);
    expect((await cli('subscribers', 'list')).stdout).not.toContain('gone@');
  });

  it('--force adds it back and records the operator\u2019s decision in the consent record', async () => {
    const r = await cli('subscribers', 'add', 'Gone@example.com', '--force');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/over its erased status: --force/);
    const back = await rt.stores.subscribers.get('gone@example.com');
    expect(back).toMatchObject({ status: 'confirmed', address: 'Gone@example.com' });
    expect(back?.consent).toMatchObject({
      source: 'cli',
      note: expect.stringMatching(/--force by the operator over its erased status/),
    });
    expect(await rt.stores.subscribers.isErased('gone@example.com')).toBe(false);
  });
});

describe('subscribers add of a suppressed address', () => {
  it.each([
    ['unsubscribed', /unsubscribed \(the person unsubscribed\)/],
    ['bounced', /bounced \(mail to it bounced permanently\)/],
    ['complained', /complained \(the person marked the digest as spam\)/],
  ] as const)('refuses a %s one with the reason, unless --force', async (status, reason) => {
    const email = `${status}@example.com`;
    await seed(email, status);
    const before = await table();
    const refused = await cli('subscribers', 'add', email.toUpperCase());
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(reason);
    expect(await table()).toEqual(before);
    const forced = await cli('subscribers', 'add', email, '--force');
    expect(forced.code).toBe(0);
    const after = await rt.stores.subscribers.get(email);
    expect(after?.status).toBe('confirmed');
    expect(after?.consent?.note).toMatch(new RegExp(`--force by the operator over its ${status} status`));
  });

  it('an address already on the list is refused without --force and with it', async () => {
    await seed('here@example.com', 'confirmed');
    for (const args of [[], ['--force']]) {
      const r = await cli('subscribers', 'add', 'Here@example.com', ...args);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/already on the list \(status: confirmed\)/);
    }
  });

  it('refuses a --name with control characters', async () => {
    const r = await cli('subscribers', 'add', 'named@example.com', '--name', 'Ana\u001b]0;x\u0007');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--name: contains control characters/);
  });
});
