/**
 * Direct quotations with their speakers. The steps, each in its own module under quotes/:
 *
 * 1. spans.ts: quote marks paired per paragraph, multi-paragraph quotes followed;
 * 2. groups.ts: split quotes (“A,” she said. “B.”) joined when only an attribution stands between them;
 * 3. not-quotes.ts: fragments (scare quotes), titles of works and slogans set aside;
 * 4. strategies.ts: attribution strategies tried in order (same sentence after or before, a transcript
 *    label, previous sentence, the previous paragraph's speaker, next sentence), each naming the subject
 *    of a speech verb (phrases.ts) among the people and organizations found by people.ts;
 * 5. verify.ts: every piece must appear verbatim in the source, or the quote is dropped and reported.
 */

import { assemble, groupSplitQuotes } from './quotes/groups.ts';
import { notAQuote } from './quotes/not-quotes.ts';
import { buildScene, type QuoteContext, sentenceAt } from './quotes/scene.ts';
import { attribute, type QuoteSite } from './quotes/strategies.ts';
import { type Attribution, type DroppedQuote, type ExtractedQuote, REASONS } from './quotes/types.ts';
import { type CanonicalSource, verifyPieces } from './quotes/verify.ts';
import { canonical } from './text.ts';

/** How far (in characters) before a quote its attribution is looked for. */
export const ATTRIBUTION_WINDOW = 600;

export function extractQuotes(ctx: QuoteContext, dropped: DroppedQuote[] = []): ExtractedQuote[] {
  const scene = buildScene(ctx);
  const { body, sentences } = scene;
  const out: ExtractedQuote[] = [];
  const canonicalBody: CanonicalSource = { canonical: canonical(body) };
  const seen = new Set<string>();
  let previous: QuoteSite['previous'] = null;
  for (const group of groupSplitQuotes(scene)) {
    const first = group.spans[0];
    const last = group.spans[group.spans.length - 1];
    if (!first || !last) continue;
    const pieces = assemble(body, group);
    const text = pieces
      .join(' ')
      .replace(/[\s,;:]+$/, '')
      .trim();
    const candidate: ExtractedQuote = { text, speaker: null, role: null, pieces };
    const openSentence = sentenceAt(sentences, first.open);
    // The words before the quote in its sentence, within a window: an attribution is never far from its
    // quote, and a sentence of megabytes (a text without stops) must not be copied once per quote.
    const before = openSentence
      ? body.slice(Math.max(openSentence.start, first.open - ATTRIBUTION_WINDOW), first.open)
      : '';
    const notQuote = notAQuote(text, before.slice(Math.max(0, before.length - 80)));
    let attribution: Attribution | null = null;
    if (notQuote) dropped.push({ quote: candidate, reason: notQuote });
    else {
      attribution = attribute({ group, first, last, openSentence, before, previous }, scene);
      if (!attribution) dropped.push({ quote: candidate, reason: REASONS.unattributed });
    }
    previous = { group, attribution };
    if (!attribution || notQuote) continue;
    candidate.speaker = attribution.speaker;
    candidate.role = attribution.role;
    if (!verifyPieces(pieces, canonicalBody)) {
      dropped.push({ quote: candidate, reason: REASONS.notVerbatim });
      continue;
    }
    const key = canonical(text);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(candidate);
  }
  return out;
}
