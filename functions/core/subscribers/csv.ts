import { randomUUID } from 'node:crypto';
import { Readable, type Writable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { parse } from 'csv-parse';
import { stringify } from 'csv-stringify';
import pLimit from 'p-limit';
import { ValidationError } from '../errors.ts';
import { addressOf, type Subscriber, type SubscriberStatus } from '../model.ts';
import type { SubscriberLifecycle } from '../ports.ts';
import { normalizeAddress } from './address.ts';
import { importConsent } from './consent.ts';
import { ERASED_STATUS, suppressionKey } from './suppression.ts';

/**
 * Subscriber import and export as CSV. Import reads the file as a stream, validates every row
 * (bad rows are reported by line and skipped; the good ones still go in), never touches an address
 * already known in any state (so a re-import changes nothing, and an unsubscribed, bounced,
 * complained or erased address is never subscribed again), and writes new rows in batches.
 */

export interface ImportRow {
  line: number;
  email: string;
  name?: string | undefined;
  status: SubscriberStatus;
  subscribedAt?: string | undefined;
}

export interface RowProblem {
  line: number;
  message: string;
}

export interface ImportOptions {
  /** Consent was collected elsewhere: active rows become `confirmed` (recorded as such). */
  confirmed: boolean;
  now?: Date;
  /** Rows per store round trip (BatchGet existing, then BatchWrite the new ones). */
  chunkSize?: number;
  concurrency?: number;
  onProgress?: (rowsDone: number) => void;
}

export interface ImportReport {
  rows: number;
  imported: number;
  byStatus: Partial<Record<SubscriberStatus, number>>;
  /** Already in the store (any status): left exactly as it was. */
  existing: number;
  /** Of those, suppressed ones (unsubscribed, bounced, complained, erased). */
  suppressed: number;
  /** Same address earlier in the file. */
  duplicates: number;
  problems: RowProblem[];
}

const ACTIVE = new Set(['', 'confirmed', 'subscribed', 'active']);
const KEPT = new Set<SubscriberStatus>(['pending', 'unsubscribed', 'bounced', 'complained']);
const MAX_NAME = 100;
const SUPPRESSED = new Set(['unsubscribed', 'bounced', 'complained', 'erased']);

/** Why a display name cannot be stored (control characters, length), or undefined. */
export function nameProblem(name: string): string | undefined {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
  if (/[\u0000-\u001f\u007f-\u009f]/.test(name)) return 'contains control characters';
  if (name.length > MAX_NAME) return `longer than ${MAX_NAME} characters`;
  return undefined;
}

/** Validates one parsed record; returns the row or the reason it is refused. */
export function validateRow(
  record: Record<string, string | undefined>,
  line: number,
  confirmed: boolean,
): ImportRow | RowProblem {
  let email: string;
  try {
    email = normalizeAddress(restoreCell((record.email ?? '').trim()));
  } catch (error) {
    return { line, message: `email: ${(error as Error).message}` };
  }
  const rawStatus = (record.status ?? '').trim().toLowerCase();
  let status: SubscriberStatus;
  if (ACTIVE.has(rawStatus)) status = confirmed ? 'confirmed' : 'pending';
  else if (KEPT.has(rawStatus as SubscriberStatus)) status = rawStatus as SubscriberStatus;
  else {
    return {
      line,
      message: `status: "${rawStatus}" is not one of confirmed, subscribed, pending, unsubscribed, bounced, complained`,
    };
  }
  const name = restoreCell((record.name ?? '').trim());
  const problem = nameProblem(name);
  if (problem) return { line, message: `name: ${problem}` };
  let subscribedAt: string | undefined;
  const rawDate = (record.subscribed_at ?? '').trim();
  if (rawDate) {
    const date = new Date(rawDate);
    if (!/^\d{4}-\d{2}-\d{2}/.test(rawDate) || Number.isNaN(date.getTime())) {
      return {
        line,
        message: `subscribed_at: "${rawDate}" is not a date like 2024-05-01 or 2024-05-01T10:00:00Z`,
      };
    }
    subscribedAt = date.toISOString();
  }
  return { line, email, status, ...(name ? { name } : {}), ...(subscribedAt ? { subscribedAt } : {}) };
}

const isProblem = (r: ImportRow | RowProblem): r is RowProblem => 'message' in r;

/**
 * CSV injection (OWASP): a spreadsheet runs a cell that starts with `=`, `+`, `-`, `@`, a tab or a
 * CR as a formula (`=HYPERLINK(…)`, `=cmd|'/C calc'!A0`), and a stranger can plant one through the
 * signup form as an address. Such a cell is exported with a leading `'`, which spreadsheets show as
 * text. A cell already starting with quotes before such a character gets one more, so the import
 * can take exactly one off and our own export round-trips byte for byte; any other cell (a name
 * like `'Ana`) is left as it is both ways.
 */
const FORMULA = /^'*[=+\-@\t\r]/;
export const neutralizeCell = (value: string): string => (FORMULA.test(value) ? `'${value}` : value);
export const restoreCell = (value: string): string =>
  value.startsWith("'") && FORMULA.test(value) ? value.slice(1) : value;

/**
 * Reads CSV rows with their line numbers. A subscriber list has no multi-line fields, so a line
 * with an unbalanced quote is reported on its own and skipped (instead of swallowing the rest of
 * the file into one quoted field); other structural errors (a wrong column count, a stray quote)
 * are reported for their line too, and the reading goes on. Throws ValidationError when the
 * header names no `email` column.
 */
export async function* readImportRows(
  input: Readable | AsyncIterable<string | Buffer>,
  confirmed: boolean,
): AsyncGenerator<ImportRow | RowProblem> {
  const skipped: RowProblem[] = [];
  const parser = parse({
    bom: true,
    columns: (header: string[]) => {
      const names = header.map((h) => h.trim().toLowerCase());
      if (!names.includes('email')) {
        throw new ValidationError(
          `the first line must name the columns, with at least "email" (found: ${names.join(', ') || 'nothing'})`,
        );
      }
      return names;
    },
    skip_empty_lines: true,
    skip_records_with_error: true,
    trim: true,
    info: true,
  });
  parser.on('skip', (error: Error & { lines?: number }) => {
    skipped.push({ line: error.lines ?? 0, message: error.message.replace(/^Invalid Record Length: /, '') });
  });
  // Feed the parser line by line; a line with an odd number of quotes goes in as an empty line,
  // so the parser's line numbers stay those of the file. A read error ends the import with it.
  const feed = (async () => {
    try {
      const lines = boundedLines(Readable.from(input), MAX_LINE_CHARS);
      let lineNo = 0;
      let pending = '';
      for await (const line of lines) {
        lineNo++;
        if (countQuotes(line) % 2 === 1) {
          skipped.push({ line: lineNo, message: 'unbalanced quote (fields cannot span lines)' });
          pending += '\n';
        } else {
          pending += `${line}\n`;
        }
        if (pending.length >= 64 * 1024) {
          if (parser.destroyed) return; // the header was refused: the consumer reports it
          if (!parser.write(pending)) await drained(parser);
          pending = '';
        }
      }
      if (parser.destroyed) return;
      if (pending) parser.write(pending);
      parser.end();
    } catch (error) {
      parser.destroy(error as Error);
    }
  })();
  try {
    for await (const item of parser as AsyncIterable<{
      record: Record<string, string | undefined>;
      info: { lines: number };
    }>) {
      while (skipped.length > 0) yield skipped.shift() as RowProblem;
      yield validateRow(item.record, item.info.lines, confirmed);
    }
  } catch (error) {
    const e = error as Error & { code?: string; lines?: number };
    if (error instanceof ValidationError) throw error;
    if (e.code?.startsWith('CSV_')) {
      throw new ValidationError(`line ${e.lines ?? '?'}: ${e.message}`, { cause: error });
    }
    throw error;
  } finally {
    await feed;
  }
  while (skipped.length > 0) yield skipped.shift() as RowProblem;
}

function drained(stream: Writable): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      stream.off('drain', done);
      stream.off('close', done);
      resolve();
    };
    stream.once('drain', done);
    stream.once('close', done);
  });
}

/** No subscriber row comes near this; a longer line means the file is not a subscriber list. */
const MAX_LINE_CHARS = 64 * 1024;

/**
 * The lines of a stream (LF or CRLF), each at most `max` characters: a file without line breaks
 * (`/dev/zero`, a binary) is refused at its first long line instead of being buffered whole.
 */
async function* boundedLines(input: AsyncIterable<string | Buffer>, max: number): AsyncGenerator<string> {
  const decoder = new StringDecoder('utf8');
  let carry = '';
  let lineNo = 0;
  const clean = (line: string) => (line.endsWith('\r') ? line.slice(0, -1) : line);
  const tooLong = (line: number) =>
    new ValidationError(
      `line ${line} is longer than ${max} characters: this does not look like a CSV list of subscribers`,
    );
  for await (const chunk of input) {
    carry += typeof chunk === 'string' ? chunk : decoder.write(chunk);
    let start = 0;
    for (let nl = carry.indexOf('\n'); nl >= 0; nl = carry.indexOf('\n', start)) {
      lineNo++;
      if (nl - start > max) throw tooLong(lineNo);
      yield clean(carry.slice(start, nl));
      start = nl + 1;
    }
    carry = carry.slice(start);
    if (carry.length > max) throw tooLong(lineNo + 1);
  }
  carry += decoder.end();
  if (carry !== '') yield clean(carry);
}

function countQuotes(line: string): number {
  let n = 0;
  for (let i = line.indexOf('"'); i >= 0; i = line.indexOf('"', i + 1)) n++;
  return n;
}

/** `erasedKeys`, when the store has it, is read once: each batch then looks up half the keys. */
export type ImportStore = Pick<SubscriberLifecycle, 'existing' | 'putMany'> &
  Partial<Pick<SubscriberLifecycle, 'erasedKeys'>>;

export async function importSubscribers(
  rows: AsyncIterable<ImportRow | RowProblem>,
  store: ImportStore,
  options: ImportOptions,
): Promise<ImportReport> {
  const now = options.now ?? new Date();
  const report: ImportReport = {
    rows: 0,
    imported: 0,
    byStatus: {},
    existing: 0,
    suppressed: 0,
    duplicates: 0,
    problems: [],
  };
  const seen = new Set<string>();
  // Erasures are few: one index read up front instead of a second key per row in every batch.
  // (An erasure made while the import runs is caught only if its batch had not been read yet.)
  const erased = store.erasedKeys ? await store.erasedKeys() : undefined;
  const limit = pLimit(options.concurrency ?? 4);
  const chunkSize = options.chunkSize ?? 500;
  const running = new Set<Promise<void>>();
  let chunk: ImportRow[] = [];
  let done = 0;

  const start = (batch: ImportRow[]) => {
    const p = flush(batch);
    running.add(p);
    p.then(
      () => running.delete(p),
      () => {},
    );
  };
  const flush = (batch: ImportRow[]) =>
    limit(async () => {
      const found = erased
        ? await store.existing(
            batch.map((r) => r.email),
            { erased: false },
          )
        : await store.existing(batch.map((r) => r.email));
      const fresh: Subscriber[] = [];
      for (const row of batch) {
        const known =
          erased?.has(suppressionKey(row.email)) === true ? { status: ERASED_STATUS } : found.get(row.email);
        if (known) {
          report.existing++;
          if (SUPPRESSED.has(known.status)) report.suppressed++;
          continue;
        }
        fresh.push({
          email: row.email,
          id: randomUUID(),
          status: row.status,
          ...(row.name ? { name: row.name } : {}),
          createdAt: now.toISOString(),
          updatedAt: now.toISOString(),
          consent: importConsent(now, row.subscribedAt, row.status === 'confirmed'),
        });
      }
      await store.putMany(fresh);
      for (const s of fresh) report.byStatus[s.status] = (report.byStatus[s.status] ?? 0) + 1;
      report.imported += fresh.length;
      done += batch.length;
      options.onProgress?.(done);
    });

  for await (const row of rows) {
    report.rows++;
    if (isProblem(row)) {
      report.problems.push(row);
      continue;
    }
    // Case-insensitively: the same mailbox written twice is one row.
    const key = row.email.toLowerCase();
    if (seen.has(key)) {
      report.duplicates++;
      continue;
    }
    seen.add(key);
    chunk.push(row);
    if (chunk.length >= chunkSize) {
      start(chunk);
      chunk = [];
      // Back-pressure: do not read far ahead of the writes.
      while (running.size > 2 * limit.concurrency) await Promise.race(running);
    }
  }
  if (chunk.length > 0) start(chunk);
  await Promise.all(running);
  report.problems.sort((a, b) => a.line - b.line);
  return report;
}

export const EXPORT_COLUMNS = ['email', 'name', 'status', 'subscribed_at', 'confirmed_at', 'source'] as const;

/** CSV of every subscriber, page by page (memory does not grow with the list). */
export function exportCsv(pages: AsyncIterable<Subscriber[]>): Readable {
  const out = stringify({ header: true, columns: [...EXPORT_COLUMNS] });
  (async () => {
    try {
      for await (const page of pages) {
        for (const s of page) {
          const row: Record<(typeof EXPORT_COLUMNS)[number], string> = {
            email: addressOf(s),
            name: s.name ?? '',
            status: s.status,
            subscribed_at: s.consent?.subscribedAt ?? s.createdAt,
            confirmed_at: s.consent?.confirmedAt ?? '',
            source: s.consent?.source ?? '',
          };
          // Every cell, not only the ones a stranger can fill: no column is trusted to stay safe.
          for (const key of EXPORT_COLUMNS) row[key] = neutralizeCell(row[key]);
          const ok = out.write(row);
          if (!ok) await new Promise((resolve) => out.once('drain', resolve));
        }
      }
      out.end();
    } catch (error) {
      out.destroy(error as Error);
    }
  })();
  return out;
}
