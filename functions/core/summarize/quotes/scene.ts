/**
 * What every quote step looks at: the article, its quoted spans and the people in it, with the small
 * lookups they share (the sentence at an offset, the words right after a quote).
 */
import { findMentions, indexPeople, type PeopleIndex, type Token, tokenize } from '../people.ts';
import type { Paragraph, Sentence } from '../sentences.ts';
import { findSpans, insideQuotes, type Span } from './spans.ts';

export interface QuoteContext {
  body: string;
  paragraphs: Paragraph[];
  sentences: Sentence[];
}

export interface Scene extends QuoteContext {
  spans: Span[];
  index: PeopleIndex;
}

export function buildScene(ctx: QuoteContext): Scene {
  const spans = findSpans(ctx.body, ctx.paragraphs);
  const inside = insideQuotes(spans);
  const mentions = findMentions(ctx.body, ctx.sentences, inside);
  const index = indexPeople(ctx.body, ctx.sentences, mentions, inside);
  return { ...ctx, spans, index };
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
  return sentences.find((s) => s.start >= offset);
}

/** Tokens after a quote, up to the end of its sentence or the next quote. */
export function tokensAfter(scene: Scene, span: Span): Token[] {
  const { body, sentences, spans } = scene;
  const s = sentenceAt(sentences, span.close - 1);
  const nextSpan = spans.find((o) => o.open >= span.close);
  const end = Math.min(s ? s.end : span.close, nextSpan ? nextSpan.open : Number.POSITIVE_INFINITY);
  return end > span.close ? tokenize(body, span.close, end).filter((t) => t.end <= end) : [];
}

/** Whether the quoted text stops mid-sentence (“…,” she said), so an attribution may follow. */
export function endsOpen(body: string, span: Span): boolean {
  const last = span.parts[span.parts.length - 1];
  const text = last ? body.slice(last.start, last.end).trimEnd() : '';
  return /[,?!—–-]$/.test(text);
}
