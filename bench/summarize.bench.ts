/**
 * Summarizer speed. Run: npx tsx bench/summarize.bench.ts (also part of `npm run bench`).
 *
 * - median (and p95) time to summarize a ~600-word article after warm-up (target ≤ 20 ms);
 * - total time for one pass over every article in seeds/ plus the evaluation set.
 * Prints a short human-readable block, then one JSON line.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArticle } from '../eval/run.ts';
import { summarize } from '../functions/core/summarize/index.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const TARGET_MS = 20;

function articlesIn(dir: string): Array<{ file: string; title: string | undefined; body: string }> {
  return readdirSync(dir)
    .filter((f) => /\.(?:txt|md)$/i.test(f) && !f.startsWith('.'))
    .sort()
    .map((f) => ({ file: join(dir, f), ...parseArticle(readFileSync(join(dir, f), 'utf8')) }));
}

const wordCount = (text: string): number => text.split(/\s+/).filter(Boolean).length;

function percentile(sorted: number[], p: number): number {
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] ?? Number.NaN;
}

const seeds = articlesIn(join(ROOT, 'seeds'));
const evalSet = articlesIn(join(ROOT, 'eval', 'articles'));
const corpus = [...seeds, ...evalSet];

// A ~600-word article: whole paragraphs of the longest evaluation articles, in order, until 600 words.
const paragraphs = [...evalSet]
  .sort((a, b) => wordCount(b.body) - wordCount(a.body))
  .flatMap((a) => a.body.split(/\n\s*\n/));
const picked: string[] = [];
for (const p of paragraphs) {
  if (picked.reduce((n, x) => n + wordCount(x), 0) >= 600) break;
  picked.push(p.trim());
}
const article = picked.join('\n\n');
const articleWords = wordCount(article);

for (let i = 0; i < 50; i++) summarize({ body: article });
const samples: number[] = [];
for (let i = 0; i < 300; i++) {
  const t0 = performance.now();
  summarize({ body: article });
  samples.push(performance.now() - t0);
}
samples.sort((a, b) => a - b);
const median = percentile(samples, 50);
const p95 = percentile(samples, 95);

for (const a of corpus) summarize({ body: a.body, title: a.title });
const passes = 20;
const t0 = performance.now();
for (let i = 0; i < passes; i++) for (const a of corpus) summarize({ body: a.body, title: a.title });
const corpusMs = (performance.now() - t0) / passes;
const corpusWords = corpus.reduce((n, a) => n + wordCount(a.body), 0);
const seedsT0 = performance.now();
for (let i = 0; i < passes; i++) for (const a of seeds) summarize({ body: a.body, title: a.title });
const seedsMs = (performance.now() - seedsT0) / passes;

const fmt = (ms: number): string => `${ms.toFixed(2)} ms`;
console.log('summarize benchmark');
console.log(
  `  ${articleWords}-word article, median after warm-up: ${fmt(median)}  (p95 ${fmt(p95)}, target ≤ ${TARGET_MS} ms)`,
);
console.log(`  seeds/ (${seeds.length} article${seeds.length === 1 ? '' : 's'}): ${fmt(seedsMs)} per pass`);
console.log(
  `  seeds/ + eval set (${corpus.length} articles, ${corpusWords} words): ${fmt(corpusMs)} per pass, ${fmt(corpusMs / corpus.length)} per article`,
);
console.log(`  ${median <= TARGET_MS ? 'OK' : 'SLOWER THAN TARGET'}`);
console.log(
  `BENCH_JSON ${JSON.stringify({
    bench: 'summarize',
    articleWords,
    medianMs: Number(median.toFixed(3)),
    p95Ms: Number(p95.toFixed(3)),
    targetMs: TARGET_MS,
    seeds: { articles: seeds.length, totalMs: Number(seedsMs.toFixed(3)) },
    seedsAndEval: { articles: corpus.length, words: corpusWords, totalMs: Number(corpusMs.toFixed(3)) },
    ok: median <= TARGET_MS,
  })}`,
);
