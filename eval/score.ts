/**
 * Scoring one summary against one gold file. Each gold format keeps its own rules:
 *
 * - ours: a quote matches at token F1 ≥ 0.9, the speaker must be the exact full name, a key fact is
 *   covered when one key point contains one of its alternatives ("a & b": both in the same point);
 * - eval-real: the rules of `../shared/eval-real/score.mjs`, restated here so both give the same counts
 *   (coverage ≥ 0.8 of a gold quote's words; gold speaker tokens ⊆ system speaker tokens; a system
 *   quote is real when ≥ 0.8 of its words lie in one speaker's gold or optional quotes, and not counted
 *   when it is an optional quote; a key fact is covered when one key point holds ≥ 50% of its
 *   content words).
 *
 * Speaker accuracy is "right speaker, of all gold quotes" in both, as the eval-real scorer counts it.
 */
import type { Quote, Summary } from '../functions/core/summarize/index.ts';
import { rougeScores } from './rouge.ts';
import type { EvalCase, Gold, GoldFact, GoldQuote, RealGold } from './sets.ts';

export interface Counts {
  /** Gold quotes, gold quotes found, found with the right speaker (and role, ours only). */
  gold: number;
  matched: number;
  speakerCorrect: number;
  roleCorrect: number;
  /** System quotes judged (optional ones excluded) and how many of them are real quotes. */
  predicted: number;
  real: number;
  facts: number;
  factsCovered: number;
  notQuotesListed: number;
}

export interface ArticleScore {
  slug: string;
  part: string;
  counts: Counts;
  /** Words in each key point. */
  keyPointWords: number[];
  /** ROUGE F1 against the reference summary (eval-real key facts joined), when the gold has one. */
  rouge: { r1: number; r2: number; rl: number } | null;
  missedQuotes: GoldQuote[];
  extraQuotes: Quote[];
  wrongSpeakers: Array<{ text: string; expected: string | null; got: string | null }>;
  wrongRoles: Array<{ text: string; expected: string | null; got: string | null }>;
  missedFacts: string[];
  listedNotQuotes: string[];
}

export const emptyCounts = (): Counts => ({
  gold: 0,
  matched: 0,
  speakerCorrect: 0,
  roleCorrect: 0,
  predicted: 0,
  real: 0,
  facts: 0,
  factsCovered: 0,
  notQuotesListed: 0,
});

/** Words as a reader counts them: whitespace-separated tokens holding a letter or a digit. */
export function wordCount(text: string): number {
  return text.split(/\s+/).filter((w) => /[\p{L}\p{N}]/u.test(w)).length;
}

// ---- ours -------------------------------------------------------------------------------------------

/** Lowercase, plain quote marks, single spaces, no punctuation at either end. */
export function normalizeQuote(text: string): string {
  return text
    .replace(/[“”„«»]/g, '"')
    .replace(/[‘’‚]/g, "'")
    .replace(/\s+/g, ' ')
    .toLowerCase()
    .replace(/^[\s"'.,;:!?—–-]+|[\s"'.,;:!?—–-]+$/g, '');
}

function quoteTokens(text: string): string[] {
  return normalizeQuote(text).match(/[\p{L}\p{N}']+/gu) ?? [];
}

/** Token F1 between two quotes; 1 when they are the same after normalizing. */
export function quoteSimilarity(a: string, b: string): number {
  if (normalizeQuote(a) === normalizeQuote(b)) return 1;
  const ta = quoteTokens(a);
  const tb = quoteTokens(b);
  if (!ta.length || !tb.length) return 0;
  const bag = new Map<string, number>();
  for (const t of tb) bag.set(t, (bag.get(t) ?? 0) + 1);
  let common = 0;
  for (const t of ta) {
    const c = bag.get(t) ?? 0;
    if (c > 0) {
      common++;
      bag.set(t, c - 1);
    }
  }
  if (!common) return 0;
  const p = common / ta.length;
  const r = common / tb.length;
  return (2 * p * r) / (p + r);
}

const MATCH = 0.9;

function sameRole(a: string | null, b: string | null): boolean {
  const n = (s: string | null) => (s ?? '').replace(/[’]/g, "'").toLowerCase().trim();
  return n(a) === n(b);
}

function factCovered(fact: GoldFact, points: string[]): boolean {
  const lower = points.map((p) => p.toLowerCase().replace(/[’]/g, "'"));
  return fact.any.some((alt) => {
    const parts = alt
      .toLowerCase()
      .replace(/[’]/g, "'")
      .split('&')
      .map((s) => s.trim());
    return lower.some((p) => parts.every((part) => p.includes(part)));
  });
}

function scoreOurs(gold: Gold, summary: Summary, result: ArticleScore): void {
  const c = result.counts;
  c.gold = gold.quotes.length;
  c.predicted = summary.quotes.length;
  c.facts = gold.keyFacts.length;
  const used = new Set<number>();
  for (const g of gold.quotes) {
    let best = -1;
    let bestSim = 0;
    summary.quotes.forEach((q, i) => {
      if (used.has(i)) return;
      const sim = quoteSimilarity(g.text, q.text);
      if (sim > bestSim) {
        bestSim = sim;
        best = i;
      }
    });
    const q = summary.quotes[best];
    if (!q || bestSim < MATCH) {
      result.missedQuotes.push(g);
      continue;
    }
    used.add(best);
    c.matched++;
    c.real++;
    if (q.speaker === g.speaker) c.speakerCorrect++;
    else result.wrongSpeakers.push({ text: g.text, expected: g.speaker, got: q.speaker });
    if (sameRole(q.role, g.role)) c.roleCorrect++;
    else result.wrongRoles.push({ text: g.text, expected: g.role, got: q.role });
  }
  summary.quotes.forEach((q, i) => {
    if (!used.has(i)) result.extraQuotes.push(q);
    for (const n of gold.notQuotes) {
      if (quoteSimilarity(n, q.text) >= MATCH) {
        c.notQuotesListed++;
        result.listedNotQuotes.push(q.text);
      }
    }
  });
  for (const fact of gold.keyFacts) {
    if (factCovered(fact, summary.keyPoints)) c.factsCovered++;
    else result.missedFacts.push(fact.fact);
  }
}

// ---- eval-real (the rules of score.mjs) ------------------------------------------------------------

export function realTokens(s: string): string[] {
  return s
    .toLowerCase()
    .replace(/[’']/g, "'")
    .replace(/[^\p{L}\p{N}' ]+/gu, ' ')
    .split(/\s+/)
    .filter(Boolean);
}

/** Share of `part`'s words found in `whole`. */
function cover(part: string, whole: string[]): number {
  const w = new Set(whole);
  const p = realTokens(part);
  return p.length ? p.filter((t) => w.has(t)).length / p.length : 0;
}

const FACT_STOP = new Set(
  'the a an of to in and for on at by is was are with from that it its as be has have will would about this than'.split(
    ' ',
  ),
);

/** Share of a fact's content words held by the key point that holds the most of them. */
export function factShare(fact: string, keyPoints: string[]): number {
  const fw = realTokens(fact).filter((t) => !FACT_STOP.has(t));
  if (fw.length === 0) return 0;
  let best = 0;
  for (const k of keyPoints) {
    const kw = new Set(realTokens(k));
    best = Math.max(best, fw.filter((t) => kw.has(t)).length / fw.length);
  }
  return best;
}

function scoreReal(gold: RealGold, summary: Summary, result: ArticleScore): void {
  const c = result.counts;
  const quotes = summary.quotes;
  for (const g of gold.quotes) {
    c.gold++;
    // The first system quote that covers the gold one is the one whose speaker counts, as in score.mjs.
    const hit = quotes.find((q) => cover(g.text, realTokens(q.text ?? '')) >= 0.8);
    if (!hit) {
      result.missedQuotes.push(g);
      continue;
    }
    c.matched++;
    const gs = realTokens(g.speaker ?? '');
    const hs = realTokens(hit.speaker ?? '');
    if (gs.every((t) => hs.includes(t))) c.speakerCorrect++;
    else result.wrongSpeakers.push({ text: g.text, expected: g.speaker, got: hit.speaker });
  }
  const optional = gold.optional_quotes ?? [];
  const bySpeaker = new Map<string | null, string[]>();
  for (const g of [...gold.quotes, ...optional])
    bySpeaker.set(g.speaker, [...(bySpeaker.get(g.speaker) ?? []), ...realTokens(g.text)]);
  const allowed = [...bySpeaker.values()];
  for (const q of quotes) {
    if (optional.some((g) => cover(q.text ?? '', realTokens(g.text)) >= 0.8)) continue;
    c.predicted++;
    if (allowed.some((a) => cover(q.text ?? '', a) >= 0.8)) c.real++;
    else result.extraQuotes.push(q);
    const qt = realTokens(q.text ?? '');
    if (
      (gold.must_not_quote ?? []).some((m) => cover(m, qt) >= 0.8 && qt.length <= realTokens(m).length + 2)
    ) {
      c.notQuotesListed++;
      result.listedNotQuotes.push(q.text);
    }
  }
  for (const fact of gold.key_facts) {
    c.facts++;
    if (factShare(fact, summary.keyPoints) >= 0.5) c.factsCovered++;
    else result.missedFacts.push(fact);
  }
  if (gold.key_facts.length > 0 && summary.keyPoints.length > 0)
    result.rouge = rougeScores(summary.keyPoints, gold.key_facts);
}

/** Scores a summary (the summarizer's or a baseline's) against the case's gold. */
export function scoreCase(c: EvalCase, summary: Summary): ArticleScore {
  const result: ArticleScore = {
    slug: c.slug,
    part: c.part,
    counts: emptyCounts(),
    keyPointWords: summary.keyPoints.map(wordCount),
    rouge: null,
    missedQuotes: [],
    extraQuotes: [],
    wrongSpeakers: [],
    wrongRoles: [],
    missedFacts: [],
    listedNotQuotes: [],
  };
  if (c.gold.format === 'ours') scoreOurs(c.gold.gold, summary, result);
  else scoreReal(c.gold.gold, summary, result);
  return result;
}
