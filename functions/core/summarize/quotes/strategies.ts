/**
 * Attribution strategies, tried in order until one names a speaker:
 * (a) after the quote, in the same sentence (“…,” X said / said X / according to X / X, who …, told Y);
 * (b) before it, in the same sentence (X said: “…” / X said in a statement that “…” / …, telling Y, “…”);
 * (c) a transcript label opening the paragraph (WALLACE: …);
 * (d) the previous sentence introduces it (X said: / X agreed. / a sentence about X);
 * (e) the previous paragraph's speaker goes on (a run of quote paragraphs);
 * (f) the following sentence names the speaker (“…” X said. / “…” That was the verdict of X).
 */
import { resolveLabel } from '../people.ts';
import type { Sentence } from '../sentences.ts';
import { tokenize } from '../tokens.ts';
import type { Group } from './groups.ts';
import {
  attributionAfter,
  attributionBefore,
  speakerOf,
  speechVerbAt,
  subjectBefore,
  subjectOfSentence,
} from './phrases.ts';
import { hasSpanStartingIn, type Scene, sentenceAt, tokensAfter } from './scene.ts';
import type { Span } from './spans.ts';
import type { Attribution } from './types.ts';

/** One quote being attributed, with what the strategies need to know about where it stands. */
export interface QuoteSite {
  group: Group;
  first: Span;
  last: Span;
  /** The sentence the quote opens in, and its text before the opening mark. */
  openSentence: Sentence | undefined;
  before: string;
  /** The quote just before this one and whom it was attributed to. */
  previous: { group: Group; attribution: Attribution | null } | null;
}

export type Strategy = (site: QuoteSite, scene: Scene) => Attribution | null;

/** How far (in characters) a strategy reads around a quote: attributions are near their quotes. */
const WINDOW = 600;

/** (a) “…,” X said: the attribution follows a quote that stops mid-sentence. */
export const afterInSentence: Strategy = (site, scene) => {
  const { group, last } = site;
  const firstAfter = group.spans.length > 1 ? group.spans[0] : last;
  for (const span of firstAfter === last ? [last] : [firstAfter, last]) {
    if (!span) continue;
    const after = tokensAfter(scene, span);
    // Words after the closing mark in the same sentence: “…,” X said / “…?” X asked / “…” said X.
    if (after.length === 0 || !span.closed) continue;
    const np = attributionAfter(after);
    const attribution = np ? speakerOf(np, scene.index) : null;
    if (attribution) return attribution;
  }
  return null;
};

/** (b) X said: “…”, X said in a statement that “…”, X …, telling the crowd, “…”: the attribution comes first. */
export const beforeInSentence: Strategy = (site, scene) => {
  const { openSentence } = site;
  if (!site.before.trim() || !openSentence) return null;
  // Another quote earlier in the sentence is part of the clause, not of the attribution: “A,” and, “B”.
  const from = Math.max(openSentence.start, site.first.open - WINDOW);
  const tokens = tokenize(scene.body, from, site.first.open).filter((t) => !scene.inside(t.start));
  const found = attributionBefore(tokens);
  if (!found) return null;
  if (found.participle) return subjectOfSentence(scene.body, openSentence, scene.index);
  return found.np ? speakerOf(found.np, scene.index) : null;
};

/** A transcript's speaker label: "WALLACE: …", "Sen. Warren: …" at the start of a paragraph. */
const LABEL = /^\s*((?:[A-Z][A-Za-z.'’-]*\s){0,3}[A-Z][A-Za-z'’-]*)\s*:\s/u;
const LABEL_NOT =
  /^(?:Q|A|Note|Update|Editor|Correction|Watch|Related|Read|Source|Photo|Video|Updated|Exclusive|Breaking|Transcript|Advertisement)$/i;

/** (c) The quote stands in a transcript line: the label names who is speaking. */
export const transcriptLabel: Strategy = (site, scene) => {
  const para = scene.paragraphs[site.first.paragraph];
  if (!para || site.first.open === para.start) return null;
  const label = LABEL.exec(para.text)?.[1]?.trim();
  if (!label || LABEL_NOT.test(label)) return null;
  // A label is a name, in capitals or title case, and no more than four words.
  const ws = label.split(/\s+/);
  if (!ws.every((w) => /^[A-Z]/.test(w)) || ws.length > 4) return null;
  const name = ws.filter((w) => !/^(?:Sen|Rep|Gov|Mr|Mrs|Ms|Dr|Sec)\.?$/i.test(w));
  if (name.length === 0) return null;
  const speaker = resolveLabel(name.join(' '), para.start, scene.index);
  return { speaker, role: scene.index.people.get(speaker)?.role ?? null };
};

/**
 * The speaker a sentence announces for what follows: "X said:", "X, who …, echoed:", "Iowa State's
 * Dianne Bystrom agreed.", "Or maybe Y, digital consultant Z says.". The speech verb must end the
 * sentence (or come just before its colon or a short tail), so "X said the plan would pass." does not
 * claim the quote after it.
 */
function announcedSpeaker(scene: Scene, s: Sentence): Attribution | null {
  const ts = tokenize(scene.body, Math.max(s.start, s.end - WINDOW), s.end).filter((t) => t.core !== '');
  const colon = /:\s*$/.test(s.text);
  for (let v = ts.length - 1; v >= 0 && (colon || ts.length - 1 - v <= 2); v--) {
    if (!speechVerbAt(ts, v)) continue;
    const np = subjectBefore(ts, v, 0);
    return np ? speakerOf(np, scene.index) : null;
  }
  return null;
}

/** (d) A quote standing alone after a sentence that introduces it, in the same paragraph or after a colon. */
export const previousSentence: Strategy = (site, scene) => {
  const { openSentence } = site;
  if (!openSentence || site.before.trim()) return null;
  const prevSentence = scene.sentences[openSentence.index - 1];
  if (!prevSentence) return null;
  const samePara = prevSentence.paragraph === openSentence.paragraph;
  const introduces = /:\s*$/.test(prevSentence.text);
  if (!samePara && !introduces) return null;
  if (hasSpanStartingIn(scene, prevSentence.start, prevSentence.end)) return null;
  return announcedSpeaker(scene, prevSentence) ?? subjectOfSentence(scene.body, prevSentence, scene.index);
};

/** (e) A paragraph that opens with a quote after a paragraph ending with an attributed quote. */
export const previousSpeakerGoesOn: Strategy = (site, scene) => {
  const { first, previous } = site;
  const startsParagraph = scene.paragraphs[first.paragraph]?.start === first.open;
  if (!previous?.attribution?.speaker || !startsParagraph) return null;
  const prevLast = previous.group.spans[previous.group.spans.length - 1];
  if (!prevLast || prevLast.lastParagraph !== first.paragraph - 1) return null;
  // Only when the previous paragraph ends with that quote and its attribution.
  const closeSentence = sentenceAt(scene.sentences, prevLast.close - 1);
  const prevPara = scene.paragraphs[prevLast.lastParagraph];
  return closeSentence && prevPara && closeSentence.end >= prevPara.end ? previous.attribution : null;
};

const DEMONSTRATIVE = /^(?:That|This|Those|These|Such|So)\b[^.]{0,80}\b(?:of|from|by)\s+(?:\p{L}+\s+){0,4}$/u;

/** (f) “…” That was the verdict of X. / “…” X said. The next sentence of the paragraph names the speaker. */
export const nextSentence: Strategy = (site, scene) => {
  const closeSentence = sentenceAt(scene.sentences, site.last.close - 1);
  const next = closeSentence ? scene.sentences[closeSentence.index + 1] : undefined;
  if (!next || !closeSentence || next.paragraph !== closeSentence.paragraph) return null;
  const m = (scene.index.bySentence.get(next.index) ?? []).find((x) => !x.possessive);
  if (!m) return null;
  const lead = scene.body.slice(next.start, m.start);
  // "X said." / "X also said.": the verb right after the name, or after one adverb.
  const after = tokenize(scene.body, m.end, Math.min(next.end, m.end + 200)).filter((t) => t.core !== '');
  const verbAfter = speechVerbAt(after, 0) > 0 || (after[0]?.trail === '' && speechVerbAt(after, 1) > 0);
  if (DEMONSTRATIVE.test(lead) || (!lead.trim() && verbAfter))
    return { speaker: m.person, role: scene.index.people.get(m.person)?.role ?? m.role };
  return null;
};

export const STRATEGIES: Strategy[] = [
  afterInSentence,
  beforeInSentence,
  transcriptLabel,
  previousSentence,
  previousSpeakerGoesOn,
  nextSentence,
];

/** The first strategy's answer, or null when none names a speaker. */
export function attribute(site: QuoteSite, scene: Scene): Attribution | null {
  for (const strategy of STRATEGIES) {
    const attribution = strategy(site, scene);
    if (attribution) return attribution;
  }
  return null;
}
