/**
 * `npm run check:mail`: sends a fresh confirmation mail and a fresh digest through the local
 * pipeline (the HTTP app, dynalite and the SES emulator on loopback, in a throwaway data folder),
 * keeps each message exactly as handed to SES, and runs SpamAssassin on it
 * (`spamassassin -L -t`: local rules only, no network lookups). Prints each score and the rules hit,
 * and exits 1 when a message scores more than 0 content points. Rules that fire only because the
 * mail was sent locally (no Received headers, links to localhost:3000) are named as such; they
 * score 0. Exits 2, saying how to install it, when SpamAssassin is not installed: it is a system
 * package, so this check is not part of `npm test`.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { runLocalSend } from '../functions/cli/commands/send.ts';
import { startDevServer } from '../functions/local/dev-server.ts';
import { parseConfig } from '../functions/wiring/config.ts';

const SPAMASSASSIN = process.env.SPAMASSASSIN ?? 'spamassassin';
const ARGS = ['-L', '-t'];
/** Rules that describe how the message travelled here, not what it says. */
const LOCAL_ONLY: Record<string, string> = {
  NO_RECEIVED: 'no Received headers: the message never crossed a mail server',
  NO_RELAYS: 'not relayed: the same',
  WEIRD_PORT: 'links to the local server on port 3000 (DIGEST_PUBLIC_URL)',
};

interface Hit {
  points: number;
  rule: string;
  description: string;
}

function installHint(): string {
  return [
    `SpamAssassin is not installed (no \`${SPAMASSASSIN}\` on PATH), so the mail could not be checked.`,
    'Install it, then run `npm run check:mail` again:',
    '  Debian/Ubuntu:  sudo apt-get install -y spamassassin',
    '  Fedora:         sudo dnf install -y spamassassin',
    '  macOS:          brew install spamassassin',
    '(Set SPAMASSASSIN=/path/to/spamassassin to use another one.)',
  ].join('\n');
}

/** The report's "Content analysis details" table: total score and one line per rule hit. */
function parseReport(report: string): { total: number; hits: Hit[] } {
  const start = report.indexOf('Content analysis details:');
  if (start < 0)
    throw new Error(`no "Content analysis details" in SpamAssassin's output:\n${report.slice(-2000)}`);
  const section = report.slice(start);
  const total = Number(/\((-?\d+(?:\.\d+)?) points/.exec(section)?.[1] ?? Number.NaN);
  const hits: Hit[] = [];
  for (const line of section.split('\n').slice(3)) {
    if (line.trim() === '') break;
    const match = /^\s*(-?\d+(?:\.\d+)?)\s+([A-Z0-9_]+)\s+(.*)$/.exec(line);
    if (match) hits.push({ points: Number(match[1]), rule: match[2] as string, description: match[3] ?? '' });
    else if (hits.length > 0) (hits[hits.length - 1] as Hit).description += ` ${line.trim()}`;
  }
  return { total, hits };
}

function spamassassinVersion(): string | undefined {
  const run = spawnSync(SPAMASSASSIN, ['--version'], { encoding: 'utf8' });
  if (run.error || run.status !== 0) return undefined;
  return run.stdout.split('\n')[0]?.trim();
}

async function quietly<T>(fn: () => Promise<T>): Promise<T> {
  const out = process.stdout.write;
  const err = process.stderr.write;
  const silent = (() => true) as typeof process.stdout.write;
  process.stdout.write = silent;
  process.stderr.write = silent;
  try {
    return await fn();
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
  }
}

async function sendFreshMessages(root: string): Promise<{ name: string; path: string }[]> {
  const config = parseConfig({
    ...process.env,
    DIGEST_DATA_DIR: join(root, 'data'),
    DIGEST_OUT_DIR: join(root, 'out'),
    DIGEST_TOKEN_SECRETS: `check:${randomBytes(24).toString('base64url')}`,
  });
  const confirmations: Buffer[] = [];
  // The links in both mails use DIGEST_PUBLIC_URL, as a real send would, not the server's port.
  const dev = await startDevServer({
    config,
    port: 0,
    inMemory: true,
    publicUrl: config.DIGEST_PUBLIC_URL,
    adjust: (deps) => ({
      ...deps,
      sender: {
        sendRaw: (raw, options) => {
          confirmations.push(Buffer.from(raw));
          return deps.sender.sendRaw(raw, options);
        },
        getQuota: () => deps.sender.getQuota(),
      },
    }),
  });
  try {
    const reader = 'reader@example.org';
    const signup = await fetch(`${dev.url}/subscribe`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ email: reader }).toString(),
    });
    if (signup.status !== 202 || confirmations.length !== 1) {
      throw new Error(
        `signup answered ${signup.status} and sent ${confirmations.length} confirmation mail(s)`,
      );
    }
    const { text } = await simpleParser(confirmations[0] as Buffer);
    const link = /(\S+\/confirm\?token=\S+)/.exec(text ?? '')?.[1] ?? '';
    const confirmed = await fetch(`${dev.url}/confirm`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: new URL(link).searchParams.get('token') ?? '' }).toString(),
    });
    if (confirmed.status !== 200) throw new Error(`confirming the subscription answered ${confirmed.status}`);

    const messages = join(config.DIGEST_OUT_DIR, 'check-mail');
    await mkdir(messages, { recursive: true });
    const confirmPath = join(messages, 'confirmation.eml');
    await writeFile(confirmPath, confirmations[0] as Buffer);

    // The main job, as `digest send` runs it (its report kept off the terminal): it writes each
    // message exactly as handed to SES.
    const code = await quietly(() =>
      runLocalSend(dev.ctx, { dryRun: false, includeSent: false, retryUnknown: false, force: false }),
    );
    const [issue] = await dev.ctx.stores.issues.list();
    if (code !== 0 || !issue) throw new Error(`digest send exited ${code}`);
    const sent = join(config.DIGEST_OUT_DIR, issue.issueId, 'messages', `${reader}.eml`);
    const digestPath = join(messages, 'digest.eml');
    await writeFile(digestPath, await readFile(sent));
    return [
      { name: 'confirmation mail', path: confirmPath },
      { name: `digest ${issue.issueId}`, path: digestPath },
    ];
  } finally {
    await dev.close();
  }
}

async function main(): Promise<number> {
  const version = spamassassinVersion();
  if (!version) {
    console.error(installHint());
    return 2;
  }
  const keep = process.env.CHECK_MAIL_KEEP === '1';
  const root = await mkdtemp(join(tmpdir(), 'digest-check-mail-'));
  let failed = 0;
  try {
    const messages = await sendFreshMessages(root);
    console.log(`${version}; each message: ${SPAMASSASSIN} ${ARGS.join(' ')} < message.eml\n`);
    for (const message of messages) {
      const run = spawnSync(SPAMASSASSIN, ARGS, { input: await readFile(message.path), encoding: 'utf8' });
      if (run.error || run.status !== 0) throw run.error ?? new Error(`${SPAMASSASSIN} exited ${run.status}`);
      const { total, hits } = parseReport(run.stdout);
      const content = hits.filter((h) => !(h.rule in LOCAL_ONLY)).reduce((sum, h) => sum + h.points, 0);
      const ok = content <= 0;
      if (!ok) failed++;
      console.log(
        `${ok ? 'ok  ' : 'FAIL'} ${message.name}: ${total.toFixed(1)} points (${content.toFixed(1)} content points; SpamAssassin's spam threshold is 5.0)`,
      );
      for (const hit of hits) {
        const local = LOCAL_ONLY[hit.rule];
        const note = local ? ` [local only: ${local}]` : '';
        console.log(
          `     ${hit.points.toFixed(1).padStart(4)} ${hit.rule.padEnd(24)} ${hit.description}${note}`,
        );
      }
      console.log('');
    }
    if (keep) console.log(`messages kept in ${join(root, 'out', 'check-mail')}`);
    console.log(
      failed === 0
        ? 'Both messages score 0 content points.'
        : `${failed} message(s) score content points: fix what the rules above name.`,
    );
  } finally {
    if (!keep) await rm(root, { recursive: true, force: true });
  }
  return failed === 0 ? 0 : 1;
}

process.exitCode = await main();
