/** Small text helpers shared by the summarizer's parts. Pure functions only. */

/** Opening and closing double quote marks we recognise (curly, straight, low-9, guillemets). */
export const DOUBLE_QUOTES = '"“”„«»';
export const SINGLE_QUOTES = "'‘’‚";

/** Normalizes line endings, BOM, non-breaking and exotic spaces; keeps quote marks as written. */
export function normalizeBody(body: string): string {
  return body
    .replace(/^\uFEFF/, '')
    .replace(/\r\n?/g, '\n')
    .replace(/[\u00A0\u2007\u202F\u2000-\u200A]/g, ' ')
    .replace(/\u200B|\u200C|\u200D|\u2060/g, '')
    .replace(/\t/g, ' ');
}

/** Collapses runs of whitespace to one space and trims. */
export function squash(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** Maps every quote mark to a plain ASCII one and squashes whitespace: the form used to verify quotes. */
export function canonical(text: string): string {
  return squash(text.replace(/[“”„«»]/g, '"').replace(/[‘’‚]/g, "'"));
}

/** Word tokens (letters/digits, inner apostrophes and hyphens kept). */
export function words(text: string): string[] {
  return text.match(/[\p{L}\p{N}]+(?:['’-][\p{L}\p{N}]+)*/gu) ?? [];
}

const STOP = new Set(
  (
    'a an the and or but if then so yet of to in on at by for from with without into onto over under about ' +
    'as than that this these those there here is are was were be been being am has have had having do does did ' +
    'will would shall should can could may might must not no nor it its it’s he she they them their his her him ' +
    'we us our you your i me my who whom whose which what when where why how all any both each few more most ' +
    'other some such only own same too very just also said says say told according after before during while ' +
    'since until again further once up down out off between through against among per via mr ms mrs dr'
  ).split(' '),
);

export function isStopword(word: string): boolean {
  return STOP.has(word.toLowerCase());
}

/** A light suffix stripper: enough to make "talks"/"talk", "suspended"/"suspension" meet. */
export function stem(word: string): string {
  let w = word.toLowerCase().replace(/['’]s$/, '');
  if (w.length <= 3) return w;
  for (const suffix of [
    'ations',
    'ation',
    'ings',
    'ing',
    'ions',
    'ion',
    'ies',
    'ied',
    'edly',
    'ed',
    'ers',
    'er',
  ]) {
    if (w.endsWith(suffix) && w.length - suffix.length >= 3) {
      w = w.slice(0, -suffix.length);
      return suffix === 'ies' || suffix === 'ied' ? `${w}y` : w;
    }
  }
  if (w.endsWith('ss')) return w;
  if (w.endsWith('s') && w.length > 3) return w.slice(0, -1);
  return w;
}

/** Content terms of a sentence: stemmed, lowercase, stopwords removed. */
export function terms(text: string): string[] {
  return words(text)
    .filter((w) => !isStopword(w) && w.length > 1)
    .map(stem);
}
