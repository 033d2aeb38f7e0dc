import pLimit from 'p-limit';
import { ARCHIVE_READER, archiveUnsubscribeUrl, publicArchiveHtml } from '../archive/feeds.ts';
import { type LoadedArticles, loadArticles, urlKey } from '../articles/parse.ts';
import { DigestError, errorMessage, NotFoundError, SendingHaltedError } from '../errors.ts';
import type { IssueCounts, IssueRecord } from '../model.ts';
import {
  type ArticleFile,
  type BlobStore,
  type DeliveryStore,
  type IssueStore,
  type MailSender,
  type RateLimiterPort,
  type RecipientLookup,
  SendFailure,
  type SubscriberStore,
} from '../ports.ts';
import {
  type Brand,
  type CompiledIssue,
  compileIssue,
  type DigestView,
  deserializeCompiled,
  personalize,
  serializeCompiled,
  type TemplateSet,
} from '../render/compile.ts';
import { buildMessage } from '../render/mime.ts';
import {
  createDeliverer,
  type Known,
  lookupRecipients,
  type MailSettings,
  type Outcome,
  type RetryPolicy,
  unsubscribeUrl,
} from '../send/deliver.ts';
import type { TokenKey } from '../tokens.ts';
import { digestView, issueIdFor, summarizeArticles } from './build.ts';
import { archiveKey, compiledKey, viewKey } from './keys.ts';

/** Things worth telling a person (CLI) or a log (Lambda) while a run goes on. */
export type RunEvent =
  | { type: 'article-skipped'; file: string; reason: string }
  | { type: 'article-duplicate'; file: string; sameAs: string }
  | { type: 'quote-dropped'; file: string; quote: string; reason: string }
  | { type: 'issue-resumed'; issueId: string; state: string }
  | { type: 'issue-built'; issueId: string; articles: number; htmlBytes: number };

export interface PipelineDeps {
  issues: IssueStore;
  subscribers: SubscriberStore;
  deliveries: DeliveryStore;
  sender: MailSender;
  /** Compiled issues and the public archive. */
  blobs: BlobStore;
  listArticles: () => Promise<ArticleFile[]>;
  loadTemplates: () => Promise<TemplateSet>;
  tokenKeys: TokenKey[];
  settings: MailSettings;
  brand: Brand;
  now?: () => Date;
  onEvent?: (event: RunEvent) => void;
}

export interface PreparedIssue {
  kind: 'ready';
  issue: IssueRecord;
  compiled: CompiledIssue;
  view: DigestView;
  origin: 'new' | 'resumed' | 'rerun';
}

export type Preparation = PreparedIssue | { kind: 'nothing-new'; reason: string };

export interface PrepareOptions {
  issueId?: string | undefined;
  includeSent?: boolean | undefined;
  /** false: build in memory only (dry runs and test sends leave stored state as it was). */
  persist?: boolean | undefined;
}

const UNFINISHED = new Set(['building', 'sending', 'partial']);

export { archiveKey, compiledKey, viewKey } from './keys.ts';

async function loadAndReport(deps: PipelineDeps): Promise<LoadedArticles> {
  const loaded = await loadArticles(await deps.listArticles());
  for (const s of loaded.skipped) deps.onEvent?.({ type: 'article-skipped', ...s });
  for (const d of loaded.duplicates) deps.onEvent?.({ type: 'article-duplicate', ...d });
  return loaded;
}

async function build(
  deps: PipelineDeps,
  loaded: LoadedArticles,
  wanted: (hash: string) => boolean,
  issueId: string | undefined,
): Promise<{ view: DigestView; compiled: CompiledIssue; hashes: string[]; files: string[] } | undefined> {
  const now = deps.now?.() ?? new Date();
  const picked = loaded.articles.filter((a) => wanted(a.hash));
  const summarized = summarizeArticles(picked, (file, quote, reason) =>
    deps.onEvent?.({ type: 'quote-dropped', file, quote: quote.text, reason }),
  );
  for (const s of summarized.skipped) deps.onEvent?.({ type: 'article-skipped', ...s });
  if (summarized.articles.length === 0) return undefined;
  const hashes = summarized.articles.map((a) => a.article.hash);
  const id = issueId ?? issueIdFor(hashes, now);
  const view = digestView(
    id,
    now,
    deps.brand,
    summarized.articles.map((a) => a.summary),
  );
  const compiled = await compileIssue(await deps.loadTemplates(), view, deps.brand);
  deps.onEvent?.({
    type: 'issue-built',
    issueId: id,
    articles: hashes.length,
    htmlBytes: compiled.htmlBytes,
  });
  return { view, compiled, hashes, files: summarized.articles.map((a) => a.article.file) };
}

async function storeCompiled(deps: PipelineDeps, view: DigestView, compiled: CompiledIssue) {
  await deps.blobs.put(compiledKey(compiled.issueId), serializeCompiled(compiled), 'application/json');
  await deps.blobs.put(viewKey(compiled.issueId), JSON.stringify(view), 'application/json');
  // The archive copy carries no recipient: no token, no address; unsubscribing is explained on a page.
  const archive = personalize(compiled, {
    email: ARCHIVE_READER,
    unsubscribeUrl: archiveUnsubscribeUrl(deps.brand),
  });
  await deps.blobs.put(
    archiveKey(compiled.issueId),
    publicArchiveHtml(archive.html, deps.brand),
    'text/html; charset=utf-8',
  );
}

async function loadStored(deps: PipelineDeps, issue: IssueRecord): Promise<PreparedIssue | undefined> {
  const compiledBytes = await deps.blobs.get(compiledKey(issue.issueId));
  const viewBytes = await deps.blobs.get(viewKey(issue.issueId));
  if (!compiledBytes || !viewBytes) return undefined;
  return {
    kind: 'ready',
    issue,
    compiled: deserializeCompiled(Buffer.from(compiledBytes).toString('utf8')),
    view: JSON.parse(Buffer.from(viewBytes).toString('utf8')) as DigestView,
    origin: 'rerun',
  };
}

/** Rebuilds an issue whose stored copy is missing (a crash while `building`), from the same articles only. */
async function rebuild(deps: PipelineDeps, issue: IssueRecord, persist: boolean): Promise<PreparedIssue> {
  const loaded = await loadAndReport(deps);
  const carried = new Set(issue.articleHashes);
  const built = await build(deps, loaded, (h) => carried.has(h), issue.issueId);
  if (!built || built.hashes.length !== carried.size) {
    throw new NotFoundError(
      `issue ${issue.issueId} cannot be rebuilt: some of its articles (${issue.articleFiles.join(', ')}) are gone`,
    );
  }
  if (persist) {
    await storeCompiled(deps, built.view, built.compiled);
    await deps.issues.setState(issue.issueId, 'sending');
  }
  return {
    kind: 'ready',
    issue: { ...issue, state: 'sending' },
    compiled: built.compiled,
    view: built.view,
    origin: 'rerun',
  };
}

/**
 * Decides what this run sends: a given issue (`--issue`), else an unfinished one, else a new issue
 * of the articles no earlier issue carried; with none, nothing, and why.
 */
export async function prepareIssue(deps: PipelineDeps, options: PrepareOptions = {}): Promise<Preparation> {
  const persist = options.persist ?? true;
  // A partial (or building) issue that is sent again goes back to `sending`: the send functions
  // finish only a `sending` issue, so a partial one would otherwise never become `sent`.
  const reopen = async (prepared: PreparedIssue): Promise<PreparedIssue> => {
    const { state, issueId } = prepared.issue;
    if (!persist || state === 'sending' || state === 'sent') return prepared;
    await deps.issues.setState(issueId, 'sending');
    return { ...prepared, issue: { ...prepared.issue, state: 'sending' } };
  };
  if (options.issueId) {
    const issue = await deps.issues.get(options.issueId);
    if (!issue) {
      const known = (await deps.issues.list()).slice(0, 5).map((i) => i.issueId);
      throw new NotFoundError(
        `no issue with id "${options.issueId}"${known.length ? ` (recent issues: ${known.join(', ')})` : ' (no issues yet)'}`,
      );
    }
    return reopen((await loadStored(deps, issue)) ?? (await rebuild(deps, issue, persist)));
  }

  const all = await deps.issues.list();
  const unfinished = [...all].reverse().find((i) => UNFINISHED.has(i.state));
  if (unfinished && !options.includeSent) {
    deps.onEvent?.({ type: 'issue-resumed', issueId: unfinished.issueId, state: unfinished.state });
    const stored = await loadStored(deps, unfinished);
    const prepared = await reopen(stored ?? (await rebuild(deps, unfinished, persist)));
    return { ...prepared, origin: 'resumed' };
  }

  const loaded = await loadAndReport(deps);
  if (loaded.articles.length === 0) {
    const skipped = loaded.skipped.length;
    return {
      kind: 'nothing-new',
      reason: `there are no readable articles${skipped ? ` (${skipped} file(s) skipped as unreadable)` : ''}`,
    };
  }
  const carried = new Set(all.flatMap((i) => i.articleHashes));
  let fresh = options.includeSent ? loaded.articles : loaded.articles.filter((a) => !carried.has(a.hash));
  if (!options.includeSent && fresh.some((a) => a.url)) {
    // An edited copy of an article an earlier issue carried (same front-matter URL) is not news either;
    // the URLs are in each issue's stored view.
    const urls = new Set<string>();
    const read = pLimit(4);
    await Promise.all(
      all.map((i) =>
        read(async () => {
          const bytes = await deps.blobs.get(viewKey(i.issueId));
          if (!bytes) return;
          const view = JSON.parse(Buffer.from(bytes).toString('utf8')) as DigestView;
          for (const a of view.articles) if (a.url) urls.add(urlKey(a.url));
        }),
      ),
    );
    fresh = fresh.filter((a) => !(a.url && urls.has(urlKey(a.url))));
  }
  if (fresh.length === 0) {
    const last = all[0];
    return {
      kind: 'nothing-new',
      reason: `no new articles since issue ${last?.issueId ?? '?'}: all ${loaded.articles.length} article(s) went out already`,
    };
  }
  const freshHashes = new Set(fresh.map((a) => a.hash));
  let built = await build(deps, loaded, (h) => freshHashes.has(h), undefined);
  if (!built) return { kind: 'nothing-new', reason: 'none of the new articles could be summarized' };
  if (all.some((i) => i.issueId === built?.compiled.issueId)) {
    // The same articles again on the same day (--include-sent): a distinct id.
    built = await build(
      deps,
      loaded,
      (h) => freshHashes.has(h),
      `${built.compiled.issueId}-${all.length + 1}`,
    );
    if (!built) return { kind: 'nothing-new', reason: 'none of the new articles could be summarized' };
  }
  const issue: IssueRecord = {
    issueId: built.compiled.issueId,
    createdAt: (deps.now?.() ?? new Date()).toISOString(),
    state: 'building',
    subject: built.compiled.subject,
    articleHashes: built.hashes,
    articleFiles: built.files,
    articleTitles: built.view.articles.map((a) => a.title),
  };
  if (persist) {
    if (!(await deps.issues.create(issue))) {
      throw new DigestError(
        `issue ${issue.issueId} was just created by another run; run again to complete it`,
      );
    }
    await storeCompiled(deps, built.view, built.compiled);
    await deps.issues.setState(issue.issueId, 'sending');
    issue.state = 'sending';
  }
  return { kind: 'ready', issue, compiled: built.compiled, view: built.view, origin: 'new' };
}

export interface SendRunOptions {
  dryRun?: boolean;
  retryUnknown?: boolean;
  concurrency: number;
  limiter: RateLimiterPort;
  retry?: RetryPolicy;
  pageSize?: number;
  onRawMessage?: (email: string, raw: Buffer) => Promise<void>;
  onOutcome?: (email: string, outcome: Outcome) => void;
  /** Why a recipient failed or ended unknown. */
  onNotice?: (email: string, message: string) => void;
  /**
   * Batch reads of recipients just before their turn (see LOOKUP_CHUNK); without it each
   * recipient is read on its own.
   */
  lookup?: RecipientLookup;
}

export interface SendReport extends IssueCounts {
  issueId: string;
  dryRun: number;
  halted?: string | undefined;
  state: IssueRecord['state'];
}

/** Recipients read together right before their turn (BatchGetItem takes up to 100 keys). */
export const LOOKUP_CHUNK = 50;

/**
 * Sends a prepared issue to every confirmed subscriber in process. Pages of addresses come from
 * the status index; each chunk of LOOKUP_CHUNK recipients is read in one batch (subscriber status
 * for the suppression re-check, and this issue's delivery records) just before its turn; at most
 * `concurrency` deliveries run at once and the next chunk is read only when the previous one has
 * been handed out, so memory stays flat however long the list is and no page waits for the
 * slowest recipient of the one before.
 */
export async function sendToSubscribers(
  deps: PipelineDeps,
  prepared: PreparedIssue,
  options: SendRunOptions,
): Promise<SendReport> {
  const deliver = createDeliverer(
    {
      subscribers: deps.subscribers,
      deliveries: deps.deliveries,
      sender: deps.sender,
      tokenKeys: deps.tokenKeys,
      limiter: options.limiter,
      settings: deps.settings,
      ...(options.retry ? { retry: options.retry } : {}),
      ...(options.onRawMessage ? { onRawMessage: options.onRawMessage } : {}),
      ...(options.onNotice ? { onNotice: options.onNotice } : {}),
    },
    prepared.compiled,
  );
  const { issueId } = prepared.issue;
  const report: SendReport = {
    issueId,
    recipients: 0,
    sent: 0,
    skipped: 0,
    suppressed: 0,
    failed: 0,
    unknown: 0,
    dryRun: 0,
    state: prepared.issue.state,
  };
  const deliverOptions: { dryRun: boolean; retryUnknown: boolean; halt?: { reason: string } } = {
    dryRun: options.dryRun ?? false,
    retryUnknown: options.retryUnknown ?? false,
  };
  let haltError: SendFailure | undefined;
  let unexpected: unknown;

  async function one(email: string, known: Known | undefined): Promise<void> {
    let outcome: Outcome;
    try {
      outcome = await deliver(email, deliverOptions, known);
    } catch (error) {
      if (error instanceof SendFailure) {
        // SES paused or the daily quota is used up: nothing more is attempted.
        haltError ??= error;
        deliverOptions.halt = { reason: error.message };
      } else {
        // A store error before the SES call (reading the subscriber, claiming the record):
        // this recipient failed, the run goes on. A claim that landed despite the error
        // leaves `sending`, which the next run reports as unknown rather than resending.
        options.onNotice?.(email, `failed before sending: ${errorMessage(error)}`);
      }
      outcome = 'failed';
    }
    if (outcome === 'halted') return;
    report.recipients++;
    if (outcome === 'dry-run') report.dryRun++;
    else report[outcome]++;
    options.onOutcome?.(email, outcome);
  }

  // A counting gate instead of a queue of closures: at most `concurrency` deliveries at once.
  let active = 0;
  let wake: (() => void) | undefined;
  const waitUntil = async (ok: () => boolean) => {
    while (!ok()) await new Promise<void>((resolve) => (wake = resolve));
  };
  const settle = () => {
    active--;
    const w = wake;
    wake = undefined;
    w?.();
  };

  try {
    pages: for await (const page of deps.subscribers.pagesByStatus('confirmed', options.pageSize)) {
      for (let i = 0; i < page.length; i += LOOKUP_CHUNK) {
        if (deliverOptions.halt) break pages;
        const chunk = page.slice(i, i + LOOKUP_CHUNK);
        let known: Map<string, Known> | undefined;
        if (options.lookup) {
          try {
            known = await lookupRecipients(options.lookup, deps.deliveries, issueId, chunk);
          } catch (error) {
            // The batch read failed: each recipient reads for itself instead.
            options.onNotice?.(
              chunk[0] ?? '',
              `batch read failed, reading one by one: ${errorMessage(error)}`,
            );
          }
        }
        for (const email of chunk) {
          await waitUntil(() => active < options.concurrency);
          if (deliverOptions.halt) break pages;
          active++;
          one(email, known?.get(email))
            .catch((error: unknown) => {
              unexpected ??= error; // only a throwing onOutcome callback gets here
            })
            .finally(settle);
        }
      }
    }
  } finally {
    await waitUntil(() => active === 0);
  }
  if (unexpected) throw unexpected;

  if (!options.dryRun) {
    const complete = !haltError && report.failed === 0 && report.unknown === 0;
    report.state = complete ? 'sent' : 'partial';
    const { dryRun: _d, halted: _h, issueId: _i, state: _s, ...counts } = report;
    await deps.issues.setState(issueId, report.state, counts);
  }
  if (haltError) {
    report.halted = haltError.message;
    throw new SendingHaltedError(
      haltError.kind === 'quota' ? 'quota' : 'paused',
      haltError.kind === 'quota'
        ? `SES daily sending quota is used up: stopped after ${report.sent} sent; the next run resumes this issue (${haltError.message})`
        : `SES sending is paused for this account or configuration set: stopped at once (${haltError.message})`,
      { cause: Object.assign(haltError, { report }) },
    );
  }
  return report;
}

/** A test send of the issue to one address: no delivery record, no issue state, not a subscriber. */
export async function sendTestCopy(
  deps: PipelineDeps,
  prepared: PreparedIssue,
  email: string,
  onRawMessage?: (email: string, raw: Buffer) => Promise<void>,
  dryRun = false,
): Promise<string | undefined> {
  const url = unsubscribeUrl(deps.settings.publicUrl, deps.tokenKeys, email);
  const body = personalize(prepared.compiled, { email, unsubscribeUrl: url });
  const raw = await buildMessage({
    from: deps.settings.from,
    to: email,
    replyTo: deps.settings.replyTo,
    subject: `[TEST] ${prepared.compiled.subject}`,
    html: body.html,
    text: body.text,
    listId: deps.settings.listId,
    listName: deps.settings.listName,
    unsubscribeUrl: url,
    unsubscribeMailto: deps.settings.unsubscribeMailto,
    configurationSet: deps.settings.configurationSet,
  });
  await onRawMessage?.(email, raw);
  if (dryRun) return undefined;
  return deps.sender.sendRaw(raw, {
    tags: { issue: prepared.issue.issueId, subscriber: 'test' },
    configurationSet: deps.settings.configurationSet,
  });
}
