/**
 * Key points: an extractive summary in the TextRank/LexRank family.
 *
 * 1. Each sentence becomes a BM25-weighted bag of stemmed content terms (IDF over the article's sentences).
 * 2. Sentences are nodes of a graph weighted by cosine similarity; a personalized PageRank whose restart
 *    vector favours the lead (news puts the key facts first) gives each sentence a centrality score.
 * 3. Sentences that cannot stand alone (dangling pronoun or connective at the start, mostly a quotation,
 *    an open quote, a question) are not eligible.
 * 4. Maximal Marginal Relevance picks k sentences, trading score against similarity to those already picked;
 *    the picks are returned in article order.
 */
import type { Sentence } from './sentences.ts';
import { terms, words } from './text.ts';

type Vector = Map<string, number>;

const DANGLING_START =
  /^[\s"'“‘(]*(?:he|she|they|it|its|his|her|their|them|this|that|these|those|such|but|however|and|also|so|yet|still|instead|meanwhile|nevertheless|moreover|furthermore|besides|then|there|the two)\b/i;
const SPEECH_TAIL =
  /,\s*(?:he|she|they|it|[\p{Lu}][\p{L}'’-]+(?:\s+[\p{Lu}][\p{L}'’-]+){0,3})\s+(?:said|says|added|told|noted|argued|warned|explained)\b[^.]*\.?["”]?$/u;
const QUOTE_CHARS = /["“”]/g;

export interface KeyPointOptions {
  /** How many key points to return (3–6 by default, from the article's length). */
  count?: number;
}

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

function cosine(a: Vector, b: Vector): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (const [t, x] of a) {
    na += x * x;
    const y = b.get(t);
    if (y !== undefined) dot += x * y;
  }
  for (const y of b.values()) nb += y * y;
  return na && nb ? dot / Math.sqrt(na * nb) : 0;
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

/** Share of a sentence's words that sit inside quotation marks. */
function quotedShare(text: string): number {
  const total = words(text).length || 1;
  let quoted = 0;
  const marks = text.match(QUOTE_CHARS)?.length ?? 0;
  if (marks === 0) return 0;
  for (const m of text.matchAll(/[“"]([^”"]*)(?:[”"]|$)/g)) quoted += words(m[1] ?? '').length;
  if (/^[^“"]*[”"]/.test(text)) quoted += words(text.split(/[”"]/)[0] ?? '').length;
  return quoted / total;
}

/** Whether a sentence reads on its own, without the sentence before it. */
export function isStandalone(sentence: Sentence): boolean {
  const text = sentence.text;
  const n = words(text).length;
  if (n < 6 || n > 70) return false;
  if (DANGLING_START.test(text)) return false;
  if (/[?:]["”]?$/.test(text) || !/[.!]["”’)]?$/.test(text)) return false;
  const marks = text.match(QUOTE_CHARS)?.length ?? 0;
  if (marks % 2 === 1) return false;
  if (quotedShare(text) > 0.3) return false;
  if (SPEECH_TAIL.test(text) && /\b(?:he|she|they)\s+(?:said|says|added)\b/.test(text)) return false;
  return true;
}

/** Default number of key points for an article with `n` sentences. */
export function defaultCount(n: number): number {
  return Math.min(6, Math.max(3, Math.ceil(n / 3)), n);
}

export function keyPoints(sentences: Sentence[], options: KeyPointOptions = {}): string[] {
  const n = sentences.length;
  if (n === 0) return [];
  const k = Math.min(options.count ?? defaultCount(n), n);
  const vectors = bm25Vectors(sentences.map((s) => terms(s.text)));
  const sim: number[][] = vectors.map((a, i) => vectors.map((b, j) => (i === j ? 0 : cosine(a, b))));
  // Lead bias: restart mass decays with position (half-life of about three sentences).
  const raw = sentences.map((_, i) => 0.5 ** (i / 3) + 0.05);
  const sum = raw.reduce((s, x) => s + x, 0);
  const restart = raw.map((x) => x / sum);
  const rank = pageRank(sim, restart);
  const max = Math.max(...rank) || 1;
  const score = rank.map((r) => r / max);

  let eligible = sentences.filter(isStandalone).map((s) => s.index);
  if (eligible.length < k) {
    // Too few clean sentences: fall back to every sentence that has some substance.
    const extra = sentences.filter((s) => !eligible.includes(s.index) && words(s.text).length >= 4);
    eligible = [...eligible, ...extra.map((s) => s.index)];
  }
  const picked: number[] = [];
  const lambda = 0.7;
  while (picked.length < k && picked.length < eligible.length) {
    let best = -1;
    let bestValue = Number.NEGATIVE_INFINITY;
    for (const i of eligible) {
      if (picked.includes(i)) continue;
      const redundancy = picked.reduce((m, j) => Math.max(m, sim[i]?.[j] ?? 0), 0);
      const value = lambda * (score[i] ?? 0) - (1 - lambda) * redundancy;
      if (value > bestValue) {
        bestValue = value;
        best = i;
      }
    }
    if (best < 0) break;
    picked.push(best);
  }
  return picked.sort((a, b) => a - b).map((i) => sentences[i]?.text ?? '');
}
