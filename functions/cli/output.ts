import { SingleBar } from 'cli-progress';
import type { RunEvent } from '../core/issue/events.ts';
import type { Outcome } from '../core/send/deliver.ts';
import { formatDuration } from '../core/send/plan.ts';
import type { DedupeReport } from '../core/subscribers/dedupe.ts';
import type { Summary } from '../core/summarize/index.ts';

/**
 * Human output for the CLI: results on stdout, notes and progress on stderr. Every byte the
 * command prints goes through here, so that text from articles, subscriber data or error messages
 * can never drive the terminal: escape sequences (ESC, CSI) change titles, colours and the
 * clipboard, BEL rings, CR overwrites what was printed, and bidirectional overrides reorder what
 * a person reads. Only newline and tab are kept.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: stripping control characters is the point
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/** The text with every terminal control character removed (newline and tab kept). */
export const terminalSafe = (text: string): string => text.replace(UNSAFE, '');

/** Writes text as it is meant to be read (no newline added): CSV on stdout, for example. */
export const write = (text: string, stream: NodeJS.WriteStream = process.stdout) =>
  stream.write(terminalSafe(text));
export const out = (line = '') => write(`${line}\n`, process.stdout);
export const note = (line = '') => write(`${line}\n`, process.stderr);

export function printSummary(summary: Summary, label = ''): void {
  const indent = ' '.repeat(label.length);
  out(`${label}${summary.title}`);
  for (const point of summary.keyPoints) out(`${indent}  • ${point}`);
  for (const q of summary.quotes) {
    const who = [q.speaker ?? 'unattributed', q.role].filter(Boolean).join(', ');
    out(`${indent}  “${q.text}” — ${who}`);
  }
}

export function describeEvent(event: RunEvent): string {
  switch (event.type) {
    case 'article-skipped':
      return `skipped article ${event.file}: ${event.reason}`;
    case 'article-warning':
      return `warning: ${event.file}: ${event.message}`;
    case 'article-duplicate':
      return `skipped article ${event.file}: same article as ${event.sameAs}`;
    case 'quote-dropped':
      return `dropped a quote from ${event.file} (${event.reason}): “${event.quote.slice(0, 60)}…”`;
    case 'issue-resumed':
      return `resuming unfinished issue ${event.issueId} (state: ${event.state})`;
    case 'issue-built':
      return `built issue ${event.issueId}: ${event.articles} article(s), ${(event.htmlBytes / 1024).toFixed(1)} KB of HTML`;
  }
}

/** What `digest subscribers dedupe` (or the run before a send) did, one line each. */
export function describeDedupe(report: DedupeReport): string[] {
  const lines: string[] = [];
  for (const m of report.merged)
    lines.push(`merged ${m.key}: kept ${m.kept}; merged into it ${m.removed.join(', ')}`);
  for (const e of report.erased) lines.push(`erased ${e.key}: its erasure wins over ${e.removed.join(', ')}`);
  if (report.moved > 0) lines.push(`moved ${report.moved} subscriber(s) to their mailbox key (no duplicate)`);
  if (report.upgraded > 0)
    lines.push(`noted the spelling of ${report.upgraded} subscriber(s) already under their key`);
  for (const key of report.conflicts)
    lines.push(`${key} changed while being merged: left as it was; run again`);
  lines.push(
    report.merged.length + report.erased.length + report.moved + report.upgraded === 0 &&
      report.conflicts.length === 0
      ? 'No duplicates: one subscriber per mailbox already.'
      : `Dedupe: ${report.merged.length} mailbox(es) merged, ${report.erased.length} erased, ${report.moved} moved, ${report.conflicts.length} left for the next run.`,
  );
  return lines;
}

export interface ProgressCounts {
  sent: number;
  skipped: number;
  suppressed: number;
  failed: number;
  unknown: number;
  dryRun: number;
}

/** A progress bar on a terminal; plain periodic lines otherwise (CI logs, pipes). */
export function sendProgress(total: number) {
  const counts: ProgressCounts = { sent: 0, skipped: 0, suppressed: 0, failed: 0, unknown: 0, dryRun: 0 };
  const started = Date.now();
  const rate = () => (counts.sent + counts.dryRun) / Math.max(0.001, (Date.now() - started) / 1000);
  const tty = Boolean(process.stderr.isTTY) && !process.env.CI;
  const bar = tty
    ? new SingleBar({
        stream: process.stderr,
        format:
          ' {bar} {value}/{total} | sent {sent} skipped {skipped} suppressed {suppressed} failed {failed} unknown {unknown} | {rate}/s | ETA {eta_formatted}',
        hideCursor: true,
        barsize: 24,
      })
    : undefined;
  let done = 0;
  let lastLine = 0;
  bar?.start(Math.max(total, 1), 0, { ...counts, rate: '0.0' });
  return {
    counts,
    tick(outcome: Outcome) {
      done++;
      if (outcome === 'dry-run') counts.dryRun++;
      else if (outcome !== 'halted') counts[outcome]++;
      if (bar) {
        if (done > bar.getTotal()) bar.setTotal(done);
        bar.update(done, { ...counts, rate: rate().toFixed(1) });
      } else if (Date.now() - lastLine > 2000 || done === total) {
        lastLine = Date.now();
        const perSecond = done / Math.max(0.001, (Date.now() - started) / 1000);
        const eta = perSecond > 0 ? Math.max(0, total - done) / perSecond : Number.POSITIVE_INFINITY;
        note(
          `  ${done}/${total} processed: sent ${counts.sent}, skipped ${counts.skipped}, suppressed ${counts.suppressed}, ` +
            `failed ${counts.failed}, unknown ${counts.unknown}${counts.dryRun ? `, built ${counts.dryRun}` : ''}; ` +
            `${rate().toFixed(1)}/s, ETA ${formatDuration(eta)}`,
        );
      }
    },
    stop() {
      bar?.stop();
    },
  };
}
