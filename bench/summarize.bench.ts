/**
 * Summarizer speed. Run: npm run bench summarize (or npx tsx bench/summarize.bench.ts).
 *
 * - median (and p95) time to summarize a ~600-word article after warm-up (target ≤ 20 ms);
 * - total time for one pass over every article in seeds/ plus the evaluation set;
 * - time against article size (10 KB, 100 KB, 1 MB, 2 MB; target < 2 s at 1 MB), to show the growth
 *   is about linear. The large articles are the evaluation set's paragraphs repeated in order, so they
 *   hold as many quotes, names and numbers per kilobyte as a real article.
 * Prints a short human-readable block, then one BENCH_JSON line.
 */
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArticle } from '../eval/sets.ts';
import { summarize } from '../functions/core/summarize/index.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const TARGET_MS = 20;
const TARGET_1MB_MS = 2000;

function articlesIn(dir: string): Array<{ file: string; title: string | undefined; body: string }> {
  return readdirSync(dir)
    .filter((f) => /\.(?:txt|md)$/i.test(f) && !f.startsWith('.'))
    .sort()
    .map((f) => ({ file: join(dir, f), ...parseArticle(readFileSync(join(dir, f), 'utf8'), f) }));
}

const wordCount = (text: string): number => text.split(/\s+/).filter(Boolean).length;

function percentile(sorted: number[], p: number): number {
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] ?? Number.NaN;
}

function timeRuns(body: string, runs: number): number[] {
  return timeAndCpu(body, runs).wall;
}

/** Wall time and CPU time (user + system) per run, each sorted. CPU time hardly moves when other work
 * shares the machine's two cores; wall time does. */
function timeAndCpu(body: string, runs: number): { wall: number[]; cpu: number[] } {
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < runs; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    summarize({ body });
    wall.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  return { wall: wall.sort((a, b) => a - b), cpu: cpu.sort((a, b) => a - b) };
}

const seeds = articlesIn(join(ROOT, 'seeds'));
const evalSet = articlesIn(join(ROOT, 'eval', 'articles'));
const corpus = [...seeds, ...evalSet];
const evalParagraphs = evalSet.flatMap((a) => a.body.split(/\n\s*\n/).map((p) => p.trim()));

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
const samples = timeRuns(article, 300);
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

/** The evaluation paragraphs repeated in order until the article reaches `bytes` (UTF-8). */
function articleOf(bytes: number): string {
  const out: string[] = [];
  let size = 0;
  for (let i = 0; size < bytes; i++) {
    const p = evalParagraphs[i % evalParagraphs.length] ?? '';
    out.push(p);
    size += Buffer.byteLength(p) + 2;
  }
  return out.join('\n\n');
}

const SIZES = [
  { label: '10 KB', bytes: 10 * 1024, runs: 30 },
  { label: '100 KB', bytes: 100 * 1024, runs: 10 },
  { label: '1 MB', bytes: 1024 * 1024, runs: 5 },
  { label: '2 MB', bytes: 2 * 1024 * 1024, runs: 3 },
];
const growth = SIZES.map(({ label, bytes, runs }) => {
  const body = articleOf(bytes);
  // The first run at this size is what a fresh process pays (the code is warm from the runs above).
  const first = timeAndCpu(body, 1);
  const { wall, cpu } = timeAndCpu(body, runs);
  return {
    label,
    bytes: Buffer.byteLength(body),
    words: wordCount(body),
    firstMs: first.wall[0] ?? Number.NaN,
    medianMs: percentile(wall, 50),
    cpuMs: percentile(cpu, 50),
  };
});
const oneMb = growth.find((g) => g.label === '1 MB')?.medianMs ?? Number.NaN;

const fmt = (ms: number): string => `${ms.toFixed(2)} ms`;
console.log('summarize benchmark');
console.log(
  `  ${articleWords}-word article, median after warm-up: ${fmt(median)}  (p95 ${fmt(p95)}, target ≤ ${TARGET_MS} ms)`,
);
console.log(`  seeds/ (${seeds.length} article${seeds.length === 1 ? '' : 's'}): ${fmt(seedsMs)} per pass`);
console.log(
  `  seeds/ + eval set (${corpus.length} articles, ${corpusWords} words): ${fmt(corpusMs)} per pass, ${fmt(corpusMs / corpus.length)} per article`,
);
console.log('  time against article size: first run, median wall time, median CPU time, CPU per KB');
for (const g of growth)
  console.log(
    `    ${g.label.padEnd(7)} ${String(g.words).padStart(7)} words  first ${fmt(g.firstMs).padStart(11)}  median ${fmt(g.medianMs).padStart(11)}  cpu ${fmt(g.cpuMs).padStart(11)}  ${(g.cpuMs / (g.bytes / 1024)).toFixed(3)} ms/KB`,
  );
console.log(
  `  load average while measuring: ${os
    .loadavg()
    .map((x) => x.toFixed(1))
    .join(' ')} (2 cores)`,
);
const ok = median <= TARGET_MS && oneMb < TARGET_1MB_MS;
console.log(`  ${ok ? 'OK' : 'SLOWER THAN TARGET'} (1 MB target < ${TARGET_1MB_MS} ms)`);
console.log(
  `BENCH_JSON ${JSON.stringify({
    bench: 'summarize',
    articleWords,
    medianMs: Number(median.toFixed(3)),
    p95Ms: Number(p95.toFixed(3)),
    targetMs: TARGET_MS,
    seeds: { articles: seeds.length, totalMs: Number(seedsMs.toFixed(3)) },
    seedsAndEval: { articles: corpus.length, words: corpusWords, totalMs: Number(corpusMs.toFixed(3)) },
    bySize: growth.map((g) => ({
      ...g,
      firstMs: Number(g.firstMs.toFixed(1)),
      medianMs: Number(g.medianMs.toFixed(1)),
      cpuMs: Number(g.cpuMs.toFixed(1)),
    })),
    loadAverage: os.loadavg().map((x) => Number(x.toFixed(2))),
    target1MbMs: TARGET_1MB_MS,
    ok,
  })}`,
);
