/**
 * What every quote step looks at: the article, its quoted spans and the people in it, with the small
 * lookups they share (the sentence at an offset, the words right after a quote).
 */
import { findMentions, indexPeople, type PeopleIndex } from '../people.ts';
import type { Paragraph, Sentence } from '../sentences.ts';
import { type Token, tokenize } from '../tokens.ts';
import { findSpans, insideQuotes, type Span } from './spans.ts';

export interface QuoteContext {
  body: string;
  paragraphs: Paragraph[];
  sentences: Sentence[];
}

export interface Scene extends QuoteContext {
  spans: Span[];
  index: PeopleIndex;
  /** Whether an offset lies inside quotation marks. */
  inside: (offset: number) => boolean;
}

export function buildScene(ctx: QuoteContext): Scene {
  const spans = findSpans(ctx.body, ctx.paragraphs);
  const inside = insideQuotes(spans);
  const mentions = findMentions(ctx.body, ctx.sentences, inside);
  const index = indexPeople(ctx.body, ctx.sentences, mentions, inside);
  return { ...ctx, spans, index, inside };
}

export function sentenceAt(sentences: Sentence[], offset: number): Sentence | undefined {
  let lo = 0;
  let hi = sentences.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const s = sentences[mid];
    if (!s) break;
    if (offset < s.start) hi = mid - 1;
    else if (offset >= s.end) lo = mid + 1;
    else return s;
  }
  // Between sentences (e.g. on whitespace): the next one.
  return sentences[lo];
}

/** Index of the first span opening at or after `offset` (spans are sorted by their opening mark). */
function firstSpanFrom(spans: Span[], offset: number): number {
  let lo = 0;
  let hi = spans.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((spans[mid]?.open ?? 0) < offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Whether a span opens in [start, end). */
export function hasSpanStartingIn(scene: Scene, start: number, end: number): boolean {
  const s = scene.spans[firstSpanFrom(scene.spans, start)];
  return !!s && s.open < end;
}

/** Tokens after a quote, up to the end of its sentence or the next quote. */
export function tokensAfter(scene: Scene, span: Span): Token[] {
  const { body, sentences, spans } = scene;
  const s = sentenceAt(sentences, span.close - 1);
  const nextSpan = spans[firstSpanFrom(spans, span.close)];
  const end = Math.min(s ? s.end : span.close, nextSpan ? nextSpan.open : Number.POSITIVE_INFINITY);
  return end > span.close ? tokenize(body, span.close, end).filter((t) => t.end <= end) : [];
}

/** Whether the quoted text stops mid-sentence (“…,” she said), so an attribution may follow. */
export function endsOpen(body: string, span: Span): boolean {
  const last = span.parts[span.parts.length - 1];
  // Closing single marks of a quote inside the quote do not count: “… ‘I hope so,’” she said.
  const text = last
    ? body
        .slice(last.start, last.end)
        .trimEnd()
        .replace(/[’'‘]+$/, '')
    : '';
  return /[,?!—–…-]$|\.\.\.$/.test(text);
}
