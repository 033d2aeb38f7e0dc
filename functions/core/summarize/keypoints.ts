/**
 * Key points: an extractive summary, 3–6 verbatim sentences in article order.
 *
 * Ranking combines established single-document methods:
 * - TextRank/LexRank centrality: a personalized PageRank over BM25-weighted cosine similarity between
 *   sentences, with a restart vector biased towards the lead (news puts the key facts first);
 * - concept coverage (Gillick & Favre's objective, maximized greedily): a sentence earns credit only for
 *   content words, names and numbers no chosen sentence has covered yet, so redundancy is removed by
 *   construction (the role MMR plays in other systems);
 * - Edmundson's features: overlap with the title (or the lead when there is none), a cue for
 *   forward-looking facts ("will", "scheduled", "next"), and location (a gentle position decay);
 * - sentences in paragraphs built around a quotation (colour, not facts) weigh a little less.
 *
 * Only clean standalone sentences are eligible: no dangling pronoun or connective at the start, not
 * mostly a quotation, no open quote, no question. The weights below were chosen on the evaluation set
 * (eval/) and the seed article as a plateau, not a peak: neighbouring values score within two points.
 */
import type { Sentence } from './sentences.ts';
import { isStopword, stem, terms, words } from './text.ts';

type Vector = Map<string, number>;

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
}

const WEIGHTS = {
  /** Credit for a new number (a new word earns 1). */
  number: 2,
  /** Centrality (0–1, TextRank with lead bias). */
  centrality: 2,
  /** Share of the title's content words the sentence repeats (0–1). */
  title: 16,
  /** Forward-looking cue. */
  future: 4,
  /** Position decay: value / (1 + index / location). */
  location: 8,
  /** Discount for sentences in a paragraph built around a quotation. */
  quoteParagraph: 0.3,
};

const FUTURE_CUE = /\b(?:will|expects?|expected|scheduled|plans?|planned|due to|next)\b/i;
const CALENDAR =
  /^(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|january|february|march|april|may|june|july|august|september|october|november|december)$/;

function bm25Vectors(tokenLists: string[][]): Vector[] {
  const n = tokenLists.length;
  const df = new Map<string, number>();
  for (const tokens of tokenLists) for (const t of new Set(tokens)) df.set(t, (df.get(t) ?? 0) + 1);
  const avg = tokenLists.reduce((s, t) => s + t.length, 0) / Math.max(1, n) || 1;
  const k1 = 1.2;
  const b = 0.75;
  return tokenLists.map((tokens) => {
    const tf = new Map<string, number>();
    for (const t of tokens) tf.set(t, (tf.get(t) ?? 0) + 1);
    const v: Vector = new Map();
    for (const [t, f] of tf) {
      const idf = Math.log(1 + (n - (df.get(t) ?? 0) + 0.5) / ((df.get(t) ?? 0) + 0.5));
      v.set(t, (idf * (f * (k1 + 1))) / (f + k1 * (1 - b + (b * tokens.length) / avg)));
    }
    return v;
  });
}

function norm(v: Vector): number {
  let sum = 0;
  for (const x of v.values()) sum += x * x;
  return Math.sqrt(sum);
}

function cosine(a: Vector, b: Vector, na: number, nb: number): number {
  if (!na || !nb) return 0;
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  let dot = 0;
  for (const [t, x] of small) {
    const y = large.get(t);
    if (y !== undefined) dot += x * y;
  }
  return dot / (na * nb);
}

/** Personalized PageRank over a symmetric weighted graph. */
function pageRank(sim: number[][], restart: number[], damping = 0.85, iterations = 50): number[] {
  const n = restart.length;
  const outSum = sim.map((row) => row.reduce((s, x) => s + x, 0));
  let rank = restart.slice();
  for (let it = 0; it < iterations; it++) {
    const next = restart.map((r) => (1 - damping) * r);
    let dangling = 0;
    for (let j = 0; j < n; j++) {
      const rj = rank[j] ?? 0;
      const sj = outSum[j] ?? 0;
      if (sj === 0) {
        dangling += rj;
        continue;
      }
      const row = sim[j] ?? [];
      for (let i = 0; i < n; i++) {
        const w = row[i] ?? 0;
        if (w) next[i] = (next[i] ?? 0) + (damping * rj * w) / sj;
      }
    }
    for (let i = 0; i < n; i++) next[i] = (next[i] ?? 0) + damping * dangling * (restart[i] ?? 0);
    let delta = 0;
    for (let i = 0; i < n; i++) delta += Math.abs((next[i] ?? 0) - (rank[i] ?? 0));
    rank = next;
    if (delta < 1e-9) break;
  }
  return rank;
}

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

/** Whether a sentence reads on its own, without the sentence before it, and is not someone's quote. */
export function isStandalone(sentence: Sentence, quoted: number = quotedShareOfText(sentence.text)): boolean {
  const text = sentence.text;
  const n = words(text).length;
  if (n < 4 || n > 70) return false;
  if (DANGLING_START.test(text)) return false;
  if (/[?:]["”]?$/.test(text) || !/[.!]["”’)]?$/.test(text)) return false;
  if (quoted > 0.3) return false;
  const marks = text.match(QUOTE_CHARS)?.length ?? 0;
  if (marks % 2 === 1) return false;
  if (SPEECH_TAIL.test(text) && /\b(?:he|she|they)\s+(?:said|says|added)\b/.test(text)) return false;
  return true;
}

/** Default number of key points: about one in two sentences, at least 3 and at most 6. */
export function defaultCount(n: number): number {
  return Math.min(n, Math.max(3, Math.min(6, Math.round(n / 2))));
}

/** Content concepts of a sentence (stemmed words and numbers; hyphenated words count part by part). */
function concepts(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const w of words(text.replace(/[-–—/]/g, ' '))) {
    if (w.length < 2 || isStopword(w)) continue;
    const lower = w.toLowerCase();
    out.set(CALENDAR.test(lower) ? lower : stem(w), /\d/.test(w) ? WEIGHTS.number : 1);
  }
  return out;
}

/** TextRank-style centrality with a lead-biased restart, scaled to 0–1. */
export function centrality(sentences: Sentence[]): number[] {
  const vectors = bm25Vectors(sentences.map((s) => terms(s.text)));
  const norms = vectors.map(norm);
  const sim: number[][] = vectors.map((a, i) =>
    vectors.map((b, j) => (i === j ? 0 : cosine(a, b, norms[i] ?? 0, norms[j] ?? 0))),
  );
  // Restart mass halves every three sentences.
  const raw = sentences.map((_, i) => 0.5 ** (i / 3) + 0.05);
  const sum = raw.reduce((s, x) => s + x, 0);
  const rank = pageRank(
    sim,
    raw.map((x) => x / sum),
  );
  const max = Math.max(...rank) || 1;
  return rank.map((r) => r / max);
}

export function keyPoints(sentences: Sentence[], options: KeyPointOptions = {}): string[] {
  const n = sentences.length;
  if (n === 0) return [];
  const k = Math.min(options.count ?? defaultCount(n), n);
  const central = centrality(sentences);
  const quotedOf = options.quotedShare ?? ((s: Sentence) => quotedShareOfText(s.text));
  const quoted = sentences.map(quotedOf);
  const quoteParagraphs = new Set(sentences.filter((_, i) => (quoted[i] ?? 0) > 0.3).map((s) => s.paragraph));
  const titleTerms = new Set(concepts(options.title ?? sentences[0]?.text ?? '').keys());
  const titleOverlap = sentences.map((s) => {
    if (titleTerms.size === 0) return 0;
    let shared = 0;
    for (const c of concepts(s.text).keys()) if (titleTerms.has(c)) shared++;
    return shared / titleTerms.size;
  });
  const sentenceConcepts = sentences.map((s) => concepts(s.text));

  let eligible = sentences.filter((s, i) => isStandalone(s, quoted[i] ?? 0)).map((s) => s.index);
  if (eligible.length < k) {
    // Too few clean sentences: fall back to every sentence that has some substance.
    const rest = sentences.filter((s) => !eligible.includes(s.index));
    const substantial = rest.filter((s) => words(s.text).length >= 4);
    eligible = [...eligible, ...substantial.map((s) => s.index)];
    if (eligible.length < k)
      eligible = [...eligible, ...rest.filter((s) => !substantial.includes(s)).map((s) => s.index)];
  }
  const covered = new Set<string>();
  const picked: number[] = [];
  while (picked.length < k && picked.length < eligible.length) {
    let best = -1;
    let bestValue = Number.NEGATIVE_INFINITY;
    for (const i of eligible) {
      if (picked.includes(i)) continue;
      const s = sentences[i];
      if (!s) continue;
      let gain = 0;
      for (const [c, w] of sentenceConcepts[i] ?? []) if (!covered.has(c)) gain += w;
      const value =
        ((gain +
          WEIGHTS.centrality * (central[i] ?? 0) +
          WEIGHTS.title * (titleOverlap[i] ?? 0) +
          (FUTURE_CUE.test(s.text) ? WEIGHTS.future : 0)) /
          (1 + i / WEIGHTS.location)) *
        (quoteParagraphs.has(s.paragraph) ? 1 - WEIGHTS.quoteParagraph : 1);
      if (value > bestValue) {
        bestValue = value;
        best = i;
      }
    }
    if (best < 0) break;
    picked.push(best);
    for (const c of sentenceConcepts[best]?.keys() ?? []) covered.add(c);
  }
  return picked.sort((a, b) => a - b).map((i) => sentences[i]?.text ?? '');
}
