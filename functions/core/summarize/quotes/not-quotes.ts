/**
 * Quoted text that is not a quotation: fragments under four words (scare quotes; three when inside the writer's clause), titles of works,
 * slogans on signs and chants. Unattributed text is decided later, after every strategy has tried.
 */
import { words } from '../text.ts';
import { REASONS } from './types.ts';

const SIGN_CONTEXT =
  /\b(?:signs?|placards?|banners?|posters?|billboards?|t-shirts?|shirts?|stickers?|graffiti|slogans?|chant(?:ed|ing|s)?|emblazoned|inscribed|hashtag|motto|headlines?|headlined|reading)\b/i;
const TITLE_CONTEXT =
  /\b(?:book|novel|memoir|biography|film|movie|documentary|song|album|single|play|musical|opera|poem|essay|series|show|exhibition|exhibit|report|study|paper|article|column|podcast|episode|painting|sculpture|titled|entitled|called|named|dubbed|version of|collection|anthology|programme|program|newsletter|campaign)\s*,?\s*$/i;
const MINOR = new Set(
  'a an the of at in on for to and or but with by from over into as nor per vs'.split(' '),
);

function isTitleCase(text: string): boolean {
  const ws = text
    .replace(/[,.;:]+$/, '')
    .split(/\s+/)
    .filter(Boolean);
  if (ws.length < 2 || ws.length > 12 || /[.!?]\s/.test(text)) return false;
  const major = ws.filter((w) => !MINOR.has(w.toLowerCase()));
  const caps = major.filter((w) => /^[\p{Lu}\d]/u.test(w)).length;
  return major.length > 0 && caps / major.length >= 0.8 && /^[\p{Lu}\d]/u.test(ws[0] ?? '');
}

/**
 * Why a quoted text is not a quotation, given the words just before its opening mark; null if it may be
 * one. Three words are a quotation only when they stand as their own utterance (“It was offensive,”
 * said X / X said, “That’s terrible, terrible”), not inside the writer's clause (called it “calm but sad”).
 */
export function notAQuote(text: string, clauseBefore: string): string | null {
  const n = words(text).length;
  const ownUtterance = clauseBefore.trim() === '' || /[,:]\s*$/.test(clauseBefore);
  if (n < 3 || (n === 3 && !ownUtterance)) return REASONS.fragment;
  if (SIGN_CONTEXT.test(clauseBefore)) return REASONS.slogan;
  if (TITLE_CONTEXT.test(clauseBefore) || isTitleCase(text)) return REASONS.title;
  return null;
}
