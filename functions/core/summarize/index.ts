/**
 * The article summarizer: headline, key points and verified, attributed quotes.
 * Pure, synchronous and deterministic: no I/O, no environment, no clock.
 */
import { keyPoints } from './keypoints.ts';
import { type DroppedQuote, type ExtractedQuote, extractQuotes, verifyQuotes } from './quotes.ts';
import { paragraphs, segment } from './sentences.ts';
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
}

export class SummarizeError extends Error {
  override name = 'SummarizeError';
}

const MAX_TITLE = 90;
const CUT_BEFORE =
  /\s(?:during|despite|amid|after|before|following|while|as|which|who|because|although|since|with|in|at|on|over|for)\s/g;

/** A headline from the lead sentence: its first clause, at most ~90 characters, no trailing period. */
export function headline(lead: string): string {
  let text = squash(lead).replace(/^[“"‘']+|[”"’']+$/g, '');
  const clause = /^(.{30,}?)(?:[;:]|\s[—–-]\s|,\s)/.exec(text);
  if (clause?.[1] && clause[1].length <= MAX_TITLE) text = clause[1];
  if (text.length > MAX_TITLE) {
    let cut = -1;
    for (const m of text.matchAll(CUT_BEFORE)) if (m.index >= 30 && m.index <= MAX_TITLE) cut = m.index;
    if (cut < 0) cut = text.lastIndexOf(' ', MAX_TITLE);
    text = text.slice(0, cut > 0 ? cut : MAX_TITLE);
  }
  return text.replace(/[\s,;:.—–-]+$/, '').trim();
}

export function summarize(input: SummarizeInput, options: SummarizeOptions = {}): Summary {
  if (typeof input?.body !== 'string') throw new SummarizeError('article body must be a string');
  const body = normalizeBody(input.body);
  if (words(body).length === 0) throw new SummarizeError('article has no text to summarize');
  const paras = paragraphs(body);
  const sentences = segment(body, paras);
  if (sentences.length === 0) throw new SummarizeError('article has no sentences to summarize');
  const points = keyPoints(sentences);
  const given = input.title?.trim();
  const title = given ? given : headline(sentences[0]?.text ?? '');
  const dropped: DroppedQuote[] = [];
  const extracted = extractQuotes({ body, paragraphs: paras, sentences }, dropped);
  const toQuote = (q: ExtractedQuote): Quote => ({ text: q.text, speaker: q.speaker, role: q.role });
  if (options.onDroppedQuote) for (const d of dropped) options.onDroppedQuote(toQuote(d.quote), d.reason);
  const quotes = verifyQuotes(extracted, body, (q, reason) =>
    options.onDroppedQuote?.(toQuote(q), reason),
  ).map(toQuote);
  return { title, keyPoints: points, quotes };
}
