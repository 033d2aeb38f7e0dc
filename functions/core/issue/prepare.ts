import { type LoadedArticles, loadArticles } from '../articles/load.ts';
import { carriedIndex, freshArticles } from '../articles/news.ts';
import type { Article } from '../articles/parse.ts';
import { DigestError, NotFoundError, ValidationError } from '../errors.ts';
import type { IssueRecord } from '../model.ts';
import type { ArticleStore, BlobStore, Clock, IssueStore } from '../ports.ts';
import { type Brand, compileIssue, type DigestView, type TemplateSet } from '../render/compile.ts';
import type { CompiledIssue } from '../render/personalize.ts';
import { digestView, issueIdFor, summarizeArticles } from './build.ts';
import { chooseForIssue } from './choose.ts';
import type { RunEvent } from './events.ts';
import { issueIdProblem } from './keys.ts';
import { loadIssueDocuments, storeIssueDocuments } from './stored.ts';

/** What choosing and preparing an issue needs. */
export interface PrepareDeps {
  issues: IssueStore;
  /** Compiled issues, their views and the public archive. */
  blobs: BlobStore;
  articles: ArticleStore;
  loadTemplates: () => Promise<TemplateSet>;
  brand: Brand;
  now?: Clock | undefined;
  onEvent?: ((event: RunEvent) => void) | undefined;
  /** At most this many articles in one new issue, newest first; the rest wait for the next one. */
  maxArticlesPerIssue?: number | undefined;
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

async function loadStored(blobs: BlobStore, issue: IssueRecord): Promise<PreparedIssue | undefined> {
  const stored = await loadIssueDocuments(blobs, issue);
  return stored ? { kind: 'ready', issue, ...stored, origin: 'rerun' } : undefined;
}

async function loadAndReport(deps: PrepareDeps): Promise<LoadedArticles> {
  const loaded = await loadArticles(await deps.articles.list());
  for (const s of loaded.skipped) deps.onEvent?.({ type: 'article-skipped', ...s });
  for (const w of loaded.warnings) deps.onEvent?.({ type: 'article-warning', ...w });
  for (const d of loaded.duplicates) deps.onEvent?.({ type: 'article-duplicate', ...d });
  return loaded;
}

async function build(
  deps: PrepareDeps,
  picked: Article[],
  issueId: string | undefined,
): Promise<{ view: DigestView; compiled: CompiledIssue; hashes: string[]; files: string[] } | undefined> {
  const now = deps.now?.() ?? new Date();
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

/** Rebuilds an issue whose stored copy is missing (a crash while `building`), from the same articles only. */
async function rebuild(deps: PrepareDeps, issue: IssueRecord, persist: boolean): Promise<PreparedIssue> {
  const loaded = await loadAndReport(deps);
  const carried = new Set(issue.articleHashes);
  const built = await build(
    deps,
    chooseForIssue(loaded.articles.filter((a) => carried.has(a.hash))),
    issue.issueId,
  );
  if (!built || built.hashes.length !== carried.size) {
    throw new NotFoundError(
      `issue ${issue.issueId} cannot be rebuilt: some of its articles (${issue.articleFiles.join(', ')}) are gone`,
    );
  }
  if (persist) {
    await storeIssueDocuments(deps.blobs, deps.brand, built.view, built.compiled);
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
export async function prepareIssue(deps: PrepareDeps, options: PrepareOptions = {}): Promise<Preparation> {
  const persist = options.persist ?? true;
  // A partial (or building) issue that is sent again goes back to `sending`: the send functions
  // finish only a `sending` issue, so a partial one would otherwise never become `sent`.
  const reopen = async (prepared: PreparedIssue): Promise<PreparedIssue> => {
    const { state, issueId } = prepared.issue;
    if (!persist || state === 'sending' || state === 'sent') return prepared;
    await deps.issues.setState(issueId, 'sending');
    return { ...prepared, issue: { ...prepared.issue, state: 'sending' } };
  };
  if (options.issueId !== undefined) {
    // An empty or malformed id is a mistake, never "no id": it must not build a new issue.
    const problem = issueIdProblem(options.issueId);
    if (problem) throw new ValidationError(`issue id ${problem}`);
    const issue = await deps.issues.get(options.issueId);
    if (!issue) {
      const known = (await deps.issues.list()).slice(0, 5).map((i) => i.issueId);
      throw new NotFoundError(
        `no issue with id "${options.issueId}"${known.length ? ` (recent issues: ${known.join(', ')})` : ' (no issues yet)'}`,
      );
    }
    return reopen((await loadStored(deps.blobs, issue)) ?? (await rebuild(deps, issue, persist)));
  }

  const all = await deps.issues.list();
  const unfinished = [...all].reverse().find((i) => UNFINISHED.has(i.state));
  if (unfinished && !options.includeSent) {
    deps.onEvent?.({ type: 'issue-resumed', issueId: unfinished.issueId, state: unfinished.state });
    const stored = await loadStored(deps.blobs, unfinished);
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
  const fresh = options.includeSent
    ? loaded.articles
    : freshArticles(loaded.articles, await carriedIndex(all, deps.blobs));
  if (fresh.length === 0) {
    const last = all[0];
    return {
      kind: 'nothing-new',
      reason: `no new articles since issue ${last?.issueId ?? '?'}: all ${loaded.articles.length} article(s) went out already`,
    };
  }
  const chosen = chooseForIssue(fresh, deps.maxArticlesPerIssue);
  let built = await build(deps, chosen, undefined);
  if (!built) return { kind: 'nothing-new', reason: 'none of the new articles could be summarized' };
  if (all.some((i) => i.issueId === built?.compiled.issueId)) {
    // The same articles again on the same day (--include-sent): a distinct id.
    built = await build(deps, chosen, `${built.compiled.issueId}-${all.length + 1}`);
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
    await storeIssueDocuments(deps.blobs, deps.brand, built.view, built.compiled);
    await deps.issues.setState(issue.issueId, 'sending');
    issue.state = 'sending';
  }
  return { kind: 'ready', issue, compiled: built.compiled, view: built.view, origin: 'new' };
}
