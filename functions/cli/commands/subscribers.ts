import { createReadStream, createWriteStream } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { defineCommand } from 'citty';
import { NotFoundError, type ValidationError } from '../../core/errors.ts';
import { addressOf, SUBSCRIBER_STATUSES, type SubscriberStatus } from '../../core/model.ts';
import { normalizeAddress } from '../../core/subscribers/address.ts';
import { exportCsv, importSubscribers, nameProblem, readImportRows } from '../../core/subscribers/csv.ts';
import { dedupeSubscribers } from '../../core/subscribers/dedupe.ts';
import { addByOperator } from '../../core/subscribers/operator.ts';
import { withLocalContext } from '../context.ts';
import { CliUsageError, rejectUnknownFlags } from '../errors.ts';
import { describeDedupe, note, out, write } from '../output.ts';

const addUsage = 'digest subscribers add <email> [--name NAME] [--pending] [--force]';
const dedupeUsage = 'digest subscribers dedupe';
const listUsage = `digest subscribers list [--status ${SUBSCRIBER_STATUSES.join('|')}]`;
const removeUsage = 'digest subscribers remove <email>';
const importUsage = 'digest subscribers import <file.csv> [--confirmed]';
const exportUsage = 'digest subscribers export [--out FILE]';

const add = defineCommand({
  meta: { name: 'add', description: 'Add a confirmed subscriber (consent collected by the operator)' },
  args: {
    email: { type: 'positional', required: false, description: 'email address' },
    name: { type: 'string', description: 'display name' },
    pending: { type: 'boolean', description: 'add as pending (awaiting confirmation) instead of confirmed' },
    force: {
      type: 'boolean',
      description:
        'add an erased, unsubscribed, bounced or complained address anyway (recorded in its consent record)',
    },
  },
  async run({ args, rawArgs }) {
    rejectUnknownFlags(rawArgs, ['name', 'pending', 'force'], addUsage);
    if (!args.email) throw new CliUsageError('missing the email address to add', addUsage);
    let email: string;
    try {
      email = normalizeAddress(args.email);
    } catch (error) {
      throw new CliUsageError(`"${args.email}": ${(error as ValidationError).message}`, addUsage);
    }
    const name = args.name?.trim();
    if (name !== undefined && nameProblem(name)) {
      throw new CliUsageError(`--name: ${nameProblem(name)}`, addUsage);
    }
    await withLocalContext(async ({ stores }) => {
      const status: SubscriberStatus = args.pending ? 'pending' : 'confirmed';
      const result = await addByOperator(stores.subscribers, {
        email,
        status,
        name: name || undefined,
        force: Boolean(args.force),
      });
      if (result.outcome === 'added') out(`Added ${email} (${status}).`);
      else
        out(
          `Added ${email} (${status}) over its ${result.overrode} status: --force, recorded in its consent record.`,
        );
    });
  },
});

const list = defineCommand({
  meta: { name: 'list', description: 'List subscribers with a status (default: confirmed)' },
  args: { status: { type: 'string', description: SUBSCRIBER_STATUSES.join(', '), default: 'confirmed' } },
  async run({ args, rawArgs }) {
    rejectUnknownFlags(rawArgs, ['status'], listUsage);
    const status = args.status as SubscriberStatus;
    if (!SUBSCRIBER_STATUSES.includes(status)) {
      throw new CliUsageError(
        `unknown status "${args.status}" (one of ${SUBSCRIBER_STATUSES.join(', ')})`,
        listUsage,
      );
    }
    await withLocalContext(async ({ stores }) => {
      let count = 0;
      for await (const page of stores.subscribers.pagesByStatus(status)) {
        // The spelling each person typed (the index holds only the mailbox keys).
        const found = await stores.recipients.getMany(page);
        for (const key of page) out(addressOf(found.get(key) ?? { email: key }));
        count += page.length;
      }
      note(`${count} ${status} subscriber(s)`);
    });
  },
});

const remove = defineCommand({
  meta: {
    name: 'remove',
    description:
      'Erase a subscriber: delete profile and consent, keep only a hash so the address is never re-added',
  },
  args: { email: { type: 'positional', required: false, description: 'email address' } },
  async run({ args, rawArgs }) {
    rejectUnknownFlags(rawArgs, [], removeUsage);
    if (!args.email) throw new CliUsageError('missing the email address to remove', removeUsage);
    let email: string;
    try {
      email = normalizeAddress(args.email);
    } catch (error) {
      throw new CliUsageError(`"${args.email}": ${(error as ValidationError).message}`, removeUsage);
    }
    await withLocalContext(async ({ stores }) => {
      // The suppression entry is written even for an unknown address: an erasure request means
      // "never add me", whether or not we had the address.
      const existed = await stores.subscribers.erase(email);
      if (!existed) {
        throw new NotFoundError(`${email} is not on the list (a suppression entry was recorded anyway)`);
      }
      out(`Removed ${email}: profile and consent deleted, only a hash kept for suppression.`);
    });
  },
});

const dedupe = defineCommand({
  meta: {
    name: 'dedupe',
    description:
      'Merge subscribers an older version stored once per capitalization into one per mailbox (also run before every send)',
  },
  async run({ rawArgs }) {
    rejectUnknownFlags(rawArgs, [], dedupeUsage);
    await withLocalContext(async (ctx) => {
      const report = await dedupeSubscribers(ctx.runtime.dedupeDeps);
      for (const line of describeDedupe(report)) out(line);
      if (report.conflicts.length > 0) process.exitCode = 1;
    });
  },
});

const importCommand = defineCommand({
  meta: {
    name: 'import',
    description: 'Import subscribers from a CSV file (columns: email, name, status, subscribed_at)',
  },
  args: {
    file: { type: 'positional', required: false, description: 'CSV file' },
    confirmed: {
      type: 'boolean',
      description:
        'consent was collected elsewhere: import active rows as confirmed (recorded in the consent data)',
    },
  },
  async run({ args, rawArgs }) {
    rejectUnknownFlags(rawArgs, ['confirmed'], importUsage);
    if (!args.file) throw new CliUsageError('missing the CSV file to import', importUsage);
    const file = String(args.file);
    try {
      await access(file);
    } catch {
      throw new CliUsageError(`cannot read ${file}`, importUsage);
    }
    // A device or a pipe (/dev/zero) never ends: only a regular file is read.
    if (!(await stat(file)).isFile()) throw new CliUsageError(`${file} is not a regular file`, importUsage);
    await withLocalContext(async ({ stores }) => {
      const started = performance.now();
      const report = await importSubscribers(
        readImportRows(createReadStream(file), Boolean(args.confirmed)),
        stores.subscribers,
        { confirmed: Boolean(args.confirmed) },
      );
      const seconds = (performance.now() - started) / 1000;
      for (const p of report.problems) note(`${file}:${p.line}: ${p.message}`);
      const statuses = Object.entries(report.byStatus)
        .map(([status, n]) => `${n} ${status}`)
        .join(', ');
      out(
        `Imported ${report.imported} of ${report.rows} rows${statuses ? ` (${statuses})` : ''} in ${seconds.toFixed(1)} s; ` +
          `${report.existing} already known (${report.suppressed} suppressed) left unchanged, ` +
          `${report.duplicates} duplicate(s), ${report.problems.length} bad row(s).`,
      );
      if (report.problems.length > 0) process.exitCode = 1;
    });
  },
});

const exportCommand = defineCommand({
  meta: { name: 'export', description: 'Export all subscribers as CSV (stdout, or --out FILE)' },
  args: { out: { type: 'string', description: 'write to this file instead of stdout' } },
  async run({ args, rawArgs }) {
    rejectUnknownFlags(rawArgs, ['out'], exportUsage);
    if (args.out === '') throw new CliUsageError('--out needs a file name', exportUsage);
    await withLocalContext(async ({ stores }) => {
      const csv = exportCsv(stores.subscribers.scanPages());
      if (args.out) {
        await pipeline(csv, createWriteStream(String(args.out)));
        note(`wrote ${args.out}`);
      } else {
        csv.setEncoding('utf8'); // a character split between chunks is decoded whole
        for await (const chunk of csv) write(chunk as string);
      }
    });
  },
});

export default defineCommand({
  meta: { name: 'subscribers', description: 'Manage the subscriber list' },
  subCommands: { add, list, remove, dedupe, import: importCommand, export: exportCommand },
});
