/**
 * Attribution phrases around a quote, parsed from tokens, and the speaker they name.
 *
 * The speaker is the grammatical subject of a speech verb, found by position, not by proximity:
 * - verb first ("said Senate Minority Leader Harry M. Reid (D-Nev.)", "according to X"): the phrase after
 *   the verb up to its first comma, parenthesis or preposition, whose last name is the speaker;
 * - subject first ("Fox’s Chris Wallace said", "Melanne Verveer, who served as …, told CBS News"): the
 *   phrase before the verb, past an appositive between commas or a parenthesis, whose head (its last
 *   word before any preposition) is the speaker;
 * - a participle ("…, telling the crowd, “…”"): the subject of the sentence.
 * A possessive ("Fox’s", "Clinton’s aide") only modifies the head; an object ("told CBS News") never
 * speaks. A pronoun resolves to the nearest person it can be; "the superintendent" to the person with
 * that role; "a spokeswoman for the ministry" is a role without a name.
 */
import { isRoleNoun, PHRASAL_SPEECH, SPEECH_PARTICIPLES, SPEECH_VERBS } from '../lexicon.ts';
import {
  isPerson,
  type Mention,
  mentionsIn,
  type PeopleIndex,
  resolvePronoun,
  resolveRoleNoun,
} from '../people.ts';
import type { Sentence } from '../sentences.ts';
import { words } from '../text.ts';
import type { Token } from '../tokens.ts';
import type { Attribution } from './types.ts';

/** Words that may stand between a subject and its verb: "Trump also said", "she has long argued". */
const BETWEEN_SUBJECT_AND_VERB = new Set(
  (
    'also later then again previously recently once earlier quickly simply finally has have had was is ' +
    'would will could did does had long often repeatedly himself herself itself themselves just only ' +
    'still further flatly bluntly quietly openly publicly privately'
  ).split(' '),
);
const PARTIAL_VERBS = new Set(['called', 'described', 'dubbed', 'termed', 'branded', 'labeled', 'labelled']);
/** Where a verb-first subject phrase ends when it holds a name: "said Xie before a briefing". */
const NAME_BOUNDARY = new Set(
  (
    'of for at in on to from with by before after during while as when who whom whose which that and but ' +
    'or about over into outside inside near via than because since though although if where there here ' +
    'last this next'
  ).split(' '),
);
const PREPOSITION = new Set('for of at with in from on to by'.split(' '));
const LEADING_CONNECTIVES = new Set(
  'as but and or so yet when while after before although though because since if maybe perhaps meanwhile'.split(
    ' ',
  ),
);
const PRONOUNS = new Set(['he', 'she']);
const OTHER_PRONOUNS = new Set(['they', 'we', 'i', 'you', 'it']);

export interface NounPhrase {
  start: number;
  end: number;
  tokens: Token[];
}

const lower = (t: Token | undefined): string => t?.core.toLowerCase() ?? '';
/** Whether a token ends its sentence: "(D-N.Y.)" and "(R-Tex.)" hold a period that does not. */
const endsSentence = (t: Token | undefined): boolean => {
  const trail = t?.trail.replace(/[”"’']/g, '') ?? '';
  return /[.;!?]/.test(trail) && !/\)$/.test(trail);
};

/** The speech verb at `v` and how many tokens it takes: 1, or 2 for "shot back". 0 when it is none. */
export function speechVerbAt(ts: Token[], v: number): number {
  const w = lower(ts[v]);
  if (SPEECH_VERBS.has(w)) return 1;
  const second = PHRASAL_SPEECH.get(w);
  if (second?.has(lower(ts[v + 1])) && !ts[v]?.trail) return 2;
  return 0;
}

const phrase = (tokens: Token[]): NounPhrase | null => {
  const first = tokens[0];
  const last = tokens[tokens.length - 1];
  return first && last ? { start: first.start, end: last.end, tokens } : null;
};

/**
 * The subject phrase that ends just before the verb at `v`, no further back than `floor`: past
 * adverbs and auxiliaries, an appositive between commas, a parenthesis, a weekday ("on Tuesday").
 */
export function subjectBefore(ts: Token[], v: number, floor = 0): NounPhrase | null {
  let end = v;
  while (end > floor && BETWEEN_SUBJECT_AND_VERB.has(lower(ts[end - 1])) && !ts[end - 1]?.trail) end--;
  if (
    end - 2 >= floor &&
    /^(?:on|last|this)$/.test(lower(ts[end - 2])) &&
    /day$/i.test(ts[end - 1]?.core ?? '')
  )
    end -= 2;
  // A parenthesis before the verb ("Sen. Chuck Schumer (D-N.Y.) said").
  if (ts[end - 1]?.trail.includes(')')) {
    let open = end - 1;
    while (open > floor && !ts[open]?.lead.includes('(')) open--;
    if (ts[open]?.lead.includes('(')) end = open;
  }
  // An appositive ("Jason Kander, who is running against …, said"): back to the comma that opens it.
  let appositive: NounPhrase | null = null;
  if (end - 1 > floor && /,$/.test(ts[end - 1]?.trail ?? '')) {
    let open = end - 2;
    while (open >= floor && !/,$/.test(ts[open]?.trail ?? '')) open--;
    if (open < floor || end - open > 25) return null;
    appositive = phrase(ts.slice(open + 1, end));
    end = open + 1;
  }
  if (end <= floor) return null;
  let start = end - 1;
  // Back to the start of the clause: a comma, colon or dash, or an opening parenthesis or dash.
  while (
    start > floor &&
    !/[,;:—–(]/.test(ts[start - 1]?.trail ?? '') &&
    !/[(—–]/.test(ts[start]?.lead ?? '') &&
    end - start < 12
  )
    start--;
  while (start < end - 1 && LEADING_CONNECTIVES.has(lower(ts[start]))) start++;
  const np = phrase(ts.slice(start, end));
  // "The head of the union, Jane Doe, said": the appositive is the name.
  if (np && appositive && !/^\p{Lu}/u.test(np.tokens[np.tokens.length - 1]?.core ?? '')) {
    const a = appositive.tokens;
    if (a.length <= 4 && a.every((t) => /^\p{Lu}/u.test(t.core))) return appositive;
  }
  return np;
}

/** The subject phrase right after a verb-first attribution ("said GOP strategist Keith Nahigian, …"). */
export function subjectAfter(ts: Token[], from: number): NounPhrase | null {
  const np: Token[] = [];
  const determiner = /^(?:the|a|an)$/.test(lower(ts[from]));
  for (let i = from; i < ts.length && np.length < 12; i++) {
    const t = ts[i];
    if (!t) break;
    const w = t.core.toLowerCase();
    // A name ends at a preposition or conjunction; a role before it goes on ("former secretary of state
    // Hillary Clinton"), and so does "a spokeswoman for the ministry".
    const named = np.some((x) => /^\p{Lu}/u.test(x.core));
    if (
      np.length > 0 &&
      NAME_BOUNDARY.has(w) &&
      (!determiner || !PREPOSITION.has(w)) &&
      (named || w !== 'of')
    )
      break;
    if (t.lead.includes('(')) break;
    np.push(t);
    if (t.trail) break;
  }
  return phrase(np);
}

/** Parses the text right after a quote: “…,” said X / X said / according to X / X, who …, told Y. */
export function attributionAfter(tokens: Token[]): NounPhrase | null {
  const ts = tokens.filter((t) => t.core !== '');
  const t0 = ts[0];
  if (!t0) return null;
  if (lower(t0) === 'according' && lower(ts[1]) === 'to') return subjectAfter(ts, 2);
  const first = speechVerbAt(ts, 0);
  if (first) return subjectAfter(ts, first);
  // Subject then verb: “…,” union president Carla Mendes told the Tribune.
  for (let v = 1; v < Math.min(ts.length, 32); v++) {
    if (speechVerbAt(ts, v)) {
      const np = subjectBefore(ts, v, 0);
      return np && np.start === ts[0]?.start ? np : null;
    }
    if (endsSentence(ts[v])) break;
  }
  return null;
}

/** How far a partial quote may stand from its verb: “…” in "said in a statement that “…”". */
const MAX_TAIL = 7;

/**
 * Parses the text before a quote in the same sentence: X said: “…” / After the race X said, “…” /
 * X said in a statement that “…” / X, telling the crowd, “…” (then `participle` is true).
 */
export function attributionBefore(tokens: Token[]): { np: NounPhrase | null; participle: boolean } | null {
  const ts = tokens.filter((t) => t.core !== '');
  const last = ts[ts.length - 1];
  if (!last) return null;
  const colon = /:$/.test(last.trail);
  for (let v = ts.length - 1; v >= 0; v--) {
    const t = ts[v];
    if (!t) break;
    const tail = ts.length - 1 - v;
    if (tail > MAX_TAIL && !colon) break;
    if (v < ts.length - 1 && endsSentence(t)) break;
    const w = t.core.toLowerCase();
    const verb = speechVerbAt(ts, v);
    if (verb || PARTIAL_VERBS.has(w)) return { np: subjectBefore(ts, v, 0), participle: false };
    if (SPEECH_PARTICIPLES.has(w)) return { np: null, participle: true };
  }
  return null;
}

/**
 * The head of a phrase: the name before a preposition that follows it ("Archbishop Aris Shirvanian of
 * the Armenian Patriarchate of Jerusalem"), a name that ends it ("former secretary of state Hillary
 * Clinton"), else its last word before a preposition ("a spokeswoman for the ministry").
 */
function headOf(np: NounPhrase, index: PeopleIndex): Token | undefined {
  const isPrep = (t: Token, i: number) => i > 0 && PREPOSITION.has(lower(t));
  const afterName = np.tokens.findIndex(
    (t, i) => isPrep(t, i) && np.tokens.slice(0, i).some((x) => /^\p{Lu}/u.test(x.core) && !x.possessive),
  );
  if (afterName > 0) return np.tokens[afterName - 1];
  const last = np.tokens[np.tokens.length - 1];
  if (last && mentionsIn(index, np.start, np.end).some((m) => m.end === last.end && !m.possessive))
    return last;
  const prep = np.tokens.findIndex(isPrep);
  return np.tokens[(prep > 0 ? prep : np.tokens.length) - 1];
}

function fromMention(m: Mention, index: PeopleIndex): Attribution {
  if (isPerson(index, m)) return { speaker: m.person, role: index.people.get(m.person)?.role ?? m.role };
  // An organization speaking ("Verizon said", "the New York Times reported"): the name is the speaker.
  return { speaker: m.name, role: null };
}

/** Turns a noun phrase into a speaker: a named person or organization, a pronoun, or "the superintendent". */
export function speakerOf(np: NounPhrase, index: PeopleIndex): Attribution | null {
  const head = headOf(np, index);
  if (!head) return null;
  const mentions = mentionsIn(index, np.start, np.end).filter((m) => !m.possessive);
  const named = mentions.find((m) => m.start <= head.start && m.end >= head.end);
  if (named) {
    // A place speaks only as the whole subject ("Russia said"), never as part of a longer phrase.
    if (index.people.get(named.person)?.kind === 'place' && np.tokens.length > 2) return null;
    return fromMention(named, index);
  }
  const toks = np.tokens.map((t) => t.core.toLowerCase());
  const h = head.core.toLowerCase();
  if (PRONOUNS.has(h) && toks.length <= 3) {
    // A pronoun nobody in the article can be is no attribution at all.
    const who = resolvePronoun(h, np.start, index);
    return who ? { speaker: who, role: index.people.get(who)?.role ?? null } : null;
  }
  if (toks.length <= 3 && toks.some((w) => OTHER_PRONOUNS.has(w))) return null;
  if (['the', 'a', 'an'].includes(toks[0] ?? '') && toks.length <= 8) {
    // "The report said" is a document, not a person speaking.
    if (!isRoleNoun(h)) return null;
    const who = resolveRoleNoun(h, np.start, index);
    if (who) return { speaker: who, role: index.people.get(who)?.role ?? null };
    return {
      speaker: null,
      role: np.tokens
        .map((t) => t.core)
        .slice(1)
        .join(' '),
    };
  }
  return null;
}

/**
 * The person a sentence is about when it opens with them (“County emergency manager Grace Holloway
 * praised…”, "He then said…"), also after a fronted adverbial ("At the centre, retired teacher …").
 */
export function subjectOfSentence(body: string, s: Sentence, index: PeopleIndex): Attribution | null {
  const first = (index.bySentence.get(s.index) ?? []).find((m) => !m.possessive);
  let lead = body.slice(s.start, Math.min(first ? first.start : s.end, s.start + 300));
  const fronted =
    /^\s*(?:At|In|On|Outside|Inside|After|Before|During|Later|Earlier|Back|Near|From|Across)\b[^,]*,\s+(.*)$/su.exec(
      lead,
    );
  if (fronted?.[1] !== undefined) lead = fronted[1];
  if (first && index.people.get(first.person)?.kind !== 'place') {
    const leadWords = words(lead);
    const roleWords = words(index.people.get(first.person)?.role ?? first.role ?? '');
    const honorific = first.honorific ? 1 : 0;
    if (leadWords.length <= roleWords.length + honorific && !/[,;:]/.test(lead))
      return fromMention(first, index);
  }
  const pronoun = /^\s*(He|She)\b/.exec(body.slice(s.start, Math.min(s.end, s.start + 20)))?.[1];
  if (pronoun) {
    const who = resolvePronoun(pronoun, s.start, index);
    if (who) return { speaker: who, role: index.people.get(who)?.role ?? null };
  }
  return null;
}
