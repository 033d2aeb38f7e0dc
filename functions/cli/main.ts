import { defineCommand, renderUsage, runCommand } from 'citty';
import { ConfigError, DigestError } from '../core/errors.ts';
import { CliUsageError } from './errors.ts';
import { note, out } from './output.ts';

// The SDK versions are pinned in the lockfile (their newer releases need Node 22); the notice saying so is noise here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const main = defineCommand({
  meta: {
    name: 'digest',
    description: 'Newsletter digest: summarize articles, render, and deliver through SES',
  },
  subCommands: {
    summarize: () => import('./commands/summarize.ts').then((m) => m.default),
    preview: () => import('./commands/preview.ts').then((m) => m.default),
    send: () => import('./commands/send.ts').then((m) => m.default),
    subscribers: () => import('./commands/subscribers.ts').then((m) => m.default),
    articles: () => import('./commands/articles.ts').then((m) => m.default),
    sources: () => import('./commands/sources.ts').then((m) => m.default),
    fetch: () => import('./commands/fetch.ts').then((m) => m.default),
  },
});

const COMMANDS = ['summarize', 'preview', 'send', 'subscribers', 'articles', 'sources', 'fetch'];

/** Runs the CLI with raw argv; returns the exit code (0 ok, 1 failure, 2 usage). */
export async function runCli(argv: string[]): Promise<number> {
  process.exitCode = 0;
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h') {
    out(await renderUsage(main));
    return argv.length === 0 ? 2 : 0;
  }
  const [first] = argv;
  if (first && !first.startsWith('-') && !COMMANDS.includes(first)) {
    note(`digest: unknown command "${first}"\nusage: digest <${COMMANDS.join('|')}> [options]`);
    return 2;
  }
  if (argv.includes('--help') || argv.includes('-h')) {
    // citty prints usage for the (sub)command on its own path.
    const { runMain } = await import('citty');
    await runMain(main, { rawArgs: argv });
    return 0;
  }
  try {
    await runCommand(main, { rawArgs: argv });
    return Number(process.exitCode ?? 0);
  } catch (error) {
    if (error instanceof CliUsageError) {
      note(`digest: ${error.message}\nusage: ${error.usage}`);
      return 2;
    }
    if (error instanceof ConfigError || error instanceof DigestError) {
      note(`digest: ${error.message}`);
      return 1;
    }
    // citty's own argument errors (e.g. a missing subcommand) carry a code.
    const code = (error as { code?: string }).code;
    if (code === 'E_UNKNOWN_COMMAND' || code === 'E_NO_COMMAND' || code === 'EARG') {
      note(`digest: ${(error as Error).message}`);
      return 2;
    }
    note(
      `digest: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
    return 1;
  }
}

// Run when executed directly (tsx functions/cli/main.ts …, or the bin wrapper).
if (import.meta.url === `file://${process.argv[1]}` || process.env.DIGEST_CLI_MAIN === '1') {
  runCli(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
