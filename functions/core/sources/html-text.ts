import { parseHTML } from 'linkedom';
import { cleanParagraph } from './clean-text.ts';

/**
 * HTML (a feed's full text, or what Readability kept of a page) → plain paragraphs. Only text
 * survives: scripts, styles, frames, forms and media are dropped with their content, links keep
 * their words but not their targets, and quote marks stay as written.
 */

/** Caps that keep one hostile item from becoming a gigantic article. */
export const TEXT_LIMITS = { htmlChars: 2_000_000, paragraphs: 200, chars: 100_000 } as const;

const DROP =
  'script,style,noscript,template,iframe,object,embed,form,button,select,textarea,svg,math,video,audio,canvas,nav';
const BLOCKS = new Set([
  'P',
  'H1',
  'H2',
  'H3',
  'H4',
  'H5',
  'H6',
  'LI',
  'BLOCKQUOTE',
  'PRE',
  'DD',
  'DT',
  'FIGCAPTION',
  'TD',
]);

// linkedom's element type, narrowed to what is used here (its own typings are incomplete).
interface El {
  tagName: string;
  textContent: string | null;
  children: ArrayLike<El>;
  querySelectorAll(selector: string): ArrayLike<El>;
  remove(): void;
}

function hasBlockChild(el: El): boolean {
  for (const child of Array.from(el.children)) {
    if (BLOCKS.has(child.tagName) || hasBlockChild(child)) return true;
  }
  return false;
}

function linkShare(el: El, text: string): number {
  let linked = 0;
  for (const a of Array.from(el.querySelectorAll('a'))) linked += cleanParagraph(a.textContent ?? '').length;
  return text.length === 0 ? 0 : linked / text.length;
}

/** Paragraphs of an HTML fragment or document. */
export function htmlToParagraphs(html: string): string[] {
  const { document } = parseHTML(
    `<!doctype html><html><body>${html.slice(0, TEXT_LIMITS.htmlChars)}</body></html>`,
  );
  const body = document.body as unknown as El;
  for (const el of Array.from(body.querySelectorAll(DROP))) el.remove();
  const blocks = Array.from(
    body.querySelectorAll('p,h1,h2,h3,h4,h5,h6,li,blockquote,pre,dd,dt,figcaption,td'),
  ).filter((el) => !hasBlockChild(el));
  const paragraphs: string[] = [];
  const source = blocks.length > 0 ? blocks : [body];
  let chars = 0;
  for (const el of source) {
    const text = cleanParagraph(el.textContent ?? '');
    if (text === '' || !/\p{L}/u.test(text)) continue;
    // A short line that is all link ("Read more", "Share this") is navigation, not the story.
    if (text.split(' ').length < 15 && linkShare(el, text) > 0.8) continue;
    paragraphs.push(text);
    chars += text.length;
    if (paragraphs.length >= TEXT_LIMITS.paragraphs || chars >= TEXT_LIMITS.chars) break;
  }
  return paragraphs;
}

/** Plain text (JSON Feed `content_text`) → paragraphs at blank lines. */
export function textToParagraphs(text: string): string[] {
  return text
    .slice(0, TEXT_LIMITS.chars)
    .split(/\r?\n\s*\r?\n/)
    .map(cleanParagraph)
    .filter((p) => /\p{L}/u.test(p))
    .slice(0, TEXT_LIMITS.paragraphs);
}
