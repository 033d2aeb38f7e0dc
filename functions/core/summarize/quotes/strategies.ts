/**
 * Attribution strategies, tried in order until one names a speaker:
 * (a) after the quote, in the same sentence (“…,” X said / said X / according to X / X told Y);
 * (b) before it, in the same sentence (X said: “…”);
 * (c) the previous sentence is about a person;
 * (c') the previous paragraph's speaker goes on;
 * (d) the following sentence names the speaker (“…” That was the verdict of X).
 */
import { SPEECH_VERBS } from '../lexicon.ts';
import { tokenize } from '../people.ts';
import type { Sentence } from '../sentences.ts';
import type { Group } from './groups.ts';
import { attributionAfter, attributionBefore, speakerOf, subjectOfSentence } from './phrases.ts';
import { endsOpen, type Scene, sentenceAt, tokensAfter } from './scene.ts';
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

/** (a) “…,” X said: the attribution follows a quote that stops mid-sentence. */
export const afterInSentence: Strategy = (site, scene) => {
  const { group, last } = site;
  const firstAfter = group.spans.length > 1 ? group.spans[0] : last;
  for (const span of firstAfter === last ? [last] : [firstAfter, last]) {
    if (!span) continue;
    const after = tokensAfter(scene, span);
    const continues = endsOpen(scene.body, span) || /^\p{Ll}/u.test(after[0]?.core ?? '');
    if (!continues || !span.closed) continue;
    const np = attributionAfter(after);
    const attribution = np ? speakerOf(np, scene.index) : null;
    if (attribution) return attribution;
  }
  return null;
};

/** (b) X said: “…”: the attribution opens the sentence the quote is in. */
export const beforeInSentence: Strategy = (site, scene) => {
  if (!site.before.trim()) return null;
  const np = attributionBefore(
    tokenize(scene.body, site.openSentence?.start ?? site.first.open, site.first.open),
  );
  return np ? speakerOf(np, scene.index) : null;
};

/** (c) A quote standing alone after a sentence about a person, in the same paragraph or after a colon. */
export const previousSentence: Strategy = (site, scene) => {
  const { openSentence } = site;
  if (!openSentence || site.before.trim()) return null;
  const prevSentence = scene.sentences[openSentence.index - 1];
  if (!prevSentence) return null;
  const samePara = prevSentence.paragraph === openSentence.paragraph;
  const introduces = /:\s*$/.test(prevSentence.text);
  if (!samePara && !introduces) return null;
  const inQuote = scene.spans.some((s) => s.open >= prevSentence.start && s.open < prevSentence.end);
  return inQuote ? null : subjectOfSentence(scene.body, prevSentence, scene.index);
};

/** (c') A paragraph that opens with a quote after a paragraph ending with an attributed quote. */
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

/** (d) “…” That was the verdict of X. / “…” X said. The next sentence of the paragraph names the speaker. */
export const nextSentence: Strategy = (site, scene) => {
  const closeSentence = sentenceAt(scene.sentences, site.last.close - 1);
  const next = closeSentence ? scene.sentences[closeSentence.index + 1] : undefined;
  if (!next || !closeSentence || next.paragraph !== closeSentence.paragraph) return null;
  const m = scene.index.mentions.find((x) => x.sentence === next.index);
  if (!m) return null;
  const lead = scene.body.slice(next.start, m.start);
  const verbAfter = /^\s*(?:\p{Ll}+\s+)?(\p{Ll}+)/u.exec(scene.body.slice(m.end, next.end))?.[1];
  if (DEMONSTRATIVE.test(lead) || (!lead.trim() && verbAfter && SPEECH_VERBS.has(verbAfter)))
    return { speaker: m.person, role: scene.index.people.get(m.person)?.role ?? m.role };
  return null;
};

export const STRATEGIES: Strategy[] = [
  afterInSentence,
  beforeInSentence,
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
