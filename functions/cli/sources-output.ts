import { SingleBar } from 'cli-progress';
import type { FetchEvent, FetchRunReport, SourceReport } from '../core/sources/fetch-sources.ts';
import type { Source } from '../core/sources/ports.ts';
import { CliUsageError } from './errors.ts';
import { note, out } from './output.ts';

/** How the sources commands and `digest send` show fetch runs and sources. */

const minute = (iso: string) => `${iso.slice(0, 16).replace('T', ' ')} UTC`;

/** `--since`: a date (2026-11-24), a time, or a duration back from now (36h, 3d). */
export function parseSince(value: string | undefined, now: Date, usage: string): Date | undefined {
  if (value === undefined) return undefined;
  const duration = /^(\d+(?:\.\d+)?)\s*(h|d)$/i.exec(value.trim());
  if (duration) {
    const hours = Number(duration[1]) * ((duration[2] as string).toLowerCase() === 'd' ? 24 : 1);
    return new Date(now.getTime() - hours * 3_600_000);
  }
  const ms = Date.parse(value);
  if (Number.isNaN(ms))
    throw new CliUsageError(`--since: "${value}" is not a date (2026-11-24) or a duration (36h, 3d)`, usage);
  return new Date(ms);
}

/** Progress on stderr: a bar on a terminal, a line every few seconds otherwise. */
export function fetchProgress() {
  const tty = Boolean(process.stderr.isTTY) && !process.env.CI;
  let bar: SingleBar | undefined;
  let last = 0;
  return {
    onEvent(event: FetchEvent) {
      if (event.type === 'item-failed') return;
      if (event.type === 'source-started') {
        if (tty && !bar && event.total > 1) {
          bar = new SingleBar({
            stream: process.stderr,
            format: ' fetching {bar} {value}/{total} sources | {name}',
            hideCursor: true,
            barsize: 24,
          });
          bar.start(event.total, 0, { name: '' });
        }
        return;
      }
      if (bar) bar.update(event.done, { name: event.report.name });
      else if (event.total > 3 && (Date.now() - last > 2000 || event.done === event.total)) {
        last = Date.now();
        note(
          `  fetched ${event.done}/${event.total} sources (last: ${event.report.name}, ${event.report.status})`,
        );
      }
    },
    stop() {
      bar?.stop();
    },
  };
}

function line(r: SourceReport, source: Source | undefined): string {
  const name = r.name.padEnd(22);
  const counts = `${r.itemsNew} new, ${r.itemsUnchanged} unchanged${r.duplicates ? `, ${r.duplicates} same story as another source's` : ''}`;
  switch (r.status) {
    case 'failed': {
      const failures = source?.consecutiveFailures ?? 0;
      const next = source?.nextAttemptAt ? `; next attempt after ${minute(source.nextAttemptAt)}` : '';
      return `  failed     ${name} ${r.reason ?? 'failed'} (${failures} failure(s) in a row${next})`;
    }
    case 'skipped':
      return `  skipped    ${name} ${r.reason ?? ''}`;
    default:
      return `  ${r.status.padEnd(10)} ${name} ${counts}${r.httpStatus === 304 ? ' (304 not modified)' : ''}${r.reason ? `; ${r.reason}` : ''}`;
  }
}

/** The run, one line per source; `sources` (read after the run) adds failure counts and backoff. */
export function printFetchReport(report: FetchRunReport, sources: Source[], where: string): void {
  const byId = new Map(sources.map((s) => [s.id, s]));
  const count = (status: SourceReport['status']) => report.sources.filter((s) => s.status === status).length;
  out(
    `Fetched ${report.sources.length} source(s): ${report.articles.length} new article(s); ` +
      `${count('new')} with news, ${count('unchanged')} unchanged, ${count('failed')} failed` +
      `${count('skipped') ? `, ${count('skipped')} skipped` : ''}.`,
  );
  for (const r of report.sources) out(line(r, byId.get(r.id)));
  if (report.articles.length > 0) out(`New articles in ${where}`);
}

export function printSources(sources: Source[]): void {
  if (sources.length === 0) {
    out('No sources yet. Add one with `digest sources add URL [--name NAME] [--section NAME]`.');
    return;
  }
  const rows = sources.map((s) => ({
    name: s.name,
    kind: s.kind,
    section: s.section ?? '',
    when: s.lastFetch ? minute(s.lastFetch.at) : 'never',
    status: s.lastFetch?.status ?? '—',
    news: s.lastFetch ? String(s.lastFetch.itemsNew) : '',
    same: s.lastFetch ? String(s.lastFetch.itemsUnchanged) : '',
    failures: String(s.consecutiveFailures),
    url: s.url,
    why:
      s.lastFetch?.status === 'failed'
        ? `${s.lastFetch.reason ?? ''}${s.nextAttemptAt ? ` (next attempt after ${minute(s.nextAttemptAt)})` : ''}`
        : '',
  }));
  const width = (key: keyof (typeof rows)[number], title: string) =>
    Math.max(title.length, ...rows.map((r) => r[key].length));
  const cols: [keyof (typeof rows)[number], string][] = [
    ['name', 'NAME'],
    ['kind', 'KIND'],
    ['section', 'SECTION'],
    ['when', 'LAST FETCH'],
    ['status', 'STATUS'],
    ['news', 'NEW'],
    ['same', 'UNCHANGED'],
    ['failures', 'FAILURES'],
    ['url', 'URL'],
  ];
  const widths = cols.map(([key, title]) => width(key, title));
  const fmt = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  out(fmt(cols.map(([, title]) => title)));
  for (const r of rows) {
    out(fmt(cols.map(([key]) => r[key])));
    if (r.why) out(`    last failure: ${r.why}`);
  }
}
