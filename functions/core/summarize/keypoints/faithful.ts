/**
 * The compression verifier: a key point is kept only when its words are an in-order subsequence of one
 * source sentence's words, so it adds and reorders nothing. Words are compared case-folded (a cut may
 * capitalize the new first word) with quote marks unified; punctuation between words is not a word.
 */
import { words } from '../text.ts';

export const KEY_POINT_REASONS = {
  notFaithful: 'not one source sentence with words deleted (a word added or moved)',
} as const;

function normalizedWords(text: string): string[] {
  return words(text.replace(/[‘’]/g, "'")).map((w) => w.toLowerCase());
}

/** Whether `point`'s words appear in `sentence`, in order, with only deletions between them. */
export function isDeletionOf(point: string, sentence: string): boolean {
  const p = normalizedWords(point);
  const s = normalizedWords(sentence);
  if (p.length === 0) return false;
  let j = 0;
  for (const w of s) {
    if (w === p[j]) j++;
    if (j === p.length) return true;
  }
  return false;
}

/**
 * Keeps the key points that are deletions of their own source sentence; reports the others. Each point
 * comes with the sentence it was cut from, so the check is linear in the length of the two.
 */
export function verifyKeyPoints(
  points: Array<{ text: string; source: string }>,
  onDropped?: (point: string, reason: string) => void,
): string[] {
  const kept: string[] = [];
  for (const p of points) {
    if (isDeletionOf(p.text, p.source)) kept.push(p.text);
    else onDropped?.(p.text, KEY_POINT_REASONS.notFaithful);
  }
  return kept;
}
