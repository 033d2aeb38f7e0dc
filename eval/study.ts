/**
 * The count study behind BENCHMARKS.md's summarizer notes: key facts and ROUGE-1 of the summarizer when it
 * gives exactly k key points, beside LEAD-k, per part, so the trade-off between the two CNN targets can be
 * re-measured rather than taken on trust.
 *
 *   npx tsx eval/study.ts --set ../shared/eval-real [--counts 3,4,5,6,8,10,14]
 *
 * Key points are chosen as summarize() chooses them (same quoted shares and headline), with only the count
 * fixed; everything is scored by the eval's own rules.
 */
import { resolve } from 'node:path';
import { headline, type Summary } from '../functions/core/summarize/index.ts';
import { keyPoints } from '../functions/core/summarize/keypoints.ts';
import { findSpans } from '../functions/core/summarize/quotes/spans.ts';
import { paragraphs, segment } from '../functions/core/summarize/sentences.ts';
import { normalizeBody } from '../functions/core/summarize/text.ts';
import { lead, metricsOf } from './run.ts';
import { scoreCase } from './score.ts';
import { EVAL_DIR, type EvalCase, loadEvalSet } from './sets.ts';

/** The summarizer's key points for one case with the count fixed. */
function pointsWithCount(c: EvalCase, count: number): Summary {
  const body = normalizeBody(c.body);
  const paras = paragraphs(body);
  const sentences = segment(body, paras);
  // Share of each sentence inside quotation marks, as summarize() computes it (quadratic is fine here).
  const parts = findSpans(body, paras).flatMap((span) => span.parts);
  const shares = sentences.map((s) => {
    let inside = 0;
    for (const p of parts) inside += Math.max(0, Math.min(p.end, s.end) - Math.max(p.start, s.start));
    return inside / Math.max(1, s.end - s.start);
  });
  const title = c.title?.trim() || headline(sentences[0]?.text ?? '');
  const points = keyPoints(sentences, { count, title, quotedShare: (s) => shares[s.index] ?? 0 });
  return { title, keyPoints: points, quotes: [] };
}

const argv = process.argv.slice(2);
const arg = (name: string): string | undefined => {
  const at = argv.indexOf(name);
  return at >= 0 ? argv[at + 1] : undefined;
};
const set = arg('--set');
const counts = (arg('--counts') ?? '3,4,5,6,8,10,14').split(',').map(Number);
const cases = loadEvalSet(set ? resolve(set) : EVAL_DIR);
const parts = [...new Set(cases.map((c) => c.part))].filter((p) => p !== 'polnear');
const cell = (scores: ReturnType<typeof scoreCase>[]): string => {
  const m = metricsOf(scores);
  const r1 = m.rouge1 === null ? '' : ` R-1 ${m.rouge1.toFixed(3)}`;
  return `${`${m.counts.factsCovered}/${m.counts.facts}`.padStart(7)}${r1}`.padEnd(22);
};
console.log(
  `${'k'.padStart(3)}  ${parts.map((p) => `${p} summarizer`.padEnd(22) + `${p} LEAD-k`.padEnd(22)).join('')}`,
);
for (const k of counts) {
  const row = parts.map((part) => {
    const inPart = cases.filter((c) => c.part === part);
    return (
      cell(inPart.map((c) => scoreCase(c, pointsWithCount(c, k)))) +
      cell(inPart.map((c) => scoreCase(c, lead(c, k))))
    );
  });
  console.log(`${String(k).padStart(3)}  ${row.join('')}`);
}
