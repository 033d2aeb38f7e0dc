import { defineCommand } from 'citty';
import { withLocalContext } from '../context.ts';
import { rejectUnknownFlags } from '../errors.ts';
import { out } from '../output.ts';
import { printSources } from '../sources-output.ts';

const usage = 'digest sources list [--json]';

export default defineCommand({
  meta: { name: 'list', description: 'List sources with their last fetch and failures' },
  args: { json: { type: 'boolean', description: 'print the sources as JSON' } },
  async run({ args, rawArgs }) {
    rejectUnknownFlags(rawArgs, ['json'], usage);
    await withLocalContext(async ({ runtime }) => {
      const sources = await runtime.stores.sources.list();
      if (args.json) out(JSON.stringify(sources, null, 2));
      else printSources(sources);
    });
  },
});
