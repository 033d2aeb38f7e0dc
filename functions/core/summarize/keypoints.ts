/**
 * Key points: 3–6 source sentences, each compressed by deletion only, in article order.
 *
 * Ranking combines established single-document methods, all in near-linear time:
 * - centrality: similarity of the sentence's sparse BM25 vector to the article's centroid, linear in the
 *   article's length (keypoints/centrality.ts);
 * - concept coverage (Gillick & Favre's objective, maximized greedily): a sentence earns credit only for
 *   content words, names and numbers no chosen sentence has covered yet, per word it takes, so
 *   redundancy is removed by construction and a compact sentence beats a long one saying the same;
 * - Edmundson's features: overlap with the title (or the lead when there is none), a cue for
 *   forward-looking facts ("will", "scheduled"), and location (a position decay: the lead is weighted,
 *   not sufficient);
 * - sentences in paragraphs built around a quotation (colour, not facts) weigh a little less.
 *
 * Each chosen sentence is compressed (keypoints/compress.ts) and the verifier (keypoints/faithful.ts)
 * keeps only points that are deletions of their sentence; one that is not is dropped and reported.
 */

import { centroidSimilarity } from './keypoints/centrality.ts';
import { compress } from './keypoints/compress.ts';
import { verifyKeyPoints } from './keypoints/faithful.ts';
import type { Sentence } from './sentences.ts';
import { isStopword, stem, terms, words } from './text.ts';

const DANGLING_START =
  /^[\s"'“‘(]*(?:he|she|they|it|its|his|her|their|them|this|that|these|those|such|but|however|and|also|so|yet|still|instead|meanwhile|nevertheless|moreover|furthermore|besides|then|there|the two)\b/i;
const SPEECH_TAIL =
  /,\s*(?:he|she|they|it|[\p{Lu}][\p{L}'’-]+(?:\s+[\p{Lu}][\p{L}'’-]+){0,3})\s+(?:said|says|added|told|noted|argued|warned|explained)\b[^.]*\.?["”]?$/u;
const QUOTE_CHARS = /["“”]/g;

export interface KeyPointOptions {
  /** How many key points to return (3–6 by default, from the article's length). */
  count?: number;
  /** Share (0–1) of a sentence's characters that lie inside quotation marks, from the quote finder. */
  quotedShare?: (sentence: Sentence) => number;
  /** The article's title; the lead sentence stands in when there is none. */
  title?: string;
  /** Called for a key point the verifier refused (not a deletion of its sentence). */
  onDropped?: (keyPoint: string, reason: string) => void;
  /** Compression step, replaceable so a test can feed the verifier an unfaithful point. */
  compressor?: (sentence: string) => string;
  /** Replaces some ranking weights (for the evaluation's parameter studies; the defaults are the tuned ones). */
  weights?: Partial<Weights>;
}

const DEFAULT_WEIGHTS = {
  /** Credit for a new number (a new word earns 1). */
  number: 2,
  /** Credit for a new multi-word name. */
  nameConcept: 1.5,
  /** Concept gain is divided by (words ^ lengthExponent): compact sentences win ties. */
  lengthExponent: 0.75,
  /** Scale of the length-normalized gain. */
  gain: 3,
  /** Centrality: similarity to the article's centroid (0–1). */
  centroid: 4,
  /** Share of the title's content words the sentence repeats (0–1). */
  title: 8,
  /** Forward-looking cue. */
  future: 4,
  /** Position decay: value / (1 + index / location). */
  location: 8,
  /** Discount for sentences in a paragraph built around a quotation. */
  quoteParagraph: 0.3,
  /** Share of a sentence inside quotation marks above which it is someone's quote, not a key point. */
  maxQuoted: 0.5,
  /**
   * A candidate whose concepts (by weight) are more than this share covered by the points already chosen
   * repeats them and is skipped: the title and centroid terms alone can otherwise pick a photo caption
   * that restates the lead.
   */
  maxRedundancy: 0.8,
};

export type Weights = typeof DEFAULT_WEIGHTS;

/** At most this many key points: a digest entry, not a second article. */
const MAX_POINTS = 6;

/** At most this many best-placed candidates enter the greedy selection (bounded cost on huge articles). */
const MAX_CANDIDATES = 300;

const FUTURE_CUE = /\b(?:will|expects?|expected|scheduled|plans?|planned|due to|next)\b/i;
const CALENDAR =
  /^(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|january|february|march|april|may|june|july|august|september|october|november|december)$/;

/** Share of a sentence's words inside quotation marks, from the text alone (used when no spans are given). */
function quotedShareOfText(text: string): number {
  const total = words(text).length || 1;
  let quoted = 0;
  const marks = text.match(QUOTE_CHARS)?.length ?? 0;
  if (marks === 0) return 0;
  for (const m of text.matchAll(/[“"]([^”"]*)(?:[”"]|$)/g)) quoted += words(m[1] ?? '').length;
  if (/^[^“"]*[”"]/.test(text)) quoted += words(text.split(/[”"]/)[0] ?? '').length;
  return quoted / total;
}

/** A photo caption left in the text: one present-tense sentence naming a day ("X holds a candle Tuesday."). */
const CAPTION =
  /^(?:[A-Z][\p{L}'’.-]*\s){1,4}(?:[a-z]+s)\b[^.]*\b(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b/u;
/** Notes about the article, not news: "Editor's note: …", "This story has been updated…". */
const META =
  /^(?:Editor['’]s note|Note|Correction|Clarification|Update|Updated)\b|^This (?:story|article|piece) (?:has been|was) updated/i;

/** Why a sentence cannot be a key point (null when it can): too short or long, a question, a caption… */
function unfit(sentence: Sentence, text: string, shortParagraph: boolean): string | null {
  const n = words(text).length;
  if (n < 4 || words(sentence.text).length > 70) return 'length';
  if (DANGLING_START.test(text)) return 'dangling start';
  if (/[?:]["”]?$/.test(text) || !/[.!]["”’)]?$/.test(text)) return 'not a statement';
  if (META.test(text)) return 'note about the article';
  if (shortParagraph && n <= 25 && CAPTION.test(text) && !/\b(?:said|says|told)\b/.test(text))
    return 'caption';
  const marks = text.match(QUOTE_CHARS)?.length ?? 0;
  if (marks % 2 === 1) return 'open quote';
  if (SPEECH_TAIL.test(text) && /\b(?:he|she|they)\s+(?:said|says|added)\b/.test(text))
    return 'dangling speaker';
  return null;
}

/** Default number of key points: about one in two sentences, at least 3 and at most 6. */
export function defaultCount(n: number): number {
  return Math.min(n, Math.max(3, Math.min(MAX_POINTS, Math.round(n / 2))));
}

/**
 * Content concepts of a text: stemmed words and numbers (hyphenated words count part by part); a name
 * of several capitalized words ("The Wall Street Journal", "Group of 20") is one concept, as it is one
 * thing, and a weekday or month counts half (a date is rarely what a story is about).
 */
function concepts(text: string, weights: Weights = DEFAULT_WEIGHTS): Map<string, number> {
  const out = new Map<string, number>();
  const names = /(?<!^)(?<![.!?]\s)\b\p{Lu}[\p{L}'’.-]*(?:\s(?:of\s|de\s|the\s)?\p{Lu}[\p{L}'’.-]*)+/gu;
  const rest = text.replace(names, (name) => {
    out.set(name.toLowerCase(), weights.nameConcept);
    return ' ';
  });
  for (const w of words(rest.replace(/[-–—/]/g, ' '))) {
    if (w.length < 2 || isStopword(w)) continue;
    const lower = w.toLowerCase();
    if (CALENDAR.test(lower)) out.set(lower, 0.5);
    else out.set(stem(w), /\d/.test(w) ? weights.number : 1);
  }
  return out;
}

interface Candidate {
  index: number;
  /** The compressed text and its concepts. */
  text: string;
  concepts: Map<string, number>;
  words: number;
  /** Everything but the redundancy-dependent gain, already weighted. */
  prior: number;
  /** Multiplier from position and quote paragraphs. */
  factor: number;
}

export function keyPoints(sentences: Sentence[], options: KeyPointOptions = {}): string[] {
  const n = sentences.length;
  if (n === 0) return [];
  const weights: Weights = { ...DEFAULT_WEIGHTS, ...options.weights };
  const k = Math.min(options.count ?? defaultCount(n), n);
  const quotedOf = options.quotedShare ?? ((s: Sentence) => quotedShareOfText(s.text));
  const quoted = sentences.map(quotedOf);
  const quoteParagraphs = new Set(
    sentences.filter((_, i) => (quoted[i] ?? 0) > weights.maxQuoted).map((s) => s.paragraph),
  );
  const centroid = centroidSimilarity(sentences.map((s) => terms(s.text)));
  const titleTerms = new Set(concepts(options.title ?? sentences[0]?.text ?? '', weights).keys());
  const shrink = options.compressor ?? ((text: string) => compress(text).text);

  const paragraphSize = new Map<number, number>();
  for (const s of sentences) paragraphSize.set(s.paragraph, (paragraphSize.get(s.paragraph) ?? 0) + 1);
  const wordCount = sentences.map((s) => words(s.text).length);
  const factorOf = (i: number): number =>
    (1 / (1 + i / weights.location)) *
    (quoteParagraphs.has(sentences[i]?.paragraph ?? -1) ? 1 - weights.quoteParagraph : 1);
  const priorOf = (i: number, c: Map<string, number>): number => {
    let shared = 0;
    for (const t of c.keys()) if (titleTerms.has(t)) shared++;
    const title = titleTerms.size ? shared / titleTerms.size : 0;
    return (
      weights.centroid * (centroid[i] ?? 0) +
      weights.title * title +
      (FUTURE_CUE.test(sentences[i]?.text ?? '') ? weights.future : 0)
    );
  };
  // The shortlist of a long article: the best by centrality and position (cheap, no per-sentence concepts).
  const shortlist = (indices: number[]): number[] =>
    indices.length <= MAX_CANDIDATES
      ? indices
      : indices
          .map((i) => ({ i, score: ((centroid[i] ?? 0) + 0.1) * factorOf(i) }))
          .sort((a, b) => b.score - a.score || a.i - b.i)
          .slice(0, MAX_CANDIDATES)
          .map((x) => x.i)
          .sort((a, b) => a - b);
  // A cheap pass on the sentence as written, then a bounded shortlist by prior and position (the greedy
  // loop below is k × shortlist); only the shortlist is compressed and judged on what it would read.
  const plausible = sentences
    .filter(
      (_s, i) =>
        (quoted[i] ?? 0) <= weights.maxQuoted && (wordCount[i] ?? 0) >= 4 && (wordCount[i] ?? 0) <= 70,
    )
    .map((s) => s.index);
  const compressed = new Map<number, string>();
  const shrunk = (i: number): string => {
    let text = compressed.get(i);
    if (text === undefined) {
      const source = sentences[i]?.text ?? '';
      text = (wordCount[i] ?? 0) > 70 ? source : shrink(source);
      compressed.set(i, text);
    }
    return text;
  };
  let eligible = shortlist(plausible).filter((i) => {
    const s = sentences[i];
    return !!s && unfit(s, shrunk(i), (paragraphSize.get(s.paragraph) ?? 0) <= 2) === null;
  });
  if (eligible.length < k) {
    // Too few clean sentences: fall back to the others, those with some substance first.
    const taken = new Set(eligible);
    const rest = sentences.filter((s) => !taken.has(s.index));
    const substantial = rest.filter((s) => (wordCount[s.index] ?? 0) >= 4).map((s) => s.index);
    const thin = rest.filter((s) => (wordCount[s.index] ?? 0) < 4).map((s) => s.index);
    eligible = [...eligible, ...shortlist(substantial), ...thin].slice(0, Math.max(MAX_CANDIDATES, k));
  }
  const candidates: Candidate[] = eligible.map((i) => {
    const text = shrunk(i);
    const c = concepts(text, weights);
    return {
      index: i,
      text,
      concepts: c,
      words: Math.max(1, words(text).length),
      prior: priorOf(i, c),
      factor: factorOf(i),
    };
  });

  const covered = new Set<string>();
  const picked: Candidate[] = [];
  const used = new Set<number>();
  while (picked.length < k && picked.length < candidates.length) {
    let best: Candidate | undefined;
    let bestValue = Number.NEGATIVE_INFINITY;
    for (const c of candidates) {
      if (used.has(c.index)) continue;
      let gain = 0;
      let total = 0;
      for (const [t, w] of c.concepts) {
        total += w;
        if (!covered.has(t)) gain += w;
      }
      if (picked.length > 0 && total > 0 && 1 - gain / total > weights.maxRedundancy) continue;
      const value = (weights.gain * (gain / c.words ** weights.lengthExponent) + c.prior) * c.factor;
      if (value > bestValue) {
        bestValue = value;
        best = c;
      }
    }
    if (!best) break;
    picked.push(best);
    used.add(best.index);
    for (const t of best.concepts.keys()) covered.add(t);
  }
  picked.sort((a, b) => a.index - b.index);
  return verifyKeyPoints(
    picked.map((c) => ({ text: c.text, source: sentences[c.index]?.text ?? '' })),
    options.onDropped,
  );
}
