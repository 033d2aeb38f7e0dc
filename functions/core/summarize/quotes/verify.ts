/**
 * Verification: every piece of a quote must appear verbatim in the source after normalizing quote marks
 * and whitespace; a quote that does not is dropped and reported.
 */
import { canonical } from '../text.ts';
import { REASONS } from './types.ts';

/** A source text normalized once for repeated verification. */
export interface CanonicalSource {
  canonical: string;
}

/**
 * Checks that every piece of a quote appears verbatim in the source, in order, after normalizing quote
 * marks and whitespace (a trailing comma or period may differ: it is where pieces were joined).
 */
export function verifyPieces(pieces: string[], source: string | CanonicalSource): boolean {
  const haystack = typeof source === 'string' ? canonical(source) : source.canonical;
  let from = 0;
  for (const piece of pieces) {
    const needle = canonical(piece).replace(/[,.;:]+$/, '');
    if (!needle) return false;
    const at = haystack.indexOf(needle, from);
    if (at < 0) return false;
    from = at + needle.length;
  }
  return pieces.length > 0;
}

/**
 * Verifies finished quotes against the source; the ones that fail are reported and left out. A quote
 * with `pieces` is checked piece by piece (a split or multi-paragraph quote); one without is checked whole.
 */
export function verifyQuotes<Q extends { text: string; pieces?: string[] }>(
  quotes: Q[],
  source: string,
  onDropped?: (quote: Q, reason: string) => void,
): Q[] {
  const haystack: CanonicalSource = { canonical: canonical(source) };
  return quotes.filter((q) => {
    const ok = verifyPieces(q.pieces?.length ? q.pieces : [q.text], haystack);
    if (!ok) onDropped?.(q, REASONS.notVerbatim);
    return ok;
  });
}
