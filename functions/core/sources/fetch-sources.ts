import { randomUUID } from 'node:crypto';
import pLimit from 'p-limit';
import { errorMessage } from '../errors.ts';
import type { ArticleStore, Clock } from '../ports.ts';
import { articleFileName, articleFileText, type ExtractedStory } from './article-file.ts';
import { SourceError } from './errors.ts';
import { type FeedItem, parseFeedText } from './feeds.ts';
import { guidKey, textKey, urlKeyOf } from './identity.ts';
import { storyOfItem } from './item-story.ts';
import { detectKind } from './kind.ts';
import { backoffUntil, requestLimiter } from './limits.ts';
import {
  decodeFingerprint,
  encodeFingerprint,
  type Fingerprint,
  fingerprint,
  StoryIndex,
} from './near-duplicate.ts';
import type {
  Fetcher,
  FetchResponse,
  ItemMemory,
  Source,
  SourceKind,
  SourceStore,
  SourceUpdate,
  StoryPrint,
} from './ports.ts';

/**
 * One fetch run over every source: conditional GETs, feeds and pages to stories, one story once
 * (GUID, canonical URL, text hash, near-duplicate text), stories to article files. A source that
 * fails is reported by name and never stops the others.
 *
 * Order matters for "never twice" and "never lost": articles are written first (their names
 * derive from the story, so a racing run cannot write the same one twice), then the items are
 * remembered, and only then are the source's new validators stored: a crash in between makes the
 * next run fetch the feed in full again rather than get a 304 for items it never wrote.
 */

export interface FetchSourcesDeps {
  sources: SourceStore;
  fetcher: Fetcher;
  articles: ArticleStore;
  clock: Clock;
  onEvent?: (event: FetchEvent) => void;
}

export interface FetchSourcesOptions {
  /** First fetch of a source: only items published since then (default: 7 days back). */
  since?: Date | undefined;
  backlogDays?: number | undefined;
  /** At most this many new items per source and run, newest first (default 5). */
  maxItemsPerSource?: number | undefined;
  /** Requests in flight across all hosts (default 8). */
  concurrency?: number | undefined;
  /** Requests in flight to one host (default 2). */
  perHost?: number | undefined;
  /** Only these sources (ids); default every source. */
  only?: string[] | undefined;
  /** How long a run holds a source (default 10 minutes). */
  leaseMs?: number | undefined;
  /** Near-duplicates are looked for among stories remembered this long (default 14 days). */
  storyMemoryDays?: number | undefined;
  runId?: string | undefined;
}

export type SourceReportStatus = 'new' | 'unchanged' | 'failed' | 'skipped';

export interface SourceReport {
  id: string;
  name: string;
  url: string;
  kind?: SourceKind | undefined;
  status: SourceReportStatus;
  itemsNew: number;
  itemsUnchanged: number;
  /** Stories dropped as the same story as another source's. */
  duplicates: number;
  /** Why it failed or was skipped; item problems for a source that otherwise worked. */
  reason?: string | undefined;
  httpStatus?: number | undefined;
  articles: string[];
}

export interface FetchRunReport {
  runId: string;
  sources: SourceReport[];
  articles: string[];
}

export type FetchEvent =
  | { type: 'source-started'; source: Source; index: number; total: number }
  | { type: 'source-fetched'; report: SourceReport; done: number; total: number }
  | { type: 'item-failed'; source: string; url: string; reason: string };

const FEED_ACCEPT =
  'application/rss+xml, application/atom+xml, application/feed+json, application/rdf+xml;q=0.9, application/xml;q=0.9, text/xml;q=0.9, text/html;q=0.7, */*;q=0.1';
const PAGE_ACCEPT = 'text/html, application/xhtml+xml;q=0.9, */*;q=0.1';
/** A page whose fetch failed this often is given up (reported, and not tried again). */
const MAX_ITEM_ATTEMPTS = 3;
const DAY = 86_400_000;

/** One story found in a source during this run, before the run-wide de-duplication. */
interface Candidate {
  source: Source;
  story: ExtractedStory;
  fp: Fingerprint;
  keys: string[];
}

/** What one source produced, held until every source is done (for cross-source merging). */
interface SourceWork {
  source: Source;
  report: SourceReport;
  candidates: Candidate[];
  /** Items handled without an article (skipped, failed pages), remembered at the end. */
  memories: ItemMemory[];
  update?: SourceUpdate | undefined;
  leased: boolean;
  /** Why items were not taken, with counts (for the report). */
  problems: Map<string, number>;
}

export async function fetchSources(
  deps: FetchSourcesDeps,
  options: FetchSourcesOptions = {},
): Promise<FetchRunReport> {
  const runId = options.runId ?? randomUUID();
  const now = deps.clock();
  const backlogDays = options.backlogDays ?? 7;
  const since = options.since ?? new Date(now.getTime() - backlogDays * DAY);
  const maxItems = options.maxItemsPerSource ?? 5;
  const concurrency = options.concurrency ?? 8;
  const limited = requestLimiter({ global: concurrency, perHost: options.perHost ?? 2 });
  const leaseMs = options.leaseMs ?? 10 * 60_000;

  let sources = await deps.sources.list();
  if (options.only) {
    const only = new Set(options.only);
    sources = sources.filter((s) => only.has(s.id));
  }
  const total = sources.length;
  let done = 0;

  const get = (url: string, extra: { etag?: string; lastModified?: string; accept: string }) =>
    limited(url, () => deps.fetcher.get({ url, ...extra }));

  async function one(source: Source, index: number): Promise<SourceWork> {
    const report: SourceReport = {
      id: source.id,
      name: source.name,
      url: source.url,
      kind: source.kind,
      status: 'unchanged',
      itemsNew: 0,
      itemsUnchanged: 0,
      duplicates: 0,
      articles: [],
    };
    const work: SourceWork = {
      source,
      report,
      candidates: [],
      memories: [],
      leased: false,
      problems: new Map(),
    };
    if (source.nextAttemptAt && Date.parse(source.nextAttemptAt) > now.getTime()) {
      report.status = 'skipped';
      report.reason = `backing off after ${source.consecutiveFailures} failures, next attempt ${source.nextAttemptAt}`;
      return work;
    }
    if (!(await deps.sources.lease(source.id, runId, now, new Date(now.getTime() + leaseMs)))) {
      report.status = 'skipped';
      report.reason = 'another fetch run is fetching this source';
      return work;
    }
    work.leased = true;
    deps.onEvent?.({ type: 'source-started', source, index, total });
    const fail = (reason: string, httpStatus?: number) => {
      report.status = 'failed';
      report.reason = reason;
      report.httpStatus = httpStatus;
      const failures = source.consecutiveFailures + 1;
      work.update = {
        lastFetch: {
          at: now.toISOString(),
          status: 'failed',
          itemsNew: 0,
          itemsUnchanged: 0,
          reason,
          httpStatus,
        },
        consecutiveFailures: failures,
        nextAttemptAt: backoffUntil(now, failures)?.toISOString(),
      };
      return work;
    };
    try {
      const response = await get(source.url, {
        ...(source.etag ? { etag: source.etag } : {}),
        ...(source.lastModified ? { lastModified: source.lastModified } : {}),
        accept: FEED_ACCEPT,
      });
      if (!response.ok) return fail(response.message);
      report.httpStatus = response.status;
      if (response.status === 304) {
        work.update = {
          lastFetch: {
            at: now.toISOString(),
            status: 'unchanged',
            itemsNew: 0,
            itemsUnchanged: 0,
            httpStatus: 304,
          },
          consecutiveFailures: 0,
        };
        return work;
      }
      if (response.status < 200 || response.status > 299)
        return fail(`HTTP ${response.status}`, response.status);
      const kind = detectKind(response.contentType, response.body);
      report.kind = kind;
      await collect(source, kind, response, work);
      if (work.problems.size > 0) {
        report.reason = [...work.problems].map(([why, n]) => `${n} item(s) not taken: ${why}`).join('; ');
      }
      work.update = {
        lastFetch: {
          at: now.toISOString(),
          status: work.candidates.length > 0 ? 'new' : 'unchanged',
          itemsNew: 0, // set once the articles are written
          itemsUnchanged: report.itemsUnchanged,
          reason: report.reason,
          httpStatus: response.status,
        },
        consecutiveFailures: 0,
        kind,
        validators: { etag: response.headers.etag, lastModified: response.headers['last-modified'] },
        firstFetchedAt: source.firstFetchedAt ?? now.toISOString(),
      };
      return work;
    } catch (error) {
      // A feed we cannot read is this source's failure; anything else is too, but named plainly.
      return fail(error instanceof SourceError ? error.message : `unexpected error: ${errorMessage(error)}`);
    }
  }

  /** Items of a feed (or the page itself) → candidate stories, skipping what is already known. */
  async function collect(source: Source, kind: SourceKind, response: FetchResponse, work: SourceWork) {
    const { report } = work;
    let items: FeedItem[];
    if (kind === 'html') {
      items = [{ title: '', url: response.url, paragraphs: [], fullText: false, position: 0 }];
    } else {
      items = parseFeedText(kind, response.body, response.url, now).items;
    }
    const keysOf = (item: FeedItem) => [
      ...(item.guid ? [guidKey(source.id, item.guid)] : []),
      ...(item.url ? [urlKeyOf(item.url)] : []),
    ];
    const known = await deps.sources.recall(items.flatMap(keysOf));
    const isKnown = (keys: string[]) =>
      keys.some((k) => {
        const m = known.get(k);
        return m !== undefined && !(m.outcome === 'failed' && (m.attempts ?? 0) < MAX_ITEM_ATTEMPTS);
      });
    const attemptsOf = (keys: string[]) => Math.max(0, ...keys.map((k) => known.get(k)?.attempts ?? 0));
    // Until a source's first successful fetch, only the backlog window counts.
    const floor = source.firstFetchedAt
      ? new Date(Date.parse(source.firstFetchedAt) - backlogDays * DAY)
      : since;
    const fresh: FeedItem[] = [];
    for (const item of items) {
      const keys = keysOf(item);
      if (keys.length === 0 && item.paragraphs.length === 0) continue; // nothing to know it by
      if (isKnown(keys)) {
        report.itemsUnchanged++;
        continue;
      }
      if (item.published && Date.parse(item.published) < floor.getTime()) {
        work.memories.push({ keys, sourceId: source.id, outcome: 'skipped', at: now.toISOString() });
        continue;
      }
      fresh.push(item);
    }
    // Newest first. An undated item takes the date of the nearest dated item above it in the
    // feed (feeds list newest first), or now when it is at the top.
    const sortDate = new Map<number, number>();
    let above = now.getTime();
    for (const item of items) {
      if (item.published) above = Date.parse(item.published);
      sortDate.set(item.position, above);
    }
    const at = (i: FeedItem) => sortDate.get(i.position) ?? now.getTime();
    fresh.sort((a, b) => at(b) - at(a) || a.position - b.position);
    // Beyond the cap: remembered as skipped, so they do not come back as "new" next time.
    for (const item of fresh.slice(maxItems)) {
      work.memories.push({
        keys: keysOf(item),
        sourceId: source.id,
        outcome: 'skipped',
        at: now.toISOString(),
      });
    }
    for (const item of fresh.slice(0, maxItems)) {
      const keys = keysOf(item);
      const story = await storyOfItem({
        source,
        kind,
        item,
        response,
        now,
        getPage: (url) => get(url, { accept: PAGE_ACCEPT }),
      });
      if ('failed' in story) {
        const attempts = attemptsOf(keys) + 1;
        work.memories.push({
          keys: keys.length > 0 ? keys : [`x:${source.id}:${item.position}`],
          sourceId: source.id,
          outcome: attempts >= MAX_ITEM_ATTEMPTS || story.permanent ? 'skipped' : 'failed',
          attempts,
          at: now.toISOString(),
        });
        work.problems.set(story.failed, (work.problems.get(story.failed) ?? 0) + 1);
        deps.onEvent?.({
          type: 'item-failed',
          source: source.name,
          url: item.url ?? source.url,
          reason: story.failed,
        });
        continue;
      }
      const allKeys = [...new Set([...keys, urlKeyOf(story.url), textKey(story.paragraphs)])];
      work.candidates.push({
        source,
        story,
        fp: fingerprint(story.paragraphs.join('\n')),
        keys: allKeys,
      });
    }
  }

  // Twice the request bound: a source waiting on its lease (a store call) does not leave a
  // request slot idle; the requests themselves stay bounded by `limited`.
  const pool = pLimit(concurrency * 2);
  const works = await Promise.all(
    sources.map((source, index) =>
      pool(async () => {
        const work = await one(source, index);
        done++;
        deps.onEvent?.({ type: 'source-fetched', report: work.report, done, total });
        return work;
      }),
    ),
  );

  // ── Run-wide: one story once, then write, remember, record ──────────────────────────────
  const candidates = works.flatMap((w) => w.candidates);
  const textKnown = await deps.sources.recall([...new Set(candidates.flatMap((c) => c.keys))]);
  const index = new StoryIndex<{ article?: string; candidate?: Candidate }>();
  const memoryDays = options.storyMemoryDays ?? 14;
  for (const print of await deps.sources.recentStories(new Date(now.getTime() - memoryDays * DAY))) {
    const fp = decodeFingerprint(print.signature);
    if (fp) index.add(fp, { article: print.article });
  }
  const byWork = new Map(works.map((w) => [w.source.id, w]));
  const kept: Candidate[] = [];
  for (const c of candidates) {
    const work = byWork.get(c.source.id) as SourceWork;
    const knownAs = c.keys.map((k) => textKnown.get(k)).find((m) => m && m.outcome !== 'failed');
    if (knownAs) {
      // The same URL or text from another source, handled already.
      work.report.itemsUnchanged++;
      work.memories.push({
        keys: c.keys,
        sourceId: c.source.id,
        outcome: 'duplicate',
        article: knownAs.article,
        at: now.toISOString(),
      });
      continue;
    }
    const earlier = index.add(c.fp, { candidate: c });
    if (!earlier) {
      kept.push(c);
      continue;
    }
    work.report.duplicates++;
    if (earlier.candidate && earlier.candidate.source.id !== c.source.id) {
      earlier.candidate.story.also ??= [];
      const also = earlier.candidate.story.also;
      if (!also.some((a) => a.source === c.story.source))
        also.push({ source: c.story.source, url: c.story.url });
    }
    work.memories.push({
      keys: c.keys,
      sourceId: c.source.id,
      outcome: 'duplicate',
      article: earlier.article ?? (earlier.candidate ? articleFileName(earlier.candidate.story) : undefined),
      at: now.toISOString(),
    });
  }

  const written: string[] = [];
  const prints: StoryPrint[] = [];
  for (const c of kept) {
    const work = byWork.get(c.source.id) as SourceWork;
    const name = articleFileName(c.story);
    try {
      const added = await deps.articles.addNew(name, new TextEncoder().encode(articleFileText(c.story)));
      work.memories.push({
        keys: c.keys,
        sourceId: c.source.id,
        outcome: 'article',
        article: name,
        at: now.toISOString(),
      });
      if (!added) {
        work.report.itemsUnchanged++; // another run wrote it a moment ago
        continue;
      }
      written.push(name);
      work.report.articles.push(name);
      work.report.itemsNew++;
      prints.push({
        article: name,
        source: c.story.source,
        url: c.story.url,
        title: c.story.title,
        signature: encodeFingerprint(c.fp),
        at: now.toISOString(),
      });
    } catch (error) {
      work.report.reason = `could not store an article: ${errorMessage(error)}`;
      work.update = undefined; // keep the old validators: the next run must see these items again
      work.report.status = 'failed';
    }
  }
  await deps.sources.rememberStories(prints);
  await deps.sources.remember(works.flatMap((w) => w.memories));

  const store = pLimit(concurrency);
  const recordOne = async (work: SourceWork) => {
    const { report } = work;
    if (report.status !== 'failed' && report.status !== 'skipped')
      report.status = report.itemsNew > 0 ? 'new' : 'unchanged';
    if (!work.leased) return;
    const update: SourceUpdate = work.update ?? {
      lastFetch: {
        at: now.toISOString(),
        status: 'failed',
        itemsNew: report.itemsNew,
        itemsUnchanged: report.itemsUnchanged,
        reason: report.reason,
      },
      consecutiveFailures: work.source.consecutiveFailures + 1,
    };
    if (update.lastFetch.status !== 'failed') {
      update.lastFetch = {
        ...update.lastFetch,
        status: report.status === 'new' ? 'new' : 'unchanged',
        itemsNew: report.itemsNew,
        itemsUnchanged: report.itemsUnchanged,
      };
    }
    if (!(await deps.sources.record(work.source.id, runId, update))) {
      report.reason = [report.reason, 'the lease expired before the result was stored']
        .filter(Boolean)
        .join('; ');
    }
  };
  await Promise.all(works.map((work) => store(() => recordOne(work))));
  return { runId, sources: works.map((w) => w.report), articles: written };
}
