import { defineCommand } from 'citty';
import { NotFoundError } from '../../core/errors.ts';
import { withLocalContext } from '../context.ts';
import { CliUsageError, rejectUnknownFlags } from '../errors.ts';
import { out } from '../output.ts';

const usage = 'digest sources remove <url|name>';

export default defineCommand({
  meta: { name: 'remove', description: 'Remove a source (the articles it brought in stay)' },
  args: { source: { type: 'positional', required: false, description: 'the source URL or name' } },
  async run({ args, rawArgs }) {
    rejectUnknownFlags(rawArgs, [], usage);
    if (!args.source) throw new CliUsageError('missing the URL or name of the source to remove', usage);
    const wanted = args.source.trim();
    await withLocalContext(async ({ runtime }) => {
      const sources = await runtime.stores.sources.list();
      const source =
        sources.find((s) => s.url === wanted) ??
        sources.find((s) => s.name.toLowerCase() === wanted.toLowerCase());
      if (!source) {
        const known = sources.map((s) => `"${s.name}"`).join(', ');
        throw new NotFoundError(
          `no source with the URL or name "${wanted}"${known ? ` (sources: ${known})` : ' (there are no sources)'}`,
        );
      }
      await runtime.stores.sources.remove(source.id);
      out(`Removed source "${source.name}" (${source.url}). The articles it brought in stay.`);
    });
  },
});
