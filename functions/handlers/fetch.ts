import { logger, withLogContext } from '../adapters/logger.ts';
import { fetchSources } from '../core/sources/fetch-sources.ts';
import { type Runtime, runtime } from '../wiring/runtime.ts';

/** What the fetch schedule passes (`{ source: 'schedule' }`); nothing in it is needed. */
export type FetchEvent = Record<string, unknown>;

export interface FetchResult {
  sources: number;
  articles: number;
  failed: { name: string; reason: string }[];
  message: string;
}

/**
 * The fetch function, on its own schedule: fetches every source into the bucket's articles/
 * and updates the sources table. A failing source is logged by name and never fails the run;
 * the digest function (on its schedule) then finds the new articles where it always looks.
 */
export function makeFetchHandler(rt: Runtime) {
  return async (_event: FetchEvent = {}): Promise<FetchResult> => {
    const report = await fetchSources(
      rt.fetchDeps((e) => {
        if (e.type === 'source-fetched')
          logger.info('source fetched', { ...e.report, articles: e.report.articles.length });
        else if (e.type === 'item-failed') logger.warn('item not taken', { ...e });
      }),
      rt.fetchOptions,
    );
    const failed = report.sources
      .filter((s) => s.status === 'failed')
      .map((s) => ({ name: s.name, reason: s.reason ?? 'failed' }));
    for (const f of failed) logger.warn('source failed', f);
    const message = `${report.sources.length} source(s) fetched: ${report.articles.length} new article(s), ${failed.length} failed`;
    logger.info('fetch run', {
      runId: report.runId,
      sources: report.sources.length,
      articles: report.articles.length,
      failed: failed.length,
    });
    return { sources: report.sources.length, articles: report.articles.length, failed, message };
  };
}

let handle: ((event: FetchEvent) => Promise<FetchResult>) | undefined;
export const handler = withLogContext(async (event: FetchEvent): Promise<FetchResult> => {
  handle ??= makeFetchHandler(runtime());
  return handle(event ?? {});
});
