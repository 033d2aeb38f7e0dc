import { DigestError } from '../core/errors.ts';

/** A mistake in how the command was called: printed with a usage line, exit code 2. */
export class CliUsageError extends DigestError {
  override name = 'CliUsageError';
  constructor(
    message: string,
    readonly usage: string,
  ) {
    super(message);
  }
}

/** Fails on flags the command does not define (citty accepts anything silently). */
export function rejectUnknownFlags(rawArgs: string[], known: string[], usage: string): void {
  const allowed = new Set(known.flatMap((k) => [k, `no-${k}`]));
  for (const arg of rawArgs) {
    if (arg === '--') break;
    const match = /^--?([^=]+)/.exec(arg);
    if (!match || /^-\d/.test(arg)) continue;
    const name = match[1] as string;
    if (!allowed.has(name)) throw new CliUsageError(`unknown option ${arg.split('=')[0]}`, usage);
  }
}
