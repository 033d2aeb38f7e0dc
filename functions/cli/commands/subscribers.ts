import { randomUUID } from 'node:crypto';
import { defineCommand } from 'citty';
import { normalizeAddress } from '../../core/address.ts';
import { SUBSCRIBER_STATUSES, type SubscriberStatus } from '../../core/model.ts';
import { NotFoundError, ValidationError } from '../../errors.ts';
import { withLocalContext } from '../context.ts';
import { CliUsageError, rejectUnknownFlags } from '../errors.ts';
import { out } from '../output.ts';

const addUsage = 'digest subscribers add <email> [--name NAME] [--pending]';
const listUsage = `digest subscribers list [--status ${SUBSCRIBER_STATUSES.join('|')}]`;
const removeUsage = 'digest subscribers remove <email>';

const add = defineCommand({
  meta: { name: 'add', description: 'Add a confirmed subscriber (consent collected by the operator)' },
  args: {
    email: { type: 'positional', required: false, description: 'email address' },
    name: { type: 'string', description: 'display name' },
    pending: { type: 'boolean', description: 'add as pending (awaiting confirmation) instead of confirmed' },
  },
  async run({ args, rawArgs }) {
    rejectUnknownFlags(rawArgs, ['name', 'pending'], addUsage);
    if (!args.email) throw new CliUsageError('missing the email address to add', addUsage);
    let email: string;
    try {
      email = normalizeAddress(args.email);
    } catch (error) {
      throw new CliUsageError(`"${args.email}": ${(error as ValidationError).message}`, addUsage);
    }
    await withLocalContext(async ({ stores }) => {
      const now = new Date().toISOString();
      const status: SubscriberStatus = args.pending ? 'pending' : 'confirmed';
      const created = await stores.subscribers.create({
        email,
        id: randomUUID(),
        status,
        name: args.name,
        createdAt: now,
        updatedAt: now,
        consent: {
          source: 'cli',
          subscribedAt: now,
          ...(status === 'confirmed' ? { confirmedAt: now } : {}),
        },
      });
      if (!created) {
        const existing = await stores.subscribers.get(email);
        throw new ValidationError(
          `${email} is already on the list (status: ${existing?.status ?? 'unknown'})`,
        );
      }
      out(`Added ${email} (${status}).`);
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
        for (const email of page) out(email);
        count += page.length;
      }
      process.stderr.write(`${count} ${status} subscriber(s)\n`);
    });
  },
});

const remove = defineCommand({
  meta: { name: 'remove', description: 'Remove a subscriber' },
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
      if (!(await stores.subscribers.delete(email))) throw new NotFoundError(`${email} is not on the list`);
      out(`Removed ${email}.`);
    });
  },
});

export default defineCommand({
  meta: { name: 'subscribers', description: 'Manage the subscriber list' },
  subCommands: { add, list, remove },
});
