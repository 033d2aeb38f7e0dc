/**
 * Direct quotations with their speakers.
 *
 * 1. Spans: quote marks are paired per paragraph (curly, straight, low-9, guillemets). A quote left open at
 *    the end of a paragraph continues when the next paragraph re-opens it (the multi-paragraph convention).
 *    Single marks inside a quote are part of its text (a quote inside a quote).
 * 2. Split quotes (“A,” she said. “B.”) are joined when only an attribution stands between the pieces.
 * 3. Attribution, in order: after the quote in the same sentence (“…,” X said / said X / according to X /
 *    X told Y), before it in the same sentence (X said: “…”), the previous sentence naming a person, a
 *    continuation of the previous paragraph's speaker, the following sentence (“…” That was the verdict of X).
 * 4. Not quotes: fragments under four words (scare quotes), titles of works, slogans on signs and chants,
 *    text no one is said to have spoken.
 * 5. Verification: every piece of a quote must appear verbatim in the source after normalizing quote
 *    marks and whitespace; a quote that does not is dropped and reported.
 */
import { isRoleNoun, SPEECH_VERBS } from './lexicon.ts';
import {
  findMentions,
  indexPeople,
  type Mention,
  type PeopleIndex,
  resolvePronoun,
  resolveRoleNoun,
  type Token,
  tokenize,
} from './people.ts';
import type { Paragraph, Sentence } from './sentences.ts';
import { canonical, words } from './text.ts';

export interface ExtractedQuote {
  text: string;
  speaker: string | null;
  role: string | null;
  /** The verbatim pieces the text was assembled from (one per paragraph or split-quote piece). */
  pieces: string[];
}

export interface DroppedQuote {
  quote: ExtractedQuote;
  reason: string;
}

interface Part {
  start: number;
  end: number;
}

interface Span {
  parts: Part[];
  /** Offset of the opening mark and just after the closing mark (or the end of the last paragraph). */
  open: number;
  close: number;
  closed: boolean;
  paragraph: number;
  lastParagraph: number;
}

interface Group {
  spans: Span[];
  /** How each span joins the previous one: 'continue' keeps a comma, 'sentence' starts a new sentence. */
  joins: Array<'continue' | 'sentence'>;
}

interface Attribution {
  speaker: string | null;
  role: string | null;
}

export const REASONS = {
  fragment: 'fragment under four words (scare quote or partial phrase)',
  title: 'title of a work',
  slogan: 'slogan on a sign, banner or chant',
  unattributed: 'no speaker is given for it',
  notVerbatim: 'not found verbatim in the source',
} as const;

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

/** Classifies a character as an opening or closing quote mark, or neither (null). */
function markKind(
  style: MarkStyle,
  ch: string,
  prev: string,
  next: string,
  open: boolean,
): 'open' | 'close' | null {
  if (style.opening.has(ch)) {
    // In single-mark style an opening mark after a letter is not one (it never is in English).
    if (style === SINGLE_STYLE && /[\p{L}\p{N}]/u.test(prev)) return null;
    return 'open';
  }
  if (style.closing.has(ch)) {
    // In single-mark style a ’ between letters is an apostrophe (don’t), not a closing mark.
    if (style === SINGLE_STYLE && (/[\p{L}\p{N}]/u.test(next) || !open)) return null;
    return 'close';
  }
  if (style.straight !== null && ch === style.straight) return open ? 'close' : 'open';
  return null;
}

/** Pairs quote marks paragraph by paragraph. */
export function findSpans(body: string, paras: Paragraph[]): Span[] {
  const spans: Span[] = [];
  const style = styleOf(body);
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
    for (let i = para.start; i < para.end; i++) {
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

function sentenceAt(sentences: Sentence[], offset: number): Sentence | undefined {
  let lo = 0;
  let hi = sentences.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const s = sentences[mid];
    if (!s) break;
    if (offset < s.start) hi = mid - 1;
    else if (offset >= s.end) lo = mid + 1;
    else return s;
  }
  // Between sentences (e.g. on whitespace): the next one.
  return sentences.find((s) => s.start >= offset);
}

const ADVERBS = new Set(
  'also later then again previously recently once earlier quickly simply finally'.split(' '),
);
const PARTIAL_VERBS = new Set(['called', 'described', 'dubbed', 'termed', 'branded']);

interface NounPhrase {
  start: number;
  end: number;
  tokens: Token[];
}

/** Parses the text right after a quote: “…,” said X / X said / according to X / X told Y. */
function attributionAfter(tokens: Token[]): NounPhrase | null {
  const ts = tokens.filter((t) => t.core !== '');
  const t0 = ts[0];
  if (!t0) return null;
  const lower = (t: Token | undefined) => t?.core.toLowerCase() ?? '';
  const npFrom = (from: number): NounPhrase | null => {
    const np: Token[] = [];
    for (let i = from; i < ts.length && np.length < 8; i++) {
      const t = ts[i];
      if (!t) break;
      np.push(t);
      if (t.trail) break;
      const nx = ts[i + 1];
      if (nx && /^\p{Ll}/u.test(nx.core) && !['of', 'de', 'van', 'von', 'bin', 'al'].includes(nx.core)) {
        // Lower-case word after a capitalized one ends the name ("said Xie before a briefing").
        if (/^\p{Lu}/u.test(t.core)) break;
      }
    }
    const first = np[0];
    const last = np[np.length - 1];
    return first && last ? { start: first.start, end: last.end, tokens: np } : null;
  };
  if (lower(t0) === 'according' && lower(ts[1]) === 'to') return npFrom(2);
  if (SPEECH_VERBS.has(lower(t0))) return npFrom(1);
  // Subject then verb, within a few words: “…,” union president Carla Mendes told the Tribune.
  for (let v = 1; v < Math.min(ts.length, 10); v++) {
    const t = ts[v];
    if (!t) break;
    if (SPEECH_VERBS.has(lower(t))) {
      let end = v;
      while (end > 1 && ADVERBS.has(lower(ts[end - 1]))) end--;
      const np = ts.slice(0, end);
      const first = np[0];
      const last = np[np.length - 1];
      return first && last ? { start: first.start, end: last.end, tokens: np } : null;
    }
    if (t.trail && /[.;:!?]/.test(t.trail)) break;
  }
  return null;
}

/** Parses the text right before a quote in the same sentence: X said: “…” / After the race X said, “…”. */
function attributionBefore(tokens: Token[]): NounPhrase | null {
  const ts = tokens.filter((t) => t.core !== '');
  const last = ts[ts.length - 1];
  if (!last) return null;
  for (let v = ts.length - 1; v >= Math.max(0, ts.length - 5); v--) {
    const t = ts[v];
    if (!t) break;
    const w = t.core.toLowerCase();
    const introduces = /[:,]$/.test(last.trail) || v === ts.length - 1;
    if ((SPEECH_VERBS.has(w) && introduces) || PARTIAL_VERBS.has(w)) {
      let end = v;
      while (end > 0 && ADVERBS.has(ts[end - 1]?.core.toLowerCase() ?? '')) end--;
      if (end === 0) return null;
      // The subject: back to the start of the clause, skipping an appositive between commas.
      let start = end - 1;
      while (start > 0 && !/[;:]/.test(ts[start - 1]?.trail ?? '') && end - start < 12) start--;
      const np = ts.slice(start, end);
      const first = np[0];
      const lastNp = np[np.length - 1];
      return first && lastNp ? { start: first.start, end: lastNp.end, tokens: np } : null;
    }
  }
  return null;
}

/** Turns a noun phrase into a speaker: a named person, a pronoun, or "the superintendent". */
function speakerOf(np: NounPhrase, index: PeopleIndex): Attribution | null {
  const mentions = index.mentions.filter((m) => m.start >= np.start && m.end <= np.end);
  // The subject is the last name before the verb, unless an appositive follows the first one.
  const named: Mention | undefined = mentions[0];
  if (named) {
    const person = index.people.get(named.person);
    return { speaker: named.person, role: person?.role ?? named.role };
  }
  const toks = np.tokens.map((t) => t.core.toLowerCase());
  const pronoun = toks.find((w) => ['he', 'she'].includes(w));
  if (pronoun && toks.length <= 3) {
    // A pronoun nobody in the article can be is no attribution at all.
    const who = resolvePronoun(pronoun, np.start, index);
    return who ? { speaker: who, role: index.people.get(who)?.role ?? null } : null;
  }
  if (toks.length <= 3 && toks.some((w) => ['they', 'we', 'i', 'you', 'it'].includes(w))) return null;
  if (['the', 'a', 'an'].includes(toks[0] ?? '') && toks.length <= 8) {
    // The head noun comes before any preposition: "a spokeswoman for the ministry".
    const prep = toks.findIndex((w, i) => i > 0 && ['for', 'of', 'at', 'with', 'in', 'from'].includes(w));
    const head = toks.slice(1, prep > 0 ? prep : toks.length);
    const noun = head[head.length - 1] ?? '';
    // "The report said" is a document, not a person speaking.
    if (!isRoleNoun(noun)) return null;
    const who = resolveRoleNoun(noun, np.start, index);
    if (who) return { speaker: who, role: index.people.get(who)?.role ?? null };
    const first = np.tokens[1];
    const last = np.tokens[np.tokens.length - 1];
    return {
      speaker: null,
      role:
        first && last
          ? np.tokens
              .map((t) => t.core)
              .slice(1)
              .join(' ')
          : null,
    };
  }
  return null;
}

/** The person a sentence is about when it opens with them: “County emergency manager Grace Holloway praised…”. */
function subjectOfSentence(body: string, s: Sentence, index: PeopleIndex): Attribution | null {
  const first = index.mentions.find((m) => m.sentence === s.index);
  let lead = body.slice(s.start, first ? first.start : s.end);
  // A fronted adverbial ("At an evacuation centre in the county fairgrounds, retired teacher …").
  const fronted =
    /^\s*(?:At|In|On|Outside|Inside|After|Before|During|Later|Earlier|Back|Near|From|Across)\b[^,]*,\s+(.*)$/su.exec(
      lead,
    );
  if (fronted?.[1] !== undefined) lead = fronted[1];
  if (first) {
    const leadWords = words(lead);
    const roleWords = words(index.people.get(first.person)?.role ?? first.role ?? '');
    const honorific = first.honorific ? 1 : 0;
    if (leadWords.length <= roleWords.length + honorific && !/[,;:]/.test(lead)) {
      return { speaker: first.person, role: index.people.get(first.person)?.role ?? first.role };
    }
  }
  const pronoun = /^\s*(He|She)\b/.exec(body.slice(s.start, s.end))?.[1];
  if (pronoun) {
    const who = resolvePronoun(pronoun, s.start, index);
    if (who) return { speaker: who, role: index.people.get(who)?.role ?? null };
  }
  return null;
}

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

function partText(body: string, part: Part): string {
  return body.slice(part.start, part.end).replace(/\s+/g, ' ').trim();
}

/** Joins the pieces of a quote into its displayed text. */
function assemble(body: string, group: Group): string[] {
  const pieces: string[] = [];
  group.spans.forEach((span, si) => {
    span.parts.forEach((part, pi) => {
      let text = partText(body, part);
      if (!text) return;
      const prevIndex = pieces.length - 1;
      const prev = pieces[prevIndex];
      if (prev !== undefined && si > 0 && pi === 0) {
        const join = group.joins[si] ?? 'sentence';
        if (join === 'sentence' && /,$/.test(prev) && /^[\p{Lu}\d]/u.test(text)) {
          pieces[prevIndex] = prev.replace(/,$/, '.');
        }
      }
      text = text.replace(/\s+/g, ' ');
      pieces.push(text);
    });
  });
  return pieces;
}

/** A source text normalized once for repeated verification. */
export interface CanonicalSource {
  canonical: string;
}

/**
 * Checks that every piece of a quote appears verbatim in the source, in order, after normalizing quote
 * marks and whitespace (a trailing comma or period may differ: it is where pieces were joined).
 */
export function verifyPieces(pieces: string[], source: string | CanonicalSource): boolean {
  const haystack = typeof source === 'string' ? canonical(source) : source.canonical;
  let from = 0;
  for (const piece of pieces) {
    const needle = canonical(piece).replace(/[,.;:]+$/, '');
    if (!needle) return false;
    const at = haystack.indexOf(needle, from);
    if (at < 0) return false;
    from = at + needle.length;
  }
  return pieces.length > 0;
}

export interface QuoteContext {
  body: string;
  paragraphs: Paragraph[];
  sentences: Sentence[];
}

export function extractQuotes(ctx: QuoteContext, dropped: DroppedQuote[] = []): ExtractedQuote[] {
  const { body, paragraphs: paras, sentences } = ctx;
  const spans = findSpans(body, paras);
  // Quote ranges (marks included), sorted, for a binary search per word.
  const ranges = spans
    .flatMap((s) => s.parts.map((p) => [p.start - 1, p.end + 1] as const))
    .sort((a, b) => a[0] - b[0]);
  const inside = (offset: number): boolean => {
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
  const mentions = findMentions(body, sentences, inside);
  const index = indexPeople(body, sentences, mentions, inside);

  const afterOf = (span: Span): Token[] => {
    const s = sentenceAt(sentences, span.close - 1);
    const nextSpan = spans.find((o) => o.open >= span.close);
    const end = Math.min(s ? s.end : span.close, nextSpan ? nextSpan.open : Number.POSITIVE_INFINITY);
    return end > span.close ? tokenize(body, span.close, end).filter((t) => t.end <= end) : [];
  };
  const endsOpen = (span: Span): boolean => {
    const last = span.parts[span.parts.length - 1];
    const text = last ? body.slice(last.start, last.end).trimEnd() : '';
    return /[,?!—–-]$/.test(text);
  };

  // Group split quotes.
  const groups: Group[] = [];
  for (const span of spans) {
    const prev = groups[groups.length - 1];
    const prevSpan = prev?.spans[prev.spans.length - 1];
    if (prev && prevSpan?.closed && prevSpan.lastParagraph === span.paragraph && endsOpen(prevSpan)) {
      const between = body.slice(prevSpan.close, span.open);
      const own = endsOpen(span) ? attributionAfter(afterOf(span)) : null;
      const betweenTokens = tokenize(body, prevSpan.close, span.open);
      if (between.length <= 200 && !own && attributionAfter(betweenTokens)) {
        prev.spans.push(span);
        prev.joins.push(/,\s*$/.test(between) ? 'continue' : 'sentence');
        continue;
      }
    }
    groups.push({ spans: [span], joins: ['sentence'] });
  }

  const out: ExtractedQuote[] = [];
  const canonicalBody: CanonicalSource = { canonical: canonical(body) };
  const seen = new Set<string>();
  let previous: { group: Group; attribution: Attribution | null } | null = null;
  for (const group of groups) {
    const first = group.spans[0];
    const last = group.spans[group.spans.length - 1];
    if (!first || !last) continue;
    const pieces = assemble(body, group);
    const text = pieces
      .join(' ')
      .replace(/[\s,;:]+$/, '')
      .trim();
    const candidate: ExtractedQuote = { text, speaker: null, role: null, pieces };
    const drop = (reason: string) => {
      dropped.push({ quote: candidate, reason });
    };

    const openSentence = sentenceAt(sentences, first.open);
    const before = openSentence ? body.slice(openSentence.start, first.open) : '';
    const clauseBefore = before.slice(Math.max(0, before.length - 80));

    let attribution: Attribution | null = null;
    const wordCount = words(text).length;
    if (wordCount < 4) drop(REASONS.fragment);
    else if (SIGN_CONTEXT.test(clauseBefore)) drop(REASONS.slogan);
    else if (TITLE_CONTEXT.test(clauseBefore) || isTitleCase(text)) drop(REASONS.title);
    else {
      // (a) after the quote, in the same sentence.
      const firstAfter = group.spans.length > 1 ? group.spans[0] : last;
      for (const span of firstAfter === last ? [last] : [firstAfter, last]) {
        if (!span || attribution) continue;
        const after = afterOf(span);
        const continues = endsOpen(span) || /^\p{Ll}/u.test(after[0]?.core ?? '');
        if (!continues || !span.closed) continue;
        const np = attributionAfter(after);
        if (np) attribution = speakerOf(np, index);
      }
      // (b) before the quote, in the same sentence.
      if (!attribution && before.trim()) {
        const np = attributionBefore(tokenize(body, openSentence?.start ?? first.open, first.open));
        if (np) attribution = speakerOf(np, index);
      }
      // (c) the previous sentence is about a person.
      if (!attribution && openSentence) {
        const prevSentence = sentences[openSentence.index - 1];
        const samePara = prevSentence && prevSentence.paragraph === openSentence.paragraph;
        const introduces = prevSentence && /:\s*$/.test(prevSentence.text);
        if (prevSentence && !before.trim() && (samePara || introduces)) {
          const inQuote = spans.some((s) => s.open >= prevSentence.start && s.open < prevSentence.end);
          if (!inQuote) attribution = subjectOfSentence(body, prevSentence, index);
        }
      }
      // (c') the previous paragraph's speaker goes on.
      const startsParagraph = paras[first.paragraph]?.start === first.open;
      if (!attribution && previous?.attribution?.speaker && startsParagraph) {
        const prevLast = previous.group.spans[previous.group.spans.length - 1];
        if (prevLast && prevLast.lastParagraph === first.paragraph - 1) {
          // Only when the previous paragraph ends with that quote and its attribution.
          const closeSentence = sentenceAt(sentences, prevLast.close - 1);
          const prevPara = paras[prevLast.lastParagraph];
          if (closeSentence && prevPara && closeSentence.end >= prevPara.end)
            attribution = previous.attribution;
        }
      }
      // (d) the following sentence names the speaker.
      if (!attribution) {
        const closeSentence = sentenceAt(sentences, last.close - 1);
        const next = closeSentence ? sentences[closeSentence.index + 1] : undefined;
        if (next && closeSentence && next.paragraph === closeSentence.paragraph) {
          const m = index.mentions.find((x) => x.sentence === next.index);
          const lead = m ? body.slice(next.start, m.start) : '';
          const demonstrative =
            /^(?:That|This|Those|These|Such|So)\b[^.]{0,80}\b(?:of|from|by)\s+(?:\p{L}+\s+){0,4}$/u;
          const verbAfter = m
            ? /^\s*(?:\p{Ll}+\s+)?(\p{Ll}+)/u.exec(body.slice(m.end, next.end))?.[1]
            : undefined;
          if (m && (demonstrative.test(lead) || (!lead.trim() && verbAfter && SPEECH_VERBS.has(verbAfter)))) {
            attribution = { speaker: m.person, role: index.people.get(m.person)?.role ?? m.role };
          }
        }
      }
      if (!attribution) drop(REASONS.unattributed);
    }
    previous = { group, attribution };
    if (!attribution || wordCount < 4) continue;
    candidate.speaker = attribution.speaker;
    candidate.role = attribution.role;
    if (!verifyPieces(pieces, canonicalBody)) {
      drop(REASONS.notVerbatim);
      continue;
    }
    const key = canonical(text);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(candidate);
  }
  return out;
}

/**
 * Verifies finished quotes against the source; the ones that fail are reported and left out. A quote
 * with `pieces` is checked piece by piece (a split or multi-paragraph quote); one without is checked whole.
 */
export function verifyQuotes<Q extends { text: string; pieces?: string[] }>(
  quotes: Q[],
  source: string,
  onDropped?: (quote: Q, reason: string) => void,
): Q[] {
  const haystack: CanonicalSource = { canonical: canonical(source) };
  return quotes.filter((q) => {
    const ok = verifyPieces(q.pieces?.length ? q.pieces : [q.text], haystack);
    if (!ok) onDropped?.(q, REASONS.notVerbatim);
    return ok;
  });
}
