import { randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type ParsedMail, simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_SUBSCRIBER, runLocalSend } from '../../../functions/cli/commands/send.ts';
import { verifyToken } from '../../../functions/core/tokens.ts';
import type { LocalContext } from '../../../functions/local/context.ts';
import { emulatorStore, localContext, tempWorkspace } from '../../helpers/workspace.ts';

/** The main job end to end: seeds → summary → MJML → MIME → aws-ses-v2-local, on real engines. */
describe('digest send (local, end to end)', () => {
  let ws: Awaited<ReturnType<typeof tempWorkspace>>;
  let ctx: LocalContext;
  const options = { dryRun: false, includeSent: false, retryUnknown: false, force: false };

  beforeAll(async () => {
    ws = await tempWorkspace();
    ctx = await localContext(ws.config);
  });
  afterAll(async () => {
    await ctx?.close();
    await ws?.cleanup();
  });

  let firstIssueDir: string;
  let parsed: ParsedMail;

  it('adds the demo subscriber to an empty list and delivers the seed digest', async () => {
    expect(await runLocalSend(ctx, options)).toBe(0);
    const demo = await ctx.stores.subscribers.get(DEMO_SUBSCRIBER);
    expect(demo?.status).toBe('confirmed');

    const stored = await emulatorStore(ctx.engines.sesEndpoint);
    expect(stored).toHaveLength(1);
    expect(stored[0]?.destination.to).toEqual([DEMO_SUBSCRIBER]);

    const issues = await ctx.stores.issues.list();
    expect(issues).toHaveLength(1);
    expect(issues[0]?.state).toBe('sent');
    expect(issues[0]?.counts?.sent).toBe(1);
    firstIssueDir = join(ws.config.DIGEST_OUT_DIR, issues[0]?.issueId ?? '');
    expect(await readFile(join(firstIssueDir, 'digest.html'), 'utf8')).toContain('Xie Zhenhua');
  });

  it('writes the exact raw message handed to SES, with both parts and one-click unsubscribe headers', async () => {
    const files = await readdir(join(firstIssueDir, 'messages'));
    expect(files).toEqual([`${DEMO_SUBSCRIBER}.eml`]);
    const raw = await readFile(join(firstIssueDir, 'messages', files[0] ?? ''));
    parsed = await simpleParser(raw);
    expect(parsed.from?.value[0]).toMatchObject({ address: 'digest@example.com', name: 'The Weekly Digest' });
    expect(parsed.subject).toContain('The Weekly Digest');
    expect(parsed.html).toContain('Xie Zhenhua');
    expect(parsed.text).toContain('Xie Zhenhua');
    expect(parsed.headers.get('content-type')).toMatchObject({ value: 'multipart/alternative' });
    // mailparser gathers the List-* headers under 'list'.
    const list = parsed.headers.get('list') as {
      id: { id: string; name: string };
      unsubscribe: { url: string; mail: string };
    };
    expect(list.id).toEqual({ id: 'digest.example.com', name: 'The Weekly Digest' });
    const https = list.unsubscribe.url;
    expect(https).toMatch(/^http:\/\/localhost:3000\/unsubscribe\?token=/);
    expect(list.unsubscribe.mail).toBe('unsubscribe@example.com?subject=unsubscribe');
    expect(parsed.headerLines.find((h) => h.key === 'list-unsubscribe-post')?.line).toBe(
      'List-Unsubscribe-Post: List-Unsubscribe=One-Click',
    );
    // The link carries a token that verifies for this recipient and no one else.
    const token = new URL(https).searchParams.get('token');
    expect(verifyToken(ctx.deps.tokenKeys, token, 'unsubscribe', Date.now() / 1000).email).toBe(
      DEMO_SUBSCRIBER,
    );
  });

  it('the emulator received the same message: html and text bodies', async () => {
    const [stored] = await emulatorStore(ctx.engines.sesEndpoint);
    expect(stored?.body.html).toContain('Xie Zhenhua');
    expect(stored?.body.text).toContain('Xie Zhenhua');
    expect(stored?.subject).toBe(parsed.subject);
  });

  it('a second run for the same articles sends nothing', async () => {
    expect(await runLocalSend(ctx, options)).toBe(0);
    expect(await emulatorStore(ctx.engines.sesEndpoint)).toHaveLength(1);
  });

  it('re-running the issue reaches only subscribers who do not have it yet', async () => {
    const now = new Date().toISOString();
    await ctx.stores.subscribers.create({
      email: 'late@example.org',
      id: randomUUID(),
      status: 'confirmed',
      createdAt: now,
      updatedAt: now,
    });
    const [issue] = await ctx.stores.issues.list();
    expect(await runLocalSend(ctx, { ...options, issueId: issue?.issueId })).toBe(0);
    const stored = await emulatorStore(ctx.engines.sesEndpoint);
    expect(stored.map((m) => m.destination.to[0]).sort()).toEqual([DEMO_SUBSCRIBER, 'late@example.org']);
    const record = await ctx.stores.deliveries.get(issue?.issueId ?? '', 'late@example.org');
    expect(record?.state).toBe('sent');
    expect(record?.messageId).toBe(stored.find((m) => m.destination.to[0] === 'late@example.org')?.messageId);
  });

  it('a dry run changes nothing stored and sends nothing', async () => {
    const before = await ctx.stores.issues.list();
    expect(await runLocalSend(ctx, { ...options, dryRun: true, includeSent: true })).toBe(0);
    expect(await ctx.stores.issues.list()).toEqual(before);
    expect(await emulatorStore(ctx.engines.sesEndpoint)).toHaveLength(2);
  });
});
