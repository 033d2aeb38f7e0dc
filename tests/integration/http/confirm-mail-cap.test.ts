import { randomUUID } from 'node:crypto';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ensureTables } from '../../../functions/adapters/dynamo/tables.ts';
import { parseKeyring, signToken } from '../../../functions/core/tokens.ts';
import { apiDeps } from '../../../functions/handlers/api.ts';
import { createApp } from '../../../functions/http/app.ts';
import type { AppDeps } from '../../../functions/http/deps.ts';
import { type LocalEngines, startLocalEngines } from '../../../functions/local/engines.ts';
import { createRuntime, type Runtime } from '../../../functions/wiring/runtime.ts';
import { tableNames } from '../../../functions/wiring/settings.ts';
import { emulatorStore, tempWorkspace } from '../../helpers/workspace.ts';

/**
 * The signup form used as a mail cannon, and a real person caught by the cap: at most
 * DIGEST_CONFIRM_MAILS_PER_DAY confirmation mails per mailbox in any 24 hours (a sliding window over
 * the mails sent, not the clock), every request answered the same, and a link already mailed keeps
 * working whatever the cap holds back.
 */
const keys = parseKeyring('test:0123456789abcdef0123456789abcdef');
let engines: LocalEngines;
let ws: Awaited<ReturnType<typeof tempWorkspace>>;
let rt: Runtime;
let deps: AppDeps;
let clock: Date;

beforeAll(async () => {
  engines = await startLocalEngines();
  ws = await tempWorkspace({
    env: { DIGEST_PUBLIC_URL: 'https://digest.test', DIGEST_SIGNUPS_PER_MINUTE_PER_IP: '1000' },
  });
  rt = createRuntime({ ...process.env, ...ws.env });
  await ensureTables(rt.clients.dynamodb, tableNames(rt.config));
  deps = {
    ...apiDeps(rt),
    clientIp: (c) => c.req.header('x-test-ip') ?? '192.0.2.1',
    log: undefined,
    now: () => clock,
  };
});
afterAll(async () => {
  await engines?.stop();
  await ws?.cleanup();
});
beforeEach(async () => {
  await fetch(`${engines.sesEndpoint}/clear-store`, { method: 'POST' });
  // Mid-hour on purpose: a window aligned to the clock would reset at 11:00.
  clock = new Date('2030-03-04T10:47:00Z');
});

const app = () => createApp(deps);
const later = (minutes: number) => {
  clock = new Date(clock.getTime() + minutes * 60_000);
};
const fresh = (tag: string) => `${tag}-${randomUUID().slice(0, 8)}@example.com`;
let lastIp = 0;
const signup = (email: string) =>
  app().request('/subscribe', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-test-ip': `198.51.100.${(lastIp++ % 250) + 1}` },
    body: JSON.stringify({ email }),
  });
const mailsTo = async (email: string) =>
  (await emulatorStore(engines.sesEndpoint)).filter((m) => m.destination.to.includes(email));
const links = async (email: string) =>
  (await mailsTo(email)).map((m) =>
    decodeURIComponent(
      /https:\/\/digest\.test\/confirm\?token=([^\s"<]+)/.exec(m.body.text ?? '')?.[1] ?? '',
    ),
  );
const confirm = (token: string) =>
  app().request('/confirm', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token }).toString(),
  });
async function row(email: string) {
  const out = await rt.clients.ddb.send(new ScanCommand({ TableName: rt.config.SUBSCRIBERS_TABLE }));
  return (out.Items ?? []).find((i) => i.email === email.toLowerCase());
}

describe('confirmation mails are capped per mailbox', () => {
  it('five requests in an hour: five answers like any other, no lock-out, three mails', async () => {
    const email = fresh('cannon');
    const answers = [];
    for (let i = 0; i < 5; i++) {
      const res = await signup(email);
      answers.push({
        status: res.status,
        retryAfter: res.headers.get('retry-after'),
        body: await res.json(),
      });
      later(11);
    }
    expect(answers.map((a) => a.status)).toEqual([202, 202, 202, 202, 202]);
    expect(answers.every((a) => a.retryAfter === null)).toBe(true);
    expect(new Set(answers.map((a) => JSON.stringify(a.body))).size).toBe(1);
    expect(await mailsTo(email)).toHaveLength(3);
    // Each mail sent is logged with SES's message id (bounces of it are matched by that).
    const stored = await row(email);
    expect(stored?.confirmMails).toHaveLength(3);
    const ids = (await mailsTo(email)).map((m) => m.messageId).sort();
    const logged = (stored?.confirmMails ?? []) as { messageId: string }[];
    expect(logged.map((m) => m.messageId).sort()).toEqual(ids);
  });

  it('the window slides: a slot frees a day after the mail that took it, not at midnight or on the hour', async () => {
    const email = fresh('slide');
    for (let i = 0; i < 3; i++) {
      await signup(email);
      later(20);
    }
    expect(await mailsTo(email)).toHaveLength(3);
    // 10:47 + 24 h minus a minute: the first mail is still within the day.
    clock = new Date('2030-03-05T10:46:00Z');
    const before = await row(email);
    await signup(email);
    expect(await mailsTo(email)).toHaveLength(3);
    expect(await row(email)).toEqual(before); // a held-back request changes nothing stored
    clock = new Date('2030-03-05T10:47:01Z');
    await signup(email);
    expect(await mailsTo(email)).toHaveLength(4);
  });

  it('requests a minute apart send one mail, and a concurrent burst sends one too', async () => {
    const email = fresh('burst');
    await Promise.all(Array.from({ length: 8 }, () => signup(email)));
    later(1);
    await signup(email);
    expect(await mailsTo(email)).toHaveLength(1);
  });

  it('a pending person who asks again keeps every link working (the nonce is never replaced)', async () => {
    const email = fresh('again');
    await signup(email);
    later(15);
    await signup(email);
    const [first, second] = await links(email);
    expect(first).toBeTruthy();
    expect(second).toBeTruthy();
    expect((await confirm(first as string)).status).toBe(200);
    expect((await rt.stores.subscribers.get(email))?.status).toBe('confirmed');
  });

  it('a re-signup held back right after unsubscribing keeps the previous valid link working', async () => {
    const email = fresh('back');
    await signup(email);
    const [link] = await links(email);
    expect((await confirm(link as string)).status).toBe(200);
    const unsubscribe = signToken(keys, { email, purpose: 'unsubscribe', exp: 0, nonce: 'u' });
    await app().request(`/unsubscribe?token=${encodeURIComponent(unsubscribe)}`, { method: 'POST' });
    expect((await rt.stores.subscribers.get(email))?.status).toBe('unsubscribed');
    // Two minutes later: inside the resend interval, so no mail may go out.
    later(2);
    expect((await signup(email)).status).toBe(202);
    expect(await mailsTo(email)).toHaveLength(1);
    const stored = await rt.stores.subscribers.get(email);
    expect(stored?.status).toBe('pending');
    expect(stored?.consent?.confirmedAt).toBeUndefined();
    // The link in their inbox (still valid for 48 h) confirms the new signup.
    expect((await confirm(link as string)).status).toBe(200);
    expect((await rt.stores.subscribers.get(email))?.status).toBe('confirmed');
  });

  it('with no valid link left and no mail allowed, a re-signup changes nothing', async () => {
    const email = fresh('stale');
    const limited = createApp({
      ...deps,
      limits: { ...deps.limits, confirmMailsPerDay: 1, confirmTokenHours: 1 },
    });
    const ask = () =>
      limited.request('/subscribe', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email }),
      });
    await ask();
    await rt.stores.subscribers.setStatus(email, 'unsubscribed');
    later(120); // the link has expired; the day's one mail is used
    const before = await row(email);
    expect((await ask()).status).toBe(202);
    expect(await row(email)).toEqual(before);
    expect(await mailsTo(email)).toHaveLength(1);
  });
});

describe('one mailbox, one subscriber, through the form', () => {
  it('three capitalizations are one pending subscriber, mailed at the spelling typed first', async () => {
    const local = `Reader${randomUUID().slice(0, 6)}`;
    const spellings = [
      `${local}@Example.com`,
      `${local.toLowerCase()}@example.com`,
      `${local.toUpperCase()}@EXAMPLE.COM`,
    ];
    for (const email of spellings) {
      expect((await signup(email)).status).toBe(202);
      later(15);
    }
    const out = await rt.clients.ddb.send(new ScanCommand({ TableName: rt.config.SUBSCRIBERS_TABLE }));
    const mine = (out.Items ?? []).filter((i) => String(i.email).startsWith(local.toLowerCase()));
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({
      email: `${local.toLowerCase()}@example.com`,
      address: `${local}@example.com`,
    });
    const mail = (await emulatorStore(engines.sesEndpoint)).filter((m) =>
      m.destination.to[0]?.toLowerCase().startsWith(local.toLowerCase()),
    );
    expect(mail.map((m) => m.destination.to[0])).toEqual([
      `${local}@example.com`,
      `${local}@example.com`,
      `${local}@example.com`,
    ]);
  });

  it('an unsubscribe or an erasure in one spelling reaches the mailbox, and no consent data is left', async () => {
    const local = `Una${randomUUID().slice(0, 6)}`;
    await signup(`${local}@Example.com`);
    const [link] = await links(`${local}@example.com`);
    expect((await confirm(link as string)).status).toBe(200);
    const token = (email: string) =>
      encodeURIComponent(signToken(keys, { email, purpose: 'unsubscribe', exp: 0, nonce: 'u' }));
    const shouted = `${local.toUpperCase()}@EXAMPLE.COM`;
    expect((await app().request(`/unsubscribe?token=${token(shouted)}`, { method: 'POST' })).status).toBe(
      200,
    );
    expect((await rt.stores.subscribers.get(`${local}@example.com`))?.status).toBe('unsubscribed');
    expect(
      (await app().request(`/erase?token=${token(`${local.toLowerCase()}@example.com`)}`, { method: 'POST' }))
        .status,
    ).toBe(200);
    const out = await rt.clients.ddb.send(new ScanCommand({ TableName: rt.config.SUBSCRIBERS_TABLE }));
    expect(JSON.stringify(out.Items).toLowerCase()).not.toContain(local.toLowerCase());
    expect(await rt.stores.subscribers.isErased(shouted)).toBe(true);
  });
});
