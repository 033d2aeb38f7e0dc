/**
 * ROUGE-1/2/L F1 of key points against a reference summary (CNN highlights, XSum's lead), with js-rouge
 * and the tokenizer the reference scripts use: lowercase, letters and digits only, Porter-stemmed.
 * ROUGE-L is the summary-level union LCS (rougeLsum): one sentence per key point and per highlight.
 */
import { l as rougeL, n as rougeN } from 'js-rouge';
import { porterStem } from './porter.ts';

export function rougeTokens(text: string): string[] {
  return (text.toLowerCase().match(/[a-z0-9]+/g) ?? []).map(porterStem);
}

const lines = (text: string): string[] => text.split('\n').filter((s) => s.trim() !== '');

export function rougeScores(
  candidate: string[],
  reference: string[],
): { r1: number; r2: number; rl: number } {
  const cand = candidate.join('\n');
  const ref = reference.join('\n');
  if (rougeTokens(cand).length === 0 || rougeTokens(ref).length === 0) return { r1: 0, r2: 0, rl: 0 };
  const options = { tokenizer: rougeTokens };
  return {
    r1: rougeN(cand, ref, { ...options, n: 1 }),
    r2: rougeN(cand, ref, { ...options, n: 2 }),
    rl: rougeL(cand, ref, { ...options, segmenter: lines }),
  };
}
