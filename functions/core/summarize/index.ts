/**
 * The article summarizer: headline, key points and verified, attributed quotes.
 * Pure, synchronous and deterministic: no I/O, no environment, no clock.
 */
import { DigestError } from '../errors.ts';
import { keyPoints } from './keypoints.ts';
import { findSpans, type Span } from './quotes/spans.ts';
import { type DroppedQuote, type ExtractedQuote, REASONS } from './quotes/types.ts';
import { verifyQuotes } from './quotes/verify.ts';
import { extractQuotes } from './quotes.ts';
import { paragraphs, type Sentence, segment } from './sentences.ts';
import { normalizeBody, squash, words } from './text.ts';

export interface Quote {
  text: string;
  speaker: string | null;
  role: string | null;
}
export interface Summary {
  title: string;
  keyPoints: string[];
  quotes: Quote[];
}
export interface SummarizeInput {
  body: string;
  title?: string | undefined;
}
export interface SummarizeOptions {
  onDroppedQuote?: (quote: Quote, reason: string) => void;
  /** Called for a key point the compression verifier refused (not one source sentence with deletions only). */
  onDroppedKeyPoint?: (keyPoint: string, reason: string) => void;
}

/** The article cannot be summarized (no text, no sentences); a DigestError so the CLI names it plainly. */
export class SummarizeError extends DigestError {
  override name = 'SummarizeError';
}

const MAX_TITLE = 90;
const HARD_MAX_TITLE = 100;
const MIN_CLAUSE = 25;
const MIN_CUT = 45;
/** Where a long clause may be cut, strongest first: subordinate clauses, then prepositional phrases. */
const CUT_BEFORE = [
  /\s(?:during|despite|amid|after|before|following|while|as|which|who|that|because|although|since|when|where)\s/g,
  /\s(?:with|in|at|on|over|for|from|to|by|between|and|but|into|under|across|near)\s/g,
];
const WEEKDAY_PHRASE =
  /\s(?:on|late on|early on|last|this)\s(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)(?:\s(?:morning|afternoon|evening|night))?\b/g;
const TRAILING_WORDS = /\s+(?:the|a|an|of|and|or|but|to|in|on|at|for|with|by|from|its|their|his|her)$/i;

/**
 * A headline from the lead sentence, as an editor would trim it: weekday phrases and non-restrictive
 * clauses out, the main clause kept, at most ~90 characters (100 when no clean cut exists), no period.
 */
export function headline(lead: string): string {
  let text = squash(lead)
    .replace(/^[“"‘']+|[”"’']+$/g, '')
    .replace(WEEKDAY_PHRASE, '')
    .replace(/,\s(?:who|which|whose)\s[^,]{1,120},/g, '')
    .replace(/^([^,]{2,60}),\s(?:the|a|an)\s[^,]{3,80},\s(?=\p{Ll})/u, '$1 ');
  // The main clause: up to the first comma, semicolon or dash, if that leaves enough to say something.
  const clause = new RegExp(`^(.{${MIN_CLAUSE},}?)(?:[;:]\\s|\\s[—–-]\\s|,\\s)`).exec(text);
  if (clause?.[1]) text = clause[1];
  if (text.length > MAX_TITLE) {
    let cut = -1;
    for (const boundary of CUT_BEFORE) {
      for (const m of text.matchAll(boundary)) {
        const before = text.slice(0, m.index);
        // Never leave a dangling number or clock time ("from 7:20 a.m.").
        if (m.index >= MIN_CUT && m.index <= MAX_TITLE && !/(?:\d|[ap]\.m\.)$/.test(before)) cut = m.index;
      }
      if (cut > 0) break;
    }
    if (cut > 0) text = text.slice(0, cut);
    else if (text.length > HARD_MAX_TITLE) {
      const space = text.lastIndexOf(' ', MAX_TITLE);
      text = text.slice(0, space > 0 ? space : MAX_TITLE);
    }
  }
  let out = text.replace(/[\s,;:.—–-]+$/, '').trim();
  while (TRAILING_WORDS.test(out)) out = out.replace(TRAILING_WORDS, '');
  return out;
}

/** Share of each sentence's characters inside quotation marks, in one sweep over both (both are sorted). */
function quotedShares(sentences: Sentence[], spans: Span[]): number[] {
  const parts = spans.flatMap((span) => span.parts).sort((a, b) => a.start - b.start);
  const out: number[] = [];
  let first = 0;
  for (const s of sentences) {
    while (first < parts.length && (parts[first]?.end ?? 0) <= s.start) first++;
    let inside = 0;
    for (let p = first; p < parts.length; p++) {
      const part = parts[p];
      if (!part || part.start >= s.end) break;
      inside += Math.max(0, Math.min(part.end, s.end) - Math.max(part.start, s.start));
    }
    out.push(inside / Math.max(1, s.end - s.start));
  }
  return out;
}

export function summarize(input: SummarizeInput, options: SummarizeOptions = {}): Summary {
  if (typeof input?.body !== 'string') throw new SummarizeError('article body must be a string');
  const body = normalizeBody(input.body);
  if (words(body).length === 0) throw new SummarizeError('article has no text to summarize');
  const paras = paragraphs(body);
  const sentences = segment(body, paras);
  if (sentences.length === 0) throw new SummarizeError('article has no sentences to summarize');
  const spans = findSpans(body, paras);
  const shares = quotedShares(sentences, spans);
  const given = input.title?.trim();
  const title = given ? given : headline(sentences[0]?.text ?? '');
  const points = keyPoints(sentences, {
    quotedShare: (s) => shares[s.index] ?? 0,
    title,
    onDropped: (point, reason) => options.onDroppedKeyPoint?.(point, reason),
  });
  const dropped: DroppedQuote[] = [];
  const extracted = extractQuotes({ body, paragraphs: paras, sentences }, dropped);
  const toQuote = (q: ExtractedQuote): Quote => ({ text: q.text, speaker: q.speaker, role: q.role });
  // Only quotes that failed verification are reported: scare quotes, titles, slogans and unattributed
  // text are not quotes at all, and reporting them would drown the one log line that matters.
  if (options.onDroppedQuote)
    for (const d of dropped)
      if (d.reason === REASONS.notVerbatim) options.onDroppedQuote(toQuote(d.quote), d.reason);
  const quotes = verifyQuotes(extracted, body, (q, reason) =>
    options.onDroppedQuote?.(toQuote(q), reason),
  ).map(toQuote);
  return { title, keyPoints: points, quotes };
}
