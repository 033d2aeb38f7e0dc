import { randomUUID } from 'node:crypto';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ensureTables } from '../../../functions/adapters/dynamo/tables.ts';
import { suppressionKey } from '../../../functions/core/subscribers/suppression.ts';
import { parseKeyring, signToken } from '../../../functions/core/tokens.ts';
import { apiDeps } from '../../../functions/handlers/api.ts';
import { createApp } from '../../../functions/http/app.ts';
import type { AppDeps } from '../../../functions/http/deps.ts';
import { type LocalEngines, startLocalEngines } from '../../../functions/local/engines.ts';
import { createRuntime, type Runtime } from '../../../functions/wiring/runtime.ts';
import { tableNames } from '../../../functions/wiring/settings.ts';
import { emulatorStore, tempWorkspace } from '../../helpers/workspace.ts';

/**
 * The HTTP app on real engines (dynalite + aws-ses-v2-local), driven through `app.request`:
 * every route, every bad input (4xx, a clear message, the store unchanged), rate limits.
 */
const SECRETS = 'test:0123456789abcdef0123456789abcdef';
const keys = parseKeyring(SECRETS);

let engines: LocalEngines;
let ws: Awaited<ReturnType<typeof tempWorkspace>>;
let rt: Runtime;
let deps: AppDeps;
let app: ReturnType<typeof createApp>;

beforeAll(async () => {
  engines = await startLocalEngines();
  ws = await tempWorkspace({
    env: { DIGEST_PUBLIC_URL: 'https://digest.test', DIGEST_SIGNUPS_PER_MINUTE_PER_IP: '1000' },
  });
  rt = createRuntime({ ...process.env, ...ws.env });
  await ensureTables(rt.clients.dynamodb, tableNames(rt.config));
  // Tests name the client IP in a header; the real app never trusts one.
  deps = { ...apiDeps(rt), clientIp: (c) => c.req.header('x-test-ip') ?? '192.0.2.1', log: undefined };
  app = createApp(deps);
});
afterAll(async () => {
  await engines?.stop();
  await ws?.cleanup();
});
beforeEach(async () => {
  await fetch(`${engines.sesEndpoint}/clear-store`, { method: 'POST' });
});

/** Every item of the subscribers table, sorted: "the store is unchanged" compares these. */
async function snapshot(): Promise<unknown[]> {
  const out = await rt.clients.ddb.send(new ScanCommand({ TableName: rt.config.SUBSCRIBERS_TABLE }));
  return (out.Items ?? []).sort((a, b) => String(a.email).localeCompare(String(b.email)));
}

const form = (fields: Record<string, string>, headers: Record<string, string> = {}) => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
  body: new URLSearchParams(fields).toString(),
});
const json = (body: string, headers: Record<string, string> = {}) => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', ...headers },
  body,
});
const fresh = (tag = 'u') => `${tag}-${randomUUID().slice(0, 8)}@example.com`;
const ip = () => `198.51.100.${Math.floor(Math.random() * 250) + 1}`;

async function confirmLinkFor(email: string): Promise<string> {
  const mail = (await emulatorStore(engines.sesEndpoint)).filter((m) => m.destination.to.includes(email));
  expect(mail).toHaveLength(1);
  const match = /https:\/\/digest\.test\/confirm\?token=([^\s"<]+)/.exec(mail[0]?.body.text ?? '');
  expect(match).not.toBeNull();
  return decodeURIComponent(match?.[1] ?? '');
}

const unsubscribeToken = (email: string) =>
  signToken(keys, { email, purpose: 'unsubscribe', exp: 0, nonce: 'u' });

describe('pages', () => {
  it('GET / is a real form: labelled email field, honeypot, consent wording, posts to /subscribe', async () => {
    const res = await app.request('/');
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toMatch(/<form method="post" action="\/subscribe"/);
    expect(html).toContain('<label for="email">');
    expect(html).toMatch(/<input id="email" name="email" type="email"/);
    expect(html).toMatch(/<input id="website" name="website"[^>]*tabindex="-1"/);
    expect(html).toContain('name="wording" value="signup-2025-01"');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
  });

  it('GET /health answers ok', async () => {
    const res = await app.request('/health');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true });
  });

  it('unknown paths are a 404 page', async () => {
    expect((await app.request('/nope')).status).toBe(404);
  });
});

describe('signup and double opt-in', () => {
  it('a form signup stores pending with a consent record and mails a confirmation link', async () => {
    const email = fresh();
    const res = await app.request(
      '/subscribe',
      form(
        { email, website: '', wording: 'signup-2025-01' },
        { 'x-test-ip': '203.0.113.7', 'user-agent': 'TestBrowser/1.0' },
      ),
    );
    expect(res.status).toBe(202);
    expect(await res.text()).toContain('Check your inbox');
    const stored = await rt.stores.subscribers.get(email);
    expect(stored?.status).toBe('pending');
    expect(stored?.consent).toMatchObject({
      source: 'form',
      ip: '203.0.113.7',
      userAgent: 'TestBrowser/1.0',
      wordingVersion: 'signup-2025-01',
    });
    expect(stored?.consent?.subscribedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    const mail = await emulatorStore(engines.sesEndpoint);
    expect(mail).toHaveLength(1);
    expect(mail[0]?.subject).toBe('Confirm your subscription to The Weekly Digest');
    expect(mail[0]?.body.html).toContain('Confirm my subscription');
    expect(mail[0]?.body.html).not.toContain('{{');
    await confirmLinkFor(email);
  });

  it('answers the same for a new, a pending and a confirmed address (no enumeration)', async () => {
    const pending = fresh('p');
    const confirmed = fresh('c');
    await app.request('/subscribe', json(JSON.stringify({ email: pending })));
    const now = new Date().toISOString();
    await rt.stores.subscribers.create({
      email: confirmed,
      id: randomUUID(),
      status: 'confirmed',
      createdAt: now,
      updatedAt: now,
    });
    const answers = [];
    for (const email of [fresh('n'), pending, confirmed]) {
      const res = await app.request('/subscribe', json(JSON.stringify({ email }), { 'x-test-ip': ip() }));
      answers.push({ status: res.status, body: await res.text() });
      const page = await app.request('/subscribe', form({ email }, { 'x-test-ip': ip() }));
      answers.push({ status: page.status, body: (await page.text()).replace(email, 'X') });
    }
    expect(answers[0]?.status).toBe(202);
    expect(answers[2]).toEqual(answers[0]);
    expect(answers[4]).toEqual(answers[0]);
    expect(answers[3]).toEqual(answers[1]);
    expect(answers[5]).toEqual(answers[1]);
    expect((await rt.stores.subscribers.get(confirmed))?.status).toBe('confirmed');
  });

  it('sends at most one confirmation email per address per 10 minutes', async () => {
    const email = fresh('throttle');
    for (let i = 0; i < 3; i++) {
      const res = await app.request('/subscribe', json(JSON.stringify({ email }), { 'x-test-ip': ip() }));
      expect(res.status).toBe(202);
    }
    const mail = (await emulatorStore(engines.sesEndpoint)).filter((m) => m.destination.to.includes(email));
    expect(mail).toHaveLength(1);
  });

  it('GET /confirm shows a button and changes nothing; POST /confirm confirms once', async () => {
    const email = fresh('confirm');
    await app.request('/subscribe', form({ email }, { 'x-test-ip': ip() }));
    const token = await confirmLinkFor(email);

    const before = await snapshot();
    const page = await app.request(`/confirm?token=${encodeURIComponent(token)}`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toMatch(/<form method="post" action="\/confirm">/);
    expect(html).toContain('Confirm my subscription');
    expect(await snapshot()).toEqual(before);

    const res = await app.request('/confirm', form({ token }, { 'x-test-ip': '203.0.113.9' }));
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('Subscription confirmed');
    const stored = await rt.stores.subscribers.get(email);
    expect(stored?.status).toBe('confirmed');
    expect(stored?.consent).toMatchObject({ source: 'form', confirmIp: '203.0.113.9' });
    expect(stored?.consent?.confirmedAt).toMatch(/Z$/);
    expect(stored).not.toHaveProperty('confirmNonce');

    // A second press is harmless; after unsubscribing, the old link cannot subscribe again.
    expect((await app.request('/confirm', form({ token }))).status).toBe(200);
    expect(
      (
        await app.request(`/unsubscribe?token=${encodeURIComponent(unsubscribeToken(email))}`, {
          method: 'POST',
        })
      ).status,
    ).toBe(200);
    const afterUnsubscribe = await snapshot();
    const reuse = await app.request('/confirm', form({ token }));
    expect(reuse.status).toBe(400);
    expect(await reuse.text()).toContain('already used');
    expect(await snapshot()).toEqual(afterUnsubscribe);
  });
});

describe('unsubscribe and erasure', () => {
  async function confirmedSubscriber(tag: string): Promise<string> {
    const email = fresh(tag);
    const now = new Date().toISOString();
    await rt.stores.subscribers.create({
      email,
      id: randomUUID(),
      status: 'confirmed',
      createdAt: now,
      updatedAt: now,
      consent: { source: 'form', subscribedAt: now, confirmedAt: now, ip: '192.0.2.4' },
    });
    return email;
  }

  it('GET /unsubscribe shows buttons and changes nothing', async () => {
    const email = await confirmedSubscriber('unsub-get');
    const before = await snapshot();
    const res = await app.request(`/unsubscribe?token=${encodeURIComponent(unsubscribeToken(email))}`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toMatch(/<form method="post" action="\/unsubscribe\?token=/);
    expect(html).toMatch(/<form method="post" action="\/erase\?token=/);
    expect(await snapshot()).toEqual(before);
  });

  it('RFC 8058 one-click POST unsubscribes at once with 200, and again is still 200', async () => {
    const email = await confirmedSubscriber('oneclick');
    const url = `/unsubscribe?token=${encodeURIComponent(unsubscribeToken(email))}`;
    const res = await app.request(url, form({ 'List-Unsubscribe': 'One-Click' }));
    expect(res.status).toBe(200);
    expect((await rt.stores.subscribers.get(email))?.status).toBe('unsubscribed');
    const multipart = new FormData();
    multipart.set('List-Unsubscribe', 'One-Click');
    expect((await app.request(url, { method: 'POST', body: multipart })).status).toBe(200);
    expect((await rt.stores.subscribers.get(email))?.status).toBe('unsubscribed');
  });

  it('an unsubscribed address that signs up again goes through double opt-in again', async () => {
    const email = await confirmedSubscriber('again');
    await app.request(`/unsubscribe?token=${encodeURIComponent(unsubscribeToken(email))}`, {
      method: 'POST',
    });
    const res = await app.request('/subscribe', json(JSON.stringify({ email }), { 'x-test-ip': ip() }));
    expect(res.status).toBe(202);
    const stored = await rt.stores.subscribers.get(email);
    expect(stored?.status).toBe('pending');
    expect(stored?.consent?.source).toBe('form');
    expect(stored?.consent?.confirmedAt).toBeUndefined();
    const token = await confirmLinkFor(email);
    expect((await app.request('/confirm', form({ token }))).status).toBe(200);
    expect((await rt.stores.subscribers.get(email))?.status).toBe('confirmed');
  });

  it('bounced and complained addresses get the same answer and no mail', async () => {
    for (const status of ['bounced', 'complained'] as const) {
      const email = fresh(status);
      const now = new Date().toISOString();
      await rt.stores.subscribers.create({ email, id: randomUUID(), status, createdAt: now, updatedAt: now });
      const res = await app.request('/subscribe', json(JSON.stringify({ email }), { 'x-test-ip': ip() }));
      expect(res.status).toBe(202);
      expect((await rt.stores.subscribers.get(email))?.status).toBe(status);
    }
    expect(await emulatorStore(engines.sesEndpoint)).toHaveLength(0);
  });

  it('POST /erase deletes profile and consent, keeping only a hash of the address', async () => {
    const email = await confirmedSubscriber('erase');
    const res = await app.request(`/erase?token=${encodeURIComponent(unsubscribeToken(email))}`, {
      method: 'POST',
    });
    expect(res.status).toBe(200);
    expect(await rt.stores.subscribers.get(email)).toBeUndefined();
    const items = await snapshot();
    const serialized = JSON.stringify(items);
    expect(serialized).not.toContain(email);
    expect(items).toContainEqual({ email: suppressionKey(email), status: 'erased' });
    expect(await rt.stores.subscribers.isErased(email)).toBe(true);
    expect(await rt.stores.subscribers.countByStatus('confirmed')).toBeGreaterThanOrEqual(0);
  });
});

describe('after erasure', () => {
  it('an erased address can come back only through double opt-in; confirming drops the suppression entry', async () => {
    const email = fresh('back');
    const now = new Date().toISOString();
    await rt.stores.subscribers.create({
      email,
      id: randomUUID(),
      status: 'confirmed',
      createdAt: now,
      updatedAt: now,
    });
    await app.request(`/erase?token=${encodeURIComponent(unsubscribeToken(email))}`, { method: 'POST' });
    expect(await rt.stores.subscribers.isErased(email)).toBe(true);

    const res = await app.request('/subscribe', json(JSON.stringify({ email }), { 'x-test-ip': ip() }));
    expect(res.status).toBe(202);
    expect((await rt.stores.subscribers.get(email))?.status).toBe('pending');
    expect(await rt.stores.subscribers.isErased(email)).toBe(true);
    const token = await confirmLinkFor(email);
    expect((await app.request('/confirm', form({ token }))).status).toBe(200);
    expect((await rt.stores.subscribers.get(email))?.status).toBe('confirmed');
    expect(await rt.stores.subscribers.isErased(email)).toBe(false);
  });
});

describe('bad input: a 4xx with a clear message, the store unchanged', () => {
  const tooLong = `${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(58)}.com`;
  expect(tooLong).toHaveLength(255);
  const cases: [string, () => RequestInit, number, RegExp][] = [
    ['malformed JSON', () => json('{"email": "a@example.com"'), 400, /not valid JSON/],
    ['JSON that is not an object', () => json('["a@example.com"]'), 400, /must be an object/],
    [
      'a body over the limit',
      () => json(JSON.stringify({ email: 'a@example.com', pad: 'x'.repeat(17_000) })),
      413,
      /larger than 16384 bytes/,
    ],
    [
      'a wrong content type',
      () => ({ method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'a@example.com' }),
      415,
      /application\/x-www-form-urlencoded/,
    ],
    [
      'no content type',
      () => ({ method: 'POST', body: new TextEncoder().encode('email=a@example.com') }),
      415,
      /got no content type/,
    ],
    ['a missing address', () => json('{}'), 400, /email address is required/],
    ['255 characters', () => json(JSON.stringify({ email: tooLong })), 400, /longer than 254/],
    [
      'a newline (header injection)',
      () => json(JSON.stringify({ email: 'a@example.com\r\nBcc: victim@example.org' })),
      400,
      /control characters/,
    ],
    [
      'a list of addresses',
      () => json(JSON.stringify({ email: 'a@x.com,b@y.com' })),
      400,
      /exactly one email address/,
    ],
    ['two @', () => json(JSON.stringify({ email: 'a@b@example.com' })), 400, /exactly one @/],
    ['a non-ASCII local part', () => json(JSON.stringify({ email: 'jos\u00e9@example.com' })), 400, /ASCII/],
    [
      'a local part over 64',
      () => json(JSON.stringify({ email: `${'a'.repeat(65)}@example.com` })),
      400,
      /longer than 64/,
    ],
    ['a bad domain', () => json(JSON.stringify({ email: 'a@localhost' })), 400, /not a valid mail domain/],
    ['a number for the address', () => json(JSON.stringify({ email: 42 })), 400, /required/],
    [
      'a numeric top-level domain',
      () => json(JSON.stringify({ email: 'test@255.255.255.255' })),
      400,
      /top-level domain \\?"255\\?" is all digits/,
    ],
    [
      'a domain ending in a hyphen',
      () => form({ email: 'test@iana.org-' }),
      400,
      /org-\\?" ends with a hyphen/,
    ],
    [
      'multipart without a boundary',
      () => ({
        method: 'POST',
        headers: { 'content-type': 'multipart/form-data' },
        body: 'email=a@example.com',
      }),
      400,
      /not valid form data/,
    ],
    [
      'a truncated multipart body',
      () => ({
        method: 'POST',
        headers: { 'content-type': 'multipart/form-data; boundary=XyZ' },
        body: '--XyZ\r\nContent-Disposition: form-data; name="email"\r\n\r\na@example.com',
      }),
      400,
      /not valid form data/,
    ],
    [
      'the honeypot filled',
      () => form({ email: 'bot@example.com', website: 'http://spam.example' }),
      400,
      /could not be accepted/,
    ],
  ];

  it.each(cases)('POST /subscribe with %s', async (_name, init, status, message) => {
    const before = await snapshot();
    const res = await app.request('/subscribe', {
      ...init(),
      headers: { accept: 'application/json', ...(init().headers as Record<string, string>) },
    });
    expect(res.status).toBe(status);
    const body = await res.text();
    expect(body).toMatch(message);
    expect(body).not.toMatch(/at \w+ \(|Error:|stack/);
    expect(await snapshot()).toEqual(before);
    expect(await emulatorStore(engines.sesEndpoint)).toHaveLength(0);
  });

  it('a form signup with a bad address re-shows the form with the error, as HTML', async () => {
    const res = await app.request('/subscribe', form({ email: 'not-an-address' }));
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain('role="alert"');
    expect(html).toContain('aria-invalid="true"');
    expect(html).toContain('value="not-an-address"');
  });

  it('an address internationalized in its domain is stored in punycode', async () => {
    const res = await app.request(
      '/subscribe',
      json(JSON.stringify({ email: 'anna@B\u00fccher.example' }), { 'x-test-ip': ip() }),
    );
    expect(res.status).toBe(202);
    expect((await rt.stores.subscribers.get('anna@xn--bcher-kva.example'))?.status).toBe('pending');
  });

  describe('tokens', () => {
    let email: string;
    let token: string;
    beforeAll(async () => {
      email = fresh('tok');
      await app.request('/subscribe', json(JSON.stringify({ email }), { 'x-test-ip': ip() }));
      token = await confirmLinkFor(email);
    });

    const tamper = (t: string) => {
      const [kid, payload, sig] = t.split('.') as [string, string, string];
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as unknown[];
      claims[0] = 'attacker@example.com';
      return `${kid}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${sig}`;
    };
    const tokenCases: [string, () => string | undefined, RegExp][] = [
      ['missing', () => undefined, /token is missing/],
      ['empty', () => '', /token is missing/],
      ['garbage', () => 'not-a-token', /malformed/],
      ['tampered', () => tamper(token), /signature is invalid/],
      [
        'a flipped signature',
        () => `${token.slice(0, -2)}${token.endsWith('AA') ? 'BB' : 'AA'}`,
        /signature is invalid/,
      ],
      [
        'signed with an unknown key',
        () =>
          signToken(parseKeyring('old:abcdefghijklmnopqrstuvwxyz0123456789'), {
            email,
            purpose: 'confirm',
            exp: 0,
          }),
        /unknown key/,
      ],
      [
        'expired',
        () => signToken(keys, { email, purpose: 'confirm', exp: Math.floor(Date.now() / 1000) - 60 }),
        /expired/,
      ],
      ['an unsubscribe token', () => unsubscribeToken(email), /not a confirm token/],
    ];

    it.each(tokenCases)(
      'confirm with a %s token: 400 for GET and POST, nothing changes',
      async (_n, make, message) => {
        const t = make();
        const before = await snapshot();
        const get = await app.request(`/confirm${t === undefined ? '' : `?token=${encodeURIComponent(t)}`}`);
        expect(get.status).toBe(400);
        expect(await get.text()).toMatch(message);
        const post = await app.request('/confirm', form(t === undefined ? {} : { token: t }));
        expect(post.status).toBe(400);
        expect(await post.text()).toMatch(message);
        expect(await snapshot()).toEqual(before);
      },
    );

    it.each([
      ['missing', () => undefined, /token is missing/],
      ['tampered', () => tamper(unsubscribeToken(email)), /signature is invalid/],
      ['a confirm token', () => token, /not a unsubscribe token/],
    ] as [string, () => string | undefined, RegExp][])(
      'unsubscribe/erase with a %s token: 400, nothing changes',
      async (_n, make, message) => {
        const t = make();
        const q = t === undefined ? '' : `?token=${encodeURIComponent(t)}`;
        const before = await snapshot();
        for (const res of [
          await app.request(`/unsubscribe${q}`),
          await app.request(`/unsubscribe${q}`, { method: 'POST' }),
          await app.request(`/erase${q}`, { method: 'POST' }),
        ]) {
          expect(res.status).toBe(400);
          expect(await res.text()).toMatch(message);
        }
        expect(await snapshot()).toEqual(before);
      },
    );

    it('a pending address is still pending after all that, and its real link works', async () => {
      expect((await rt.stores.subscribers.get(email))?.status).toBe('pending');
      expect((await app.request('/confirm', form({ token }))).status).toBe(200);
      expect((await rt.stores.subscribers.get(email))?.status).toBe('confirmed');
    });
  });
});

describe('rate limits', () => {
  it('a burst over the per-IP limit gets 429 with Retry-After; other IPs are not affected', async () => {
    const fixed = new Date('2030-01-01T00:00:10Z');
    const limited = createApp({
      ...deps,
      limits: { ...deps.limits, signupsPerMinutePerIp: 20 },
      now: () => fixed,
    });
    const statuses: number[] = [];
    for (let i = 0; i < 25; i++) {
      const res = await limited.request(
        '/subscribe',
        json(JSON.stringify({ email: fresh('burst') }), { 'x-test-ip': '192.0.2.200' }),
      );
      statuses.push(res.status);
      if (res.status === 429) {
        expect(res.headers.get('retry-after')).toBe('50');
        expect(await res.json()).toEqual({ error: expect.stringMatching(/too many signups/) });
      }
    }
    expect(statuses.filter((s) => s === 202)).toHaveLength(20);
    expect(statuses.slice(20)).toEqual([429, 429, 429, 429, 429]);
    const other = await limited.request(
      '/subscribe',
      json(JSON.stringify({ email: fresh('other') }), { 'x-test-ip': '192.0.2.201' }),
    );
    expect(other.status).toBe(202);
  });

  it('an IPv6 /64 counts as one client', async () => {
    const fixed = new Date('2030-01-01T00:05:10Z');
    const limited = createApp({
      ...deps,
      limits: { ...deps.limits, signupsPerMinutePerIp: 2 },
      now: () => fixed,
    });
    const statuses = [];
    for (const host of ['2001:db8:1:2::1', '2001:db8:1:2::99', '2001:db8:1:2:aaaa::5']) {
      const res = await limited.request(
        '/subscribe',
        json(JSON.stringify({ email: fresh('v6') }), { 'x-test-ip': host }),
      );
      statuses.push(res.status);
    }
    expect(statuses).toEqual([202, 202, 429]);
  });
  // The per-address limit is the cap on confirmation mails: see confirm-mail-cap.test.ts.
});

describe('errors never leak', () => {
  it('a failing dependency answers 500 with a plain message', async () => {
    const broken = createApp({
      ...deps,
      sender: {
        sendRaw: async () => {
          throw new Error('SECRET internal detail');
        },
        getQuota: async () => ({ maxSendRate: 1, max24HourSend: 1, sentLast24Hours: 0 }),
      },
    });
    const res = await broken.request(
      '/subscribe',
      json(JSON.stringify({ email: fresh('broken') }), { 'x-test-ip': ip() }),
    );
    expect(res.status).toBe(500);
    const body = await res.text();
    expect(body).not.toContain('SECRET');
    expect(JSON.parse(body)).toEqual({ error: expect.stringMatching(/something went wrong/) });
  });
});
