import type { RunEvent } from '../core/issue/events.ts';
import { type LocalContext, openLocalContext } from '../local/context.ts';
import { parseConfig } from '../wiring/config.ts';
import { describeEvent, note } from './output.ts';

/** Opens the local context for a command, closes it afterwards whatever happens. */
export async function withLocalContext<T>(
  fn: (ctx: LocalContext) => Promise<T>,
  options: { onEvent?: (e: RunEvent) => void } = {},
): Promise<T> {
  const config = parseConfig();
  const ctx = await openLocalContext(config, { onEvent: options.onEvent ?? ((e) => note(describeEvent(e))) });
  try {
    return await fn(ctx);
  } finally {
    await ctx.close();
  }
}
