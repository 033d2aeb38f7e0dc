import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { defineCommand } from 'citty';
import { issueIdProblem } from '../../core/issue/keys.ts';
import { personalize } from '../../core/render/personalize.ts';
import { sendToSubscribers } from '../../core/send/fan-out.ts';
import { formatDuration } from '../../core/send/plan.ts';
import { planAndPrepare } from '../../core/send/plan-and-prepare.ts';
import { makeLimiter } from '../../core/send/rate-limiter.ts';
import { sendTestCopy } from '../../core/send/test-copy.ts';
import { normalizeAddress } from '../../core/subscribers/address.ts';
import { dedupeSubscribers } from '../../core/subscribers/dedupe.ts';
import { type LocalContext, outDirFor } from '../../local/context.ts';
import { withLocalContext } from '../context.ts';
import { CliUsageError, rejectUnknownFlags } from '../errors.ts';
import { describeDedupe, note, out, printSummary, sendProgress } from '../output.ts';
import { parseSince } from '../sources-output.ts';
import { runFetch } from './fetch.ts';

const usage =
  'digest send [--no-fetch] [--since DATE|36h|3d] [--dry-run] [--to ADDRESS] [--issue ID] [--include-sent] [--retry-unknown] [--force] [--remote [--stage NAME]]';

export const DEMO_SUBSCRIBER = 'demo@example.com';

const MAX_NOTICES = 20;

const emlName = (email: string) => `${email.replace(/[^A-Za-z0-9@._-]/g, '_')}.eml`;

async function addDemoSubscriberIfEmpty(ctx: LocalContext): Promise<void> {
  if (!ctx.engines.started.includes('dynalite') || !(await ctx.stores.subscribers.isEmpty())) return;
  const now = new Date().toISOString();
  await ctx.stores.subscribers.create({
    email: DEMO_SUBSCRIBER,
    id: randomUUID(),
    status: 'confirmed',
    createdAt: now,
    updatedAt: now,
    consent: {
      source: 'cli',
      subscribedAt: now,
      confirmedAt: now,
      note: 'demo subscriber added on first run',
    },
  });
  note(`The local subscriber list was empty: added the demo subscriber ${DEMO_SUBSCRIBER}.`);
}

export default defineCommand({
  meta: { name: 'send', description: 'Build the next issue and send it to every confirmed subscriber' },
  args: {
    fetch: {
      type: 'boolean',
      default: true,
      description: 'fetch every source first (--no-fetch: send from the articles already there)',
    },
    since: { type: 'string', description: "with fetching: a source's first fetch takes items since then" },
    'dry-run': { type: 'boolean', description: 'do everything except the SES call; change nothing stored' },
    to: { type: 'string', description: 'send a test copy to this address only' },
    issue: { type: 'string', description: 're-run (complete) this issue; never adds new articles' },
    'include-sent': { type: 'boolean', description: 'build an issue from all articles, sent ones too' },
    'retry-unknown': {
      type: 'boolean',
      description: 'resend recipients whose earlier send had an unknown result',
    },
    force: { type: 'boolean', description: 'send even if the SES daily quota looks too small' },
    remote: {
      type: 'boolean',
      description: 'invoke the deployed digest function instead of running locally',
    },
    stage: { type: 'string', description: 'stage of the deployed stack (with --remote)', default: 'dev' },
  },
  async run({ args, rawArgs }) {
    rejectUnknownFlags(
      rawArgs,
      [
        'fetch',
        'since',
        'dry-run',
        'to',
        'issue',
        'include-sent',
        'retry-unknown',
        'force',
        'remote',
        'stage',
      ],
      usage,
    );
    const to = args.to !== undefined ? normalizeAddressArg(args.to) : undefined;
    // Checked before anything is opened or built: '' or a 2,000-character id is a typo, not "none".
    const issueProblem = args.issue !== undefined ? issueIdProblem(args.issue) : undefined;
    if (issueProblem) throw new CliUsageError(`--issue ${issueProblem}`, usage);
    if (args.issue !== undefined && args['include-sent']) {
      throw new CliUsageError(
        '--issue re-runs an existing issue; it cannot be combined with --include-sent',
        usage,
      );
    }
    if (args.remote) {
      const { runRemote } = await import('./send-remote.ts');
      process.exitCode = await runRemote({
        stage: args.stage,
        payload: {
          dryRun: args['dry-run'] ?? false,
          ...(to ? { to } : {}),
          ...(args.issue !== undefined ? { issueId: args.issue } : {}),
          retryUnknown: args['retry-unknown'] ?? false,
          force: args.force ?? false,
        },
      });
      return;
    }
    const since = parseSince(args.since, new Date(), usage);
    process.exitCode = await withLocalContext((ctx) =>
      runLocalSend(ctx, {
        // A dry run changes nothing stored and --issue never adds articles: neither fetches.
        fetch: args.fetch !== false && !args['dry-run'] && args.issue === undefined,
        since,
        dryRun: args['dry-run'] ?? false,
        to,
        issueId: args.issue,
        includeSent: args['include-sent'] ?? false,
        retryUnknown: args['retry-unknown'] ?? false,
        force: args.force ?? false,
      }),
    );
  },
});

function normalizeAddressArg(value: string): string {
  try {
    return normalizeAddress(value);
  } catch (error) {
    throw new CliUsageError(`--to: ${(error as Error).message}`, usage);
  }
}

export interface LocalSendOptions {
  /** Fetch every source first (the scheduled run does the same, in its own function on AWS). */
  fetch?: boolean | undefined;
  since?: Date | undefined;
  dryRun: boolean;
  to?: string | undefined;
  issueId?: string | undefined;
  includeSent: boolean;
  retryUnknown: boolean;
  force: boolean;
}

/** The main job, locally: returns the process exit code. */
export async function runLocalSend(ctx: LocalContext, options: LocalSendOptions): Promise<number> {
  const { deps, config } = ctx;
  const persist = !options.dryRun && !options.to;
  if (persist) {
    // One mailbox, one message: records an older version stored per spelling are merged first.
    const report = await dedupeSubscribers(ctx.runtime.dedupeDeps);
    if (report.scanned > 0) for (const line of describeDedupe(report)) note(line);
  }
  await addDemoSubscriberIfEmpty(ctx);
  if (options.fetch) {
    // A source that fails is reported and the send goes on with what there is.
    if (await runFetch(ctx, options.since)) out('');
  }
  const start = await planAndPrepare(deps, options, {
    quota: ctx.runtime.sendQuota,
    configuredRate: config.DIGEST_SEND_RATE,
  });
  if (start.kind === 'nothing-new') {
    out(`Nothing to send: ${start.reason}. 0 messages sent.`);
    out(
      '(Add an article to seeds/ or a source with `digest sources add URL`, or re-send an issue to new subscribers with `digest send --issue ID`.)',
    );
    return 0;
  }
  const { prepared } = start;
  const { issue, view, compiled } = prepared;
  out(`Issue ${issue.issueId} (${prepared.origin}): ${view.articles.length} article(s)`);
  out(`Subject: ${compiled.subject}`);
  out('');
  view.articles.forEach((article, i) => {
    printSummary(article, `${i + 1}. `.padStart(4));
    out('');
  });

  const dir = outDirFor(config, issue.issueId);
  const messagesDir = join(dir, 'messages');
  await mkdir(messagesDir, { recursive: true });
  const preview = personalize(compiled, {
    email: 'subscriber@example.com',
    unsubscribeUrl: `${deps.brand.publicUrl}/`,
  });
  await writeFile(join(dir, 'digest.html'), preview.html);
  await writeFile(join(dir, 'digest.txt'), preview.text);
  out(
    `Rendered: ${relative(process.cwd(), join(dir, 'digest.html'))} (${(compiled.htmlBytes / 1024).toFixed(1)} KB)`,
  );
  // The first few paths are listed at the end; a long list is summed up by its folder.
  const LISTED = 10;
  const written: string[] = [];
  const writeEml = async (email: string, raw: Buffer) => {
    const path = join(messagesDir, emlName(email));
    await writeFile(path, raw);
    if (written.length <= LISTED) written.push(path);
  };

  if (start.kind === 'test-copy') {
    const messageId = await sendTestCopy(deps, prepared, start.to, writeEml, options.dryRun);
    out(
      options.dryRun
        ? `Dry run: test copy for ${start.to} written, not sent.`
        : `Sent a test copy to ${start.to} (SES message id ${messageId}).`,
    );
    out(`Message: ${relative(process.cwd(), join(messagesDir, emlName(start.to)))}`);
    return 0;
  }
  const { plan } = start;
  out(
    `Plan: ${plan.recipients} confirmed recipient(s) at ${plan.rate} msg/s, ETA ${formatDuration(plan.etaSeconds)}; ` +
      `SES quota left today: ${plan.remainingQuota}` +
      (plan.refusal ? ' (not enough with 10% headroom: sending anyway, --force)' : ''),
  );
  const progress = sendProgress(plan.recipients);
  // Why recipients failed or ended unknown: kept (a few) and shown after the progress bar.
  const notices: string[] = [];
  let moreNotices = 0;
  const onNotice = (email: string, message: string) => {
    if (notices.length < MAX_NOTICES) notices.push(`  ${email}: ${message}`);
    else moreNotices++;
  };
  let report: Awaited<ReturnType<typeof sendToSubscribers>>;
  try {
    report = await sendToSubscribers(deps, prepared, {
      dryRun: options.dryRun,
      retryUnknown: options.retryUnknown,
      concurrency: config.DIGEST_SEND_CONCURRENCY,
      limiter: makeLimiter(plan.rate),
      lookup: ctx.stores.recipients,
      ...(options.dryRun ? {} : { onRawMessage: writeEml }),
      onOutcome: (_email, outcome) => progress.tick(outcome),
      onNotice,
    });
  } finally {
    progress.stop();
    if (notices.length > 0) {
      note(notices.join('\n'));
      if (moreNotices > 0) note(`  … and ${moreNotices} more`);
    }
  }
  out('');
  if (options.dryRun) {
    out(
      `Dry run: ${report.dryRun} message(s) built, none sent; ${report.skipped} already sent, ${report.suppressed} suppressed.`,
    );
    return 0;
  }
  out(
    `Sent ${report.sent} message(s); skipped ${report.skipped} already sent; ${report.suppressed} suppressed; ` +
      `${report.failed} failed; ${report.unknown} unknown. Issue state: ${report.state}.`,
  );
  if (report.sent === 0 && report.skipped > 0 && report.failed === 0 && report.unknown === 0) {
    out('Every confirmed subscriber already had this issue: nothing was sent again.');
  }
  if (report.sent > 0)
    out(`Messages (.eml, exactly as handed to SES): ${relative(process.cwd(), messagesDir)}/`);
  if (written.length <= LISTED) for (const path of written) out(`  ${relative(process.cwd(), path)}`);
  if (report.unknown > 0) {
    note(
      `${report.unknown} recipient(s) have an unknown result (an earlier send crashed or timed out). ` +
        `They were not resent, to avoid duplicates; check, then run \`digest send --issue ${report.issueId} --retry-unknown\`.`,
    );
  }
  if (report.failed > 0)
    note(
      `${report.failed} recipient(s) failed; re-run \`digest send --issue ${report.issueId}\` to retry them.`,
    );
  return report.failed > 0 || report.unknown > 0 ? 1 : 0;
}
