/**
 * Attribution phrases around a quote, parsed from tokens, and the speaker they name: “…,” said X /
 * X said / according to X / X told Y after it; X said: “…” before it; the subject of a sentence.
 */
import { isRoleNoun, SPEECH_VERBS } from '../lexicon.ts';
import { type Mention, type PeopleIndex, resolvePronoun, resolveRoleNoun, type Token } from '../people.ts';
import type { Sentence } from '../sentences.ts';
import { words } from '../text.ts';
import type { Attribution } from './types.ts';

const ADVERBS = new Set(
  'also later then again previously recently once earlier quickly simply finally'.split(' '),
);
const PARTIAL_VERBS = new Set(['called', 'described', 'dubbed', 'termed', 'branded']);

export interface NounPhrase {
  start: number;
  end: number;
  tokens: Token[];
}

/** Parses the text right after a quote: “…,” said X / X said / according to X / X told Y. */
export function attributionAfter(tokens: Token[]): NounPhrase | null {
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
export function attributionBefore(tokens: Token[]): NounPhrase | null {
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
export function speakerOf(np: NounPhrase, index: PeopleIndex): Attribution | null {
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
export function subjectOfSentence(body: string, s: Sentence, index: PeopleIndex): Attribution | null {
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
