import { relative } from 'node:path';
import { defineCommand } from 'citty';
import { fetchSources } from '../../core/sources/fetch-sources.ts';
import type { LocalContext } from '../../local/context.ts';
import { withLocalContext } from '../context.ts';
import { rejectUnknownFlags } from '../errors.ts';
import { out } from '../output.ts';
import { fetchProgress, parseSince, printFetchReport } from '../sources-output.ts';

const usage = 'digest fetch [--since DATE|36h|3d]';

export default defineCommand({
  meta: { name: 'fetch', description: 'Fetch every source now and report what each brought' },
  args: {
    since: { type: 'string', description: "a source's first fetch takes items since then (default: 7 days)" },
  },
  async run({ args, rawArgs }) {
    rejectUnknownFlags(rawArgs, ['since'], usage);
    const since = parseSince(args.since, new Date(), usage);
    process.exitCode = await withLocalContext(async (ctx) => {
      const report = await runFetch(ctx, since);
      if (!report) noSourcesNote();
      // Failing sources are reported above; the command fails only when every source did.
      return report && report.failed === report.total ? 1 : 0;
    });
  },
});

/** The fetch run as `digest fetch` and `digest send` show it; undefined when there are no sources. */
export async function runFetch(ctx: LocalContext, since: Date | undefined) {
  const { runtime } = ctx;
  const sources = await runtime.stores.sources.list();
  if (sources.length === 0) {
    return undefined;
  }
  const progress = fetchProgress();
  let report: Awaited<ReturnType<typeof fetchSources>>;
  try {
    report = await fetchSources(runtime.fetchDeps(progress.onEvent), { ...runtime.fetchOptions, since });
  } finally {
    progress.stop();
  }
  const where = runtime.fetchedArticles.where;
  printFetchReport(
    report,
    await runtime.stores.sources.list(),
    `${relative(process.cwd(), where) || where}/`,
  );
  return { total: report.sources.length, failed: report.sources.filter((s) => s.status === 'failed').length };
}

export function noSourcesNote(): void {
  out('No sources to fetch. Add one with `digest sources add URL`.');
}
