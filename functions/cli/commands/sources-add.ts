import { defineCommand } from 'citty';
import { DigestError } from '../../core/errors.ts';
import { SourceError } from '../../core/sources/errors.ts';
import { probeSource } from '../../core/sources/probe.ts';
import { withLocalContext } from '../context.ts';
import { CliUsageError, rejectUnknownFlags } from '../errors.ts';
import { out } from '../output.ts';

const usage = 'digest sources add <url> [--name NAME] [--section NAME]';

export default defineCommand({
  meta: { name: 'add', description: 'Add a feed (RSS, RDF, Atom, JSON Feed) or a web page as a source' },
  args: {
    url: { type: 'positional', required: false, description: 'the feed or page URL (http or https)' },
    name: { type: 'string', description: 'how the digest names the source (default: its own title)' },
    section: { type: 'string', description: 'the section its stories appear under' },
  },
  async run({ args, rawArgs }) {
    rejectUnknownFlags(rawArgs, ['name', 'section'], usage);
    if (!args.url) throw new CliUsageError('missing the URL of the feed or page to add', usage);
    const url = args.url.trim();
    await withLocalContext(async ({ runtime }) => {
      // One fetch tells what it is (from the response, not the URL) and that it can be read;
      // a private or loopback address is refused here unless DIGEST_ALLOW_PRIVATE_SOURCES=true.
      let probed: Awaited<ReturnType<typeof probeSource>>;
      try {
        probed = await probeSource(runtime.fetcher(), url, new Date());
      } catch (error) {
        if (error instanceof SourceError) throw new DigestError(`cannot add ${url}: ${error.message}`);
        throw error;
      }
      const name = args.name?.trim() || probed.title || new URL(url).hostname;
      const added = await runtime.stores.sources.add(
        { url, name, kind: probed.kind, section: args.section?.trim() || undefined },
        new Date(),
      );
      if (!added.added) throw new DigestError(`cannot add ${url}: ${added.reason}`);
      out(
        `Added source "${name}" (${probed.kind}${args.section ? `, section ${args.section.trim()}` : ''}): ${url}`,
      );
      out(
        probed.kind === 'html'
          ? 'A single page: its article comes in with the next `digest fetch` or `digest send`.'
          : `It lists ${probed.items} item(s) now; new ones come in with the next \`digest fetch\` or \`digest send\`.`,
      );
    });
  },
});
