/**
 * Quoted spans: quote marks paired per paragraph (curly, straight, low-9, guillemets). A quote left open
 * at the end of a paragraph continues when the next paragraph re-opens it (the multi-paragraph
 * convention). Single marks inside a quote are part of its text (a quote inside a quote).
 */
import type { Paragraph } from '../sentences.ts';

export interface Part {
  start: number;
  end: number;
}

export interface Span {
  parts: Part[];
  /** Offset of the opening mark and just after the closing mark (or the end of the last paragraph). */
  open: number;
  close: number;
  closed: boolean;
  paragraph: number;
  lastParagraph: number;
}

const OPENING = new Set(['“', '„', '«']);
const CLOSING = new Set(['”', '»']);
const STRAIGHT = '"';

interface MarkStyle {
  opening: Set<string>;
  closing: Set<string>;
  straight: string | null;
}

const DOUBLE_STYLE: MarkStyle = { opening: OPENING, closing: CLOSING, straight: STRAIGHT };
/** Articles that quote with single curly marks (‘…’) and never use double ones, as some British outlets do. */
const SINGLE_STYLE: MarkStyle = { opening: new Set(['‘']), closing: new Set(['’']), straight: null };

function styleOf(body: string): MarkStyle {
  return /["“”„«»]/.test(body) || !/(?:^|[\s(—–])‘/.test(body) ? DOUBLE_STYLE : SINGLE_STYLE;
}

const MARKS = /["“”„«»‘’]/g;
const SPACE_BEFORE = /^$|[\s([{—–/-]/u;
const SPACE_AFTER = /^$|[\s.,;:!?)\]}—–-]/u;

/**
 * Classifies a character as an opening or closing quote mark, or neither (null). A mark is read by the
 * side it leans on as well as by its shape, so mixed and reversed pairs work: “…" and "…”, „…“ (the
 * closing “ follows a word), »…« and ”…” (a ” or » before a word opens when no quote is open).
 */
function markKind(
  style: MarkStyle,
  ch: string,
  prev: string,
  next: string,
  open: boolean,
): 'open' | 'close' | null {
  const leansRight = () => SPACE_BEFORE.test(prev) && !SPACE_AFTER.test(next);
  const leansLeft = () => !SPACE_BEFORE.test(prev) && SPACE_AFTER.test(next);
  if (style.opening.has(ch)) {
    // In single-mark style an opening mark after a letter is not one (it never is in English).
    if (style === SINGLE_STYLE && /[\p{L}\p{N}]/u.test(prev)) return null;
    if (style === DOUBLE_STYLE && open && leansLeft()) return 'close';
    return 'open';
  }
  if (style.closing.has(ch)) {
    // In single-mark style a ’ between letters is an apostrophe (don’t), not a closing mark.
    if (style === SINGLE_STYLE && (/[\p{L}\p{N}]/u.test(next) || !open)) return null;
    if (style === DOUBLE_STYLE && !open && leansRight()) return 'open';
    return 'close';
  }
  if (style.straight !== null && ch === style.straight) return open ? 'close' : 'open';
  return null;
}

/** Pairs quote marks paragraph by paragraph. */
export function findSpans(body: string, paras: Paragraph[]): Span[] {
  const spans: Span[] = [];
  const style = styleOf(body);
  const marks: number[] = [];
  for (const m of body.matchAll(MARKS)) marks.push(m.index);
  let nextMark = 0;
  let pending: Span | null = null;
  paras.forEach((para, p) => {
    let current: Span | null = null;
    let partStart = -1;
    const firstMark = /^\s*(.)/u.exec(para.text)?.[1] ?? '';
    if (pending) {
      if (style.opening.has(firstMark) || firstMark === style.straight) {
        // The quote goes on in this paragraph.
        current = pending;
        current.lastParagraph = p;
      } else spans.push(pending);
      pending = null;
    }
    // Only quote marks matter: visit the marks of this paragraph, found once for the whole body.
    while (nextMark < marks.length && (marks[nextMark] ?? 0) < para.start) nextMark++;
    for (; nextMark < marks.length && (marks[nextMark] ?? 0) < para.end; nextMark++) {
      const i = marks[nextMark] ?? 0;
      const ch = body[i] ?? '';
      const prev = i > para.start ? (body[i - 1] ?? '') : '';
      const next = body[i + 1] ?? '';
      const kind = markKind(style, ch, prev, next, current !== null && partStart >= 0);
      if (kind === null) continue;
      if (kind === 'open') {
        if (current && partStart >= 0 && current.lastParagraph === p && current.parts.length === 0) {
          // An opening mark inside an open quote: the first one was never closed; start again here.
          current = null;
        }
        if (!current) {
          current = { parts: [], open: i, close: i + 1, closed: false, paragraph: p, lastParagraph: p };
        }
        partStart = i + 1;
      } else if (current && partStart >= 0) {
        current.parts.push({ start: partStart, end: i });
        current.close = i + 1;
        current.closed = true;
        spans.push(current);
        current = null;
        partStart = -1;
      }
    }
    if (current && partStart >= 0) {
      current.parts.push({ start: partStart, end: para.end });
      current.close = para.end;
      pending = current;
    }
  });
  if (pending) spans.push(pending);
  return spans.sort((a, b) => a.open - b.open);
}

/** A membership test for "is this offset inside quotation marks", by binary search over the spans. */
export function insideQuotes(spans: Span[]): (offset: number) => boolean {
  // Quote ranges (marks included), sorted.
  const ranges = spans
    .flatMap((s) => s.parts.map((p) => [p.start - 1, p.end + 1] as const))
    .sort((a, b) => a[0] - b[0]);
  return (offset: number): boolean => {
    let lo = 0;
    let hi = ranges.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const r = ranges[mid];
      if (!r) break;
      if (offset < r[0]) hi = mid - 1;
      else if (offset >= r[1]) lo = mid + 1;
      else return true;
    }
    return false;
  };
}
