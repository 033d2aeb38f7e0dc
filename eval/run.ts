/**
 * Evaluation of the summarizer against hand-written gold files.
 *
 *   npm run eval            per-article and overall figures
 *   npm run eval -- --json  the same as one JSON document
 *
 * Gold file shape (eval/gold/NN-slug.json):
 *   quotes:    [{ text, speaker, role }]   every direct quotation an editor would list
 *   notQuotes: [text]                      quoted text that must NOT be listed (scare quotes, titles, slogans…)
 *   keyFacts:  [{ fact, any: [alt, …] }]   a fact is covered when one key point contains an alternative;
 *                                          "a & b" means both a and b must appear in the same key point
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { type Quote, type Summary, summarize } from '../functions/core/summarize/index.ts';

export interface GoldQuote {
  text: string;
  speaker: string | null;
  role: string | null;
}
export interface GoldFact {
  fact: string;
  any: string[];
}
export interface Gold {
  quotes: GoldQuote[];
  notQuotes: string[];
  keyFacts: GoldFact[];
}
export interface EvalCase {
  slug: string;
  title: string | undefined;
  body: string;
  gold: Gold;
}
export interface Counts {
  gold: number;
  predicted: number;
  matched: number;
  speakerCorrect: number;
  roleCorrect: number;
  facts: number;
  factsCovered: number;
  notQuotesListed: number;
}
export interface ArticleResult {
  slug: string;
  counts: Counts;
  summary: Summary;
  missedQuotes: GoldQuote[];
  extraQuotes: Quote[];
  wrongSpeakers: Array<{ text: string; expected: string | null; got: string | null }>;
  wrongRoles: Array<{ text: string; expected: string | null; got: string | null }>;
  missedFacts: string[];
  listedNotQuotes: string[];
}
export interface Metrics {
  quotePrecision: number;
  quoteRecall: number;
  speakerAccuracy: number;
  roleAccuracy: number;
  keyFactCoverage: number;
  notQuotesListed: number;
}
export interface EvalReport {
  articles: ArticleResult[];
  overall: Metrics;
  counts: Counts;
}

export const EVAL_DIR = dirname(fileURLToPath(import.meta.url));

/** Targets from issue 3. */
export const TARGETS = {
  quotePrecision: 0.95,
  quoteRecall: 0.95,
  speakerAccuracy: 0.95,
  keyFactCoverage: 0.8,
};

/** Splits optional YAML front matter (`---\ntitle: …\n---`) from an article file. */
export function parseArticle(text: string): { title: string | undefined; body: string } {
  const m = /^\uFEFF?---\r?\n([\s\S]*?)\r?\n---\r?\n?/.exec(text);
  if (!m) return { title: undefined, body: text };
  const meta: unknown = parseYaml(m[1] ?? '');
  const title =
    meta && typeof meta === 'object' && 'title' in meta && typeof meta.title === 'string'
      ? meta.title
      : undefined;
  return { title, body: text.slice(m[0].length) };
}

export function loadEvalSet(dir: string = EVAL_DIR): EvalCase[] {
  const articles = join(dir, 'articles');
  return readdirSync(articles)
    .filter((f) => f.endsWith('.txt'))
    .sort()
    .map((file) => {
      const slug = basename(file, '.txt');
      const { title, body } = parseArticle(readFileSync(join(articles, file), 'utf8'));
      const gold = JSON.parse(readFileSync(join(dir, 'gold', `${slug}.json`), 'utf8')) as Gold;
      return { slug, title, body, gold };
    });
}

/** Lowercase, plain quote marks, single spaces, no punctuation at either end. */
export function normalizeQuote(text: string): string {
  return text
    .replace(/[“”„«»]/g, '"')
    .replace(/[‘’‚]/g, "'")
    .replace(/\s+/g, ' ')
    .toLowerCase()
    .replace(/^[\s"'.,;:!?—–-]+|[\s"'.,;:!?—–-]+$/g, '');
}

function tokens(text: string): string[] {
  return normalizeQuote(text).match(/[\p{L}\p{N}']+/gu) ?? [];
}

/** Token F1 between two quotes; 1 when they are the same after normalizing. */
export function quoteSimilarity(a: string, b: string): number {
  if (normalizeQuote(a) === normalizeQuote(b)) return 1;
  const ta = tokens(a);
  const tb = tokens(b);
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

export function evaluateCase(c: EvalCase): ArticleResult {
  const summary = summarize({ body: c.body, title: c.title });
  const used = new Set<number>();
  const result: ArticleResult = {
    slug: c.slug,
    summary,
    counts: {
      gold: c.gold.quotes.length,
      predicted: summary.quotes.length,
      matched: 0,
      speakerCorrect: 0,
      roleCorrect: 0,
      facts: c.gold.keyFacts.length,
      factsCovered: 0,
      notQuotesListed: 0,
    },
    missedQuotes: [],
    extraQuotes: [],
    wrongSpeakers: [],
    wrongRoles: [],
    missedFacts: [],
    listedNotQuotes: [],
  };
  for (const g of c.gold.quotes) {
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
    result.counts.matched++;
    if (q.speaker === g.speaker) result.counts.speakerCorrect++;
    else result.wrongSpeakers.push({ text: g.text, expected: g.speaker, got: q.speaker });
    if (sameRole(q.role, g.role)) result.counts.roleCorrect++;
    else result.wrongRoles.push({ text: g.text, expected: g.role, got: q.role });
  }
  summary.quotes.forEach((q, i) => {
    if (!used.has(i)) result.extraQuotes.push(q);
    for (const n of c.gold.notQuotes) {
      if (quoteSimilarity(n, q.text) >= MATCH) {
        result.counts.notQuotesListed++;
        result.listedNotQuotes.push(q.text);
      }
    }
  });
  for (const fact of c.gold.keyFacts) {
    if (factCovered(fact, summary.keyPoints)) result.counts.factsCovered++;
    else result.missedFacts.push(fact.fact);
  }
  return result;
}

const ratio = (a: number, b: number): number => (b === 0 ? 1 : a / b);

export function metricsOf(c: Counts): Metrics {
  return {
    quotePrecision: ratio(c.matched, c.predicted),
    quoteRecall: ratio(c.matched, c.gold),
    speakerAccuracy: ratio(c.speakerCorrect, c.matched),
    roleAccuracy: ratio(c.roleCorrect, c.matched),
    keyFactCoverage: ratio(c.factsCovered, c.facts),
    notQuotesListed: c.notQuotesListed,
  };
}

/** Runs the summarizer over the evaluation set and scores it (micro-averaged over quotes and facts). */
export function runEvaluation(cases: EvalCase[] = loadEvalSet()): EvalReport {
  const articles = cases.map(evaluateCase);
  const counts: Counts = {
    gold: 0,
    predicted: 0,
    matched: 0,
    speakerCorrect: 0,
    roleCorrect: 0,
    facts: 0,
    factsCovered: 0,
    notQuotesListed: 0,
  };
  for (const a of articles)
    for (const k of Object.keys(counts) as Array<keyof Counts>) counts[k] += a.counts[k];
  return { articles, overall: metricsOf(counts), counts };
}

const pct = (x: number): string => `${(x * 100).toFixed(1).padStart(5)}%`;

export function formatReport(report: EvalReport, verbose = false): string {
  const lines: string[] = [];
  lines.push('article                 quotes(g/p/m)  precision  recall  speaker   role  key facts');
  for (const a of report.articles) {
    const m = metricsOf(a.counts);
    const c = a.counts;
    lines.push(
      `${a.slug.padEnd(22)}  ${`${c.gold}/${c.predicted}/${c.matched}`.padStart(13)}  ${pct(m.quotePrecision)}  ${pct(
        m.quoteRecall,
      )} ${pct(m.speakerAccuracy)} ${pct(m.roleAccuracy)}  ${`${c.factsCovered}/${c.facts}`.padStart(5)}`,
    );
    if (verbose) {
      for (const q of a.missedQuotes) lines.push(`    missed quote: ${q.text.slice(0, 70)}`);
      for (const q of a.extraQuotes) lines.push(`    extra quote:  ${q.text.slice(0, 70)} (${q.speaker})`);
      for (const w of a.wrongSpeakers) lines.push(`    speaker: expected ${w.expected}, got ${w.got}`);
      for (const w of a.wrongRoles) lines.push(`    role: expected ${w.expected}, got ${w.got}`);
      for (const f of a.missedFacts) lines.push(`    missed fact: ${f}`);
      for (const n of a.listedNotQuotes) lines.push(`    NOT A QUOTE but listed: ${n}`);
    }
  }
  const o = report.overall;
  const c = report.counts;
  lines.push('');
  lines.push(`overall (${report.articles.length} articles, ${c.gold} gold quotes, ${c.facts} key facts)`);
  lines.push(`  quote precision   ${pct(o.quotePrecision)}   (target ≥ ${TARGETS.quotePrecision * 100}%)`);
  lines.push(`  quote recall      ${pct(o.quoteRecall)}   (target ≥ ${TARGETS.quoteRecall * 100}%)`);
  lines.push(`  speaker accuracy  ${pct(o.speakerAccuracy)}   (target ≥ ${TARGETS.speakerAccuracy * 100}%)`);
  lines.push(`  role accuracy     ${pct(o.roleAccuracy)}   (reported, no target)`);
  lines.push(`  key-fact coverage ${pct(o.keyFactCoverage)}   (target ≥ ${TARGETS.keyFactCoverage * 100}%)`);
  lines.push(`  not-quotes listed ${String(o.notQuotesListed).padStart(6)}   (target 0)`);
  return lines.join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const report = runEvaluation();
  if (process.argv.includes('--json')) {
    const { articles, overall, counts } = report;
    console.log(
      JSON.stringify({ overall, counts, articles: articles.map((a) => ({ slug: a.slug, ...a.counts })) }),
    );
  } else {
    console.log(formatReport(report, !process.argv.includes('--quiet')));
  }
}
