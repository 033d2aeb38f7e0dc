/**
 * People (and organizations) in an article: name mentions, full-name resolution, roles and gender cues.
 *
 * A mention is a run of capitalized words outside quotation marks ("China’s climate envoy Xie Zhenhua",
 * "Senate Minority Leader Harry M. Reid", "Xie"). Titles and capitalized role words are stripped from
 * the name and kept as its role. What the name is follows from its last word and its company: an
 * organization ("Clinton Foundation", "New York Times"), a place ("Cook County", "Ohio", a word only
 * ever written after "in" or "from") or a person. Single capitalized words that are dates ("Tuesday"),
 * party or nationality adjectives ("Democratic"), single letters ("D" of "(D-Mo.)") or ordinary words
 * opening a sentence ("Gay rights groups…", when "gay" is written elsewhere) name nobody.
 *
 * A shorter mention ("Xie", "Clinton", "Harry Reid") resolves to the fullest name in the article that
 * ends or starts with it, so names written family-name first stay as written ("Xie Zhenhua", "Park
 * Ji-hoon") and hyphenated given names stay whole.
 */
import {
  AMBIGUOUS_MONTHS,
  CALENDAR_WORDS,
  DEMONYMS,
  FEMALE_HONORIFICS,
  FEMALE_NOUNS,
  FEMALE_PRONOUNS,
  HONORIFICS,
  isListedRole,
  isRoleNoun,
  MALE_HONORIFICS,
  MALE_NOUNS,
  MALE_PRONOUNS,
  NAME_PARTICLES,
  OPENERS,
  ORG_WORDS,
  PLACE_PREFIXES,
  PLACE_WORDS,
  PLACES,
  ROLE_MODIFIERS,
  SPEECH_VERBS,
  TITLES,
} from './lexicon.ts';
import type { Sentence } from './sentences.ts';
import { type Token, tokenize } from './tokens.ts';

export type MentionKind = 'person' | 'org' | 'place';

export interface Mention {
  /** Name as written, titles stripped. */
  name: string;
  tokens: string[];
  /** Offsets of the name itself. */
  start: number;
  end: number;
  /** Role written before the name ("China’s climate envoy", "Mayor") or after it as an appositive. */
  role: string | null;
  /** Where the role written before the name starts (equals start when there is none). */
  roleStart: number;
  honorific: string | null;
  sentence: number;
  /** Full name this mention refers to, filled by resolution. */
  person: string;
  kind: MentionKind;
  /** Written as a possessive ("Fox’s Chris Wallace"): it modifies what follows, it is not a subject. */
  possessive: boolean;
  /** Right after "in", "at", "from"…: a place reading. */
  locative: boolean;
}

export interface Person {
  name: string;
  role: string | null;
  female: number;
  male: number;
  /** Evidence it is a person (title, role, speech verb, gender cue), not a company or a place. */
  personEvidence: boolean;
  kind: MentionKind;
}

export interface PeopleIndex {
  /** Sorted by position. */
  mentions: Mention[];
  people: Map<string, Person>;
  /** Mentions of each sentence, by sentence index. */
  bySentence: Map<number, Mention[]>;
  names: NameIndex;
}

export function isNameWord(core: string): boolean {
  // Most words are lower case: answer those without a regex (this runs on every word of the article).
  const c = core.charCodeAt(0);
  if ((c >= 97 && c <= 122) || (c >= 48 && c <= 57) || Number.isNaN(c)) return false;
  if (!/^\p{Lu}/u.test(core)) return false;
  if (/^\p{Lu}\.$/u.test(core)) return true; // an initial
  if (/^[\p{Lu}\d.&-]+$/u.test(core) && core.length > 1) return false; // acronym: US, COP27, AI, D-N.Y.
  if (/^[DRI]-\p{Lu}/u.test(core)) return false; // a party and state: "D-Mo.", "R-Texas"
  // "Angeles-based", "Kentucky-born", "Saudi-led": an adjective made from a name.
  if (/-(?:based|born|bred|led|backed|owned|run|area|style|era|made|linked|allied|funded)$/i.test(core))
    return false;
  return /^\p{Lu}[\p{L}\p{M}'’.-]*$/u.test(core);
}

function isPronoun(word: string): 'f' | 'm' | null {
  const w = word.toLowerCase();
  if (FEMALE_PRONOUNS.has(w)) return 'f';
  if (MALE_PRONOUNS.has(w)) return 'm';
  return null;
}

const PREPOSITIONS = new Set(
  'in at to from of near for by with into toward towards across outside inside and or on over under'.split(
    ' ',
  ),
);
const LOCATIVE = new Set(
  'in at from near outside inside across throughout around into toward towards'.split(' '),
);
const TIME_WORDS = new Set(
  'in on since until by last next early late mid this through before after'.split(' '),
);

const ROLE_STOP = new Set(
  (
    'the a an his her their its our my your this that these those with by to from for of at in on and or but ' +
    'said says told as than when after before while who whom whose which where was were is are be been has had ' +
    'have will would could should can may might not no also then when said according like including between'
  ).split(' '),
);

/** Adjectives in -ed that belong to a role ("retired teacher", "elected official"). */
const ROLE_PARTICIPLES = new Set(
  'retired elected appointed designated unelected qualified licensed registered certified'.split(' '),
);

/**
 * A lower-case -ed word: a verb ("… interviewed Governor X") ends a role phrase. (-ing words are not
 * checked: "fishing association chair", "nursing director" are roles.)
 */
function isVerbLike(word: string): boolean {
  return /^\p{Ll}+ed$/u.test(word) && !ROLE_PARTICIPLES.has(word);
}

/** The role phrase written just before a name ("China’s climate envoy", "US House Speaker", "Mayor"). */
function roleBefore(body: string, tokens: Token[], first: number, nameIndex: number): string | null {
  // tokens[first..nameIndex-1] are title words inside the run; walk further back over role words.
  let start = first;
  const before = tokens[first - 1];
  if (first === nameIndex && before?.trail === ',' && isRoleNoun(before.core)) {
    // A fronted appositive: "The minister, Ahmed Rahimi, said" → role "minister".
    let from = first - 1;
    for (let i = first - 2; i >= 0; i--) {
      const t = tokens[i];
      if (!t || t.trail || t.lead || ROLE_STOP.has(t.core.toLowerCase()) || SPEECH_VERBS.has(t.core)) break;
      from = i;
    }
    const det = tokens[from - 1];
    const atClauseStart =
      from === 0 || (det && /^(?:the|The)$/.test(det.core) && (from - 1 === 0 || !!tokens[from - 2]?.trail));
    if (atClauseStart) return body.slice(tokens[from]?.start ?? 0, before.end).trim() || null;
  }
  for (let i = first - 1; i >= 0; i--) {
    const t = tokens[i];
    if (!t || t.trail || t.lead || ROLE_STOP.has(t.core.toLowerCase()) || SPEECH_VERBS.has(t.core)) break;
    if (/^\d/.test(t.core) || isVerbLike(t.core)) break;
    start = i;
  }
  // Drop honorifics at the end (Council member Dr. Theo Vance → "Council member").
  let end = nameIndex;
  while (end > start && HONORIFICS.has(tokens[end - 1]?.core ?? '')) end--;
  if (end <= start) return null;
  const head = tokens[end - 1];
  if (!head || !(TITLES.has(head.core) || isRoleNoun(head.core))) return null;
  const from = tokens[start]?.start ?? 0;
  const to = tokens[end - 1]?.end ?? 0;
  const role = body.slice(from, to + (head.possessive ? 2 : 0)).trim();
  return role || null;
}

/** An appositive after a name: “Dr. Amara Okafor, chief medical officer at Lakeshore General Hospital,”. */
function roleAfter(body: string, nameEnd: number, sentenceEnd: number): string | null {
  // An appositive starts with a comma (or "’s,"): most names have none, so look before slicing.
  const next = body[nameEnd];
  if (next !== ',' && next !== "'" && next !== '’') return null;
  const rest = body.slice(nameEnd, sentenceEnd);
  const m = /^(?:['’]s)?,\s+(?:(?:a|an|the)\s+)?([^,;:“”"()]+?)(?=,|;|:|\s+[—–]\s+|[.!?][”"]?\s*$|$)/u.exec(
    rest,
  );
  let phrase = m?.[1]?.trim();
  if (!phrase) return null;
  phrase = phrase
    .replace(/\s+(?:who|whom|whose|which|that|where|since|for the past|said|told)\b.*$/u, '')
    .trim();
  phrase = phrase.replace(/[.!?]$/, '');
  if (!phrase || /^\d/.test(phrase)) return null;
  const ws = phrase.split(/\s+/);
  const firstWord = ws[0] ?? '';
  if (
    /^(?:who|which|whose|where|one|also|said|says|told|and|but|however|in|on|at|has|had|is|was)$/i.test(
      firstWord,
    )
  )
    return null;
  if (/^\p{Lu}/u.test(firstWord) && !/['’]s$/.test(firstWord) && !TITLES.has(firstWord)) return null;
  if (ws.length > 14) return null;
  // It must contain a role noun before any preposition ("chief medical officer at …").
  const beforePrep = phrase.split(/\s+(?:at|of|for|in|with|on|to|from)\s+/)[0] ?? phrase;
  if (!beforePrep.split(/\s+/).some((w) => isRoleNoun(w) || TITLES.has(w))) return null;
  return phrase;
}

/** What kind of thing a name (titles stripped) is, from its own words. */
function kindOf(names: string[]): MentionKind {
  const last = names[names.length - 1] ?? '';
  if (ORG_WORDS.has(last)) return 'org';
  if (PLACE_WORDS.has(last)) return 'place';
  if (names.length === 1 && PLACES.has(last)) return 'place';
  if (names.length === 2 && PLACE_PREFIXES.has(names[0] ?? '') && !HONORIFICS.has(names[0] ?? '')) {
    // "New Hampshire", "South Carolina", "North Korea" (but "New York Times" ends in an org word above).
    return 'place';
  }
  return 'person';
}

/** Where the name starts in a run: after the last title, capitalized role word, org or place modifier. */
function nameStart(run: Token[], from: number): { nameFrom: number; lastTitle: number } {
  let lastTitle = -1;
  for (let x = from; x < run.length - 1; x++) {
    const w = run[x]?.core ?? '';
    if (TITLES.has(w) || isListedRole(w)) lastTitle = x;
    else if ((ORG_WORDS.has(w) || PLACE_WORDS.has(w)) && x > from) lastTitle = x;
  }
  let nameFrom = Math.max(from, lastTitle + 1);
  // Modifiers left in front of the name: "Former", "Republican", "Missouri" (when a title follows them
  // the loop above already moved past them).
  while (nameFrom < run.length - 1) {
    const w = run[nameFrom]?.core ?? '';
    if (DEMONYMS.has(w) || ROLE_MODIFIERS.has(w) || CALENDAR_WORDS.has(w)) nameFrom++;
    else break;
  }
  return { nameFrom, lastTitle };
}

/** Finds every name mention outside the given quotation ranges. */
export function findMentions(
  body: string,
  sentences: Sentence[],
  insideQuote: (offset: number) => boolean,
): Mention[] {
  const mentions: Mention[] = [];
  // Words the article writes in lower case, collected on the way; a lone capitalized sentence opener
  // among them is dropped at the end ("Gay rights groups…" when "gay" is written elsewhere).
  const lower = new Set<string>();
  const openers = new Map<Mention, string>();
  for (const s of sentences) {
    const all = tokenize(body, s.start, s.end);
    for (const t of all) if (/^\p{Ll}/u.test(t.core)) lower.add(t.core);
    // Names never run across a quotation: cut the sentence into its outside-quote stretches.
    const tokens: Token[] = [];
    const stretch: number[] = [];
    let piece = 0;
    let wasInside = false;
    for (const t of all) {
      const inside = insideQuote(t.start);
      if (inside) {
        wasInside = true;
        continue;
      }
      if (wasInside) piece++;
      wasInside = false;
      tokens.push(t);
      stretch.push(piece);
    }
    let i = 0;
    while (i < tokens.length) {
      const t = tokens[i];
      // A short parenthesis ("(D-N.Y.)", "(AP)", "(R)") holds no name that speaks.
      if (t?.lead.includes('(')) {
        let close = i;
        while (close < tokens.length && close - i < 3 && !tokens[close]?.trail.includes(')')) close++;
        if (tokens[close]?.trail.includes(')')) {
          i = close + 1;
          continue;
        }
      }
      if (!t || !isNameWord(t.core)) {
        i++;
        continue;
      }
      // Collect a run of name words (particles allowed inside), ending at punctuation or a possessive.
      let j = i;
      while (j < tokens.length) {
        const cur = tokens[j];
        if (!cur) break;
        if (cur.trail || cur.possessive) {
          j++;
          break;
        }
        const next = tokens[j + 1];
        const after = tokens[j + 2];
        const sameStretch = stretch[j + 1] === stretch[j];
        if (next && sameStretch && isNameWord(next.core) && !next.lead) j++;
        else if (
          next &&
          after &&
          sameStretch &&
          stretch[j + 2] === stretch[j] &&
          NAME_PARTICLES.has(next.core) &&
          isNameWord(after.core) &&
          !next.trail
        )
          j += 2;
        else {
          j++;
          break;
        }
      }
      const run = tokens.slice(i, j);
      const runStart = i;
      i = j;
      // Sentence-initial openers are not names ("The", "After", "Both"), nor is a lone capitalized word
      // the article writes in lower case elsewhere ("Gay rights groups…", "Instead, …").
      const first = run[0];
      const atSentenceStart = !!first && first.start - first.lead.length <= s.start;
      let k = 0;
      let opener: string | null = null;
      if (atSentenceStart) {
        while (k < run.length && OPENERS.has(run[k]?.core ?? '')) k++;
        if (run.length - k === 1) opener = (run[k]?.core ?? '').toLowerCase();
      }
      if (k >= run.length) continue;
      // An organization or place is named by the whole run ("General Motors", "Cook County"): no title
      // is split off it.
      const runKind = kindOf(run.slice(k).map((x) => x.core));
      const split = runKind === 'person' ? nameStart(run, k) : { nameFrom: k, lastTitle: -1 };
      const lastTitle = split.lastTitle;
      let nameFrom = split.nameFrom;
      // "Hydrologist Ben Achebe" at the start of a sentence: a role noun, then a two-word name.
      if (lastTitle < 0 && run.length - nameFrom >= 3 && atSentenceStart && nameFrom === k) {
        const w = run[nameFrom]?.core ?? '';
        if (isRoleNoun(w) && !isPronoun(w)) nameFrom++;
      }
      const nameTokens = run.slice(nameFrom);
      if (nameTokens.length === 0) continue;
      const names = nameTokens.map((n) => n.core);
      const kind = runKind === 'person' ? kindOf(names) : runKind;
      if (kind === 'person' && nameTokens.length > 4) continue;
      if (nameTokens.length === 1) {
        const w = names[0] ?? '';
        if (OPENERS.has(w) || CALENDAR_WORDS.has(w) || DEMONYMS.has(w) || ROLE_MODIFIERS.has(w)) continue;
        if (/^\p{Lu}\.?$/u.test(w) || TITLES.has(w)) continue;
        if (AMBIGUOUS_MONTHS.has(w)) {
          const prev = tokens[runStart + nameFrom - 1]?.core.toLowerCase() ?? '';
          const next = tokens[runStart + nameFrom + 1]?.core ?? '';
          if (TIME_WORDS.has(prev) || /^\d/.test(next)) continue;
        }
      }
      const firstName = nameTokens[0];
      const lastName = nameTokens[nameTokens.length - 1];
      if (!firstName || !lastName) continue;
      const honorific = run.slice(k, nameFrom).find((x) => HONORIFICS.has(x.core))?.core ?? null;
      const titleStart = lastTitle >= 0 ? runStart + k : runStart + nameFrom;
      const prefixRole =
        lastName.possessive || kind !== 'person'
          ? null
          : (roleBefore(body, tokens, titleStart, runStart + nameFrom) ??
            (lastTitle >= k ? roleBefore(body, tokens, runStart + k, runStart + nameFrom) : null));
      const suffixRole =
        lastName.possessive || kind !== 'person'
          ? null
          : roleAfter(body, lastName.end, Math.min(s.end, lastName.end + 300));
      const roleStart = prefixRole ? body.lastIndexOf(prefixRole, firstName.start) : firstName.start;
      const before = tokens[runStart - 1];
      const mention: Mention = {
        roleStart: roleStart >= 0 ? roleStart : firstName.start,
        name: names.join(' '),
        tokens: names,
        start: firstName.start,
        end: lastName.end,
        role: prefixRole ?? suffixRole,
        honorific,
        sentence: s.index,
        person: '',
        kind,
        possessive: lastName.possessive,
        locative: nameFrom === 0 && !!before && !before.trail && LOCATIVE.has(before.core.toLowerCase()),
      };
      mentions.push(mention);
      if (opener) openers.set(mention, opener);
    }
  }
  // A capitalized word that is part of someone's role ("Transit" in "Transit authority spokesman Victor
  // Lam") is not a mention of its own. Roles only reach back within a sentence, so look a few ahead.
  return mentions.filter((m, idx) => {
    const opener = openers.get(m);
    if (opener !== undefined && lower.has(opener)) return false;
    for (let o = idx + 1; o < mentions.length && o <= idx + 6; o++) {
      const other = mentions[o];
      if (!other || other.sentence !== m.sentence) break;
      if (m.start >= other.roleStart && m.end <= other.start) return false;
    }
    return true;
  });
}

/** The longest forms of one name (same first and last word), in article order. */
interface Longest {
  length: number;
  mentions: Mention[];
}

/**
 * Name resolution tables: every multi-word person mention by its last and by its first word (to find
 * which person a single word means: the nearest one), and the longest forms of each first+last pair
 * (to give that person's fullest name: "Harry Reid" → "Harry M. Reid").
 */
export interface NameIndex {
  byLast: Map<string, Mention[]>;
  byFirst: Map<string, Mention[]>;
  byEnds: Map<string, Longest>;
}

const endsKey = (m: Mention): string =>
  `${(m.tokens[0] ?? '').toLowerCase()} ${(m.tokens[m.tokens.length - 1] ?? '').toLowerCase()}`;

function nameIndex(mentions: Mention[]): NameIndex {
  const index: NameIndex = { byLast: new Map(), byFirst: new Map(), byEnds: new Map() };
  const push = (map: Map<string, Mention[]>, key: string, m: Mention) => {
    const list = map.get(key);
    if (list) list.push(m);
    else map.set(key, [m]);
  };
  for (const m of mentions) {
    if (m.tokens.length < 2 || m.kind !== 'person') continue;
    push(index.byLast, (m.tokens[m.tokens.length - 1] ?? '').toLowerCase(), m);
    push(index.byFirst, (m.tokens[0] ?? '').toLowerCase(), m);
    // Only the longest forms per pair: shorter ones never win, and the list stays short.
    const key = endsKey(m);
    const entry = index.byEnds.get(key);
    if (!entry || m.tokens.length > entry.length)
      index.byEnds.set(key, { length: m.tokens.length, mentions: [m] });
    else if (m.tokens.length === entry.length) entry.mentions.push(m);
  }
  return index;
}

/** The mention nearest before `at` (else the first after), by binary search over an ordered list. */
function nearest(ms: Mention[] | undefined, at: number): Mention | undefined {
  if (!ms || ms.length === 0) return undefined;
  let lo = 0;
  let hi = ms.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((ms[mid]?.start ?? 0) <= at) lo = mid + 1;
    else hi = mid;
  }
  return ms[lo - 1] ?? ms[0];
}

/** The fullest form of the person a mention names. */
function fullestOf(index: NameIndex, m: Mention, at: number): Mention {
  const entry = index.byEnds.get(endsKey(m));
  return entry && entry.length > m.tokens.length ? (nearest(entry.mentions, at) ?? m) : m;
}

/** Resolves one name (one or more words) at a position to the fullest form the article gives. */
function resolveWith(index: NameIndex, tokens: string[], at: number): string | null {
  const first = (tokens[0] ?? '').toLowerCase();
  const last = (tokens[tokens.length - 1] ?? '').toLowerCase();
  if (tokens.length > 1) {
    // "Harry Reid" → "Harry M. Reid".
    const entry = index.byEnds.get(`${first} ${last}`);
    return entry && entry.length > tokens.length ? (nearest(entry.mentions, at)?.name ?? null) : null;
  }
  // Which person: the nearest with this surname ("Clinton" → the Clinton named last), then with this
  // given name or family name written first ("Hillary", "Xie" → "Xie Zhenhua"); then that person's
  // fullest form.
  const m = nearest(index.byLast.get(first), at) ?? nearest(index.byFirst.get(first), at);
  return m ? fullestOf(index, m, at).name : null;
}

const PRONOUN_WORD = /(?<![\p{L}\p{N}'’-])(?:he|him|his|himself|she|her|hers|herself)(?![\p{L}\p{N}])/giu;

/** How far (in characters) after a name a pronoun is taken as a cue to that person's gender. */
const PRONOUN_REACH = 400;

/** How many mentions back a pronoun or role noun looks for its person: far enough for any paragraph. */
const LOOKBACK = 400;

/** Links mentions to people, collects roles and gender evidence. */
export function indexPeople(
  body: string,
  sentences: Sentence[],
  mentions: Mention[],
  insideQuote: (offset: number) => boolean,
): PeopleIndex {
  const people = new Map<string, Person>();
  const names = nameIndex(mentions);
  const locative = new Map<string, { locative: number; other: number }>();
  for (const m of mentions) {
    m.person = m.kind === 'person' ? (resolveWith(names, m.tokens, m.start) ?? m.name) : m.name;
    let p = people.get(m.person);
    if (!p) {
      p = { name: m.person, role: null, female: 0, male: 0, personEvidence: false, kind: m.kind };
      people.set(m.person, p);
    }
    const l = locative.get(m.person) ?? { locative: 0, other: 0 };
    if (m.locative) l.locative++;
    else l.other++;
    locative.set(m.person, l);
    if (!p.role && m.role) p.role = m.role;
    if (m.role || m.honorific) p.personEvidence = true;
    if (m.honorific && FEMALE_HONORIFICS.has(m.honorific)) p.female += 3;
    if (m.honorific && MALE_HONORIFICS.has(m.honorific)) p.male += 3;
    for (const w of (m.role ?? '').toLowerCase().split(/\s+/)) {
      if (FEMALE_NOUNS.has(w)) p.female += 2;
      if (MALE_NOUNS.has(w)) p.male += 2;
    }
  }
  // Pronoun cues: the first gendered pronoun after a mention in subject position, in its sentence or the
  // next one of the same paragraph, counts for that person unless another person is named in between.
  // A pronoun that is itself the subject of a quote's attribution (“…,” he said) is not a cue: it is
  // what we are trying to resolve.
  for (let idx = 0; idx < mentions.length; idx++) {
    const m = mentions[idx];
    if (m?.kind !== 'person' || m.possessive) continue;
    const s = sentences[m.sentence];
    if (!s) continue;
    const followedBy = /^(?:['’]s)?\s*(,|\p{Ll}+)/u.exec(body.slice(m.end, m.end + 30))?.[1] ?? '';
    const subjectPosition = followedBy === ',' || (followedBy !== '' && !PREPOSITIONS.has(followedBy));
    if (!subjectPosition) continue;
    const next = sentences[m.sentence + 1];
    // A pronoun that points back is close to its name; the window also keeps a text without full stops
    // (one sentence of megabytes) linear.
    const limit = Math.min(next && next.paragraph === s.paragraph ? next.end : s.end, m.end + PRONOUN_REACH);
    let nextMention: Mention | undefined;
    for (let o = idx + 1; o < mentions.length && !nextMention; o++) {
      const other = mentions[o];
      if (!other || other.start >= limit) break;
      if (other.start > m.end && other.person !== m.person) nextMention = other;
    }
    const stop = Math.min(limit, nextMention ? nextMention.start : limit);
    // A regex over the short window, not a tokenizer: this runs once per mention.
    const window = body.slice(m.end, stop);
    for (const hit of window.matchAll(PRONOUN_WORD)) {
      const at = m.end + hit.index;
      if (insideQuote(at)) continue;
      const g = isPronoun(hit[0]);
      if (!g) continue;
      const verb =
        /^\s+(\p{L}+)/u.exec(window.slice(hit.index + hit[0].length, hit.index + hit[0].length + 24))?.[1] ??
        '';
      if (/[”"]\s*$/.test(body.slice(Math.max(0, at - 3), at)) && SPEECH_VERBS.has(verb.toLowerCase())) break;
      const p = people.get(m.person);
      if (p) {
        if (g === 'f') p.female++;
        else p.male++;
        p.personEvidence = true;
      }
      break;
    }
  }
  // Speech verbs right after a name are evidence of a speaker (a person, or an organization speaking).
  for (const m of mentions) {
    const after = /^,?\s*(?:\p{Ll}+\s+)?(\p{Ll}+)/u.exec(body.slice(m.end, m.end + 40));
    if (after?.[1] && SPEECH_VERBS.has(after[1])) {
      const p = people.get(m.person);
      if (p && p.kind === 'person') p.personEvidence = true;
    }
  }
  // A name only ever written after "in", "at" or "from", with nothing saying it is a person, is a place.
  for (const [name, l] of locative) {
    const p = people.get(name);
    if (p && p.kind === 'person' && !p.personEvidence && l.locative > 0 && l.other === 0) p.kind = 'place';
  }
  const bySentence = new Map<number, Mention[]>();
  for (const m of mentions) {
    const list = bySentence.get(m.sentence);
    if (list) list.push(m);
    else bySentence.set(m.sentence, [m]);
  }
  return { mentions, people, bySentence, names };
}

/** Mentions lying wholly inside [start, end), by binary search. */
export function mentionsIn(index: PeopleIndex, start: number, end: number): Mention[] {
  const ms = index.mentions;
  let lo = 0;
  let hi = ms.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((ms[mid]?.start ?? 0) < start) lo = mid + 1;
    else hi = mid;
  }
  const out: Mention[] = [];
  for (let i = lo; i < ms.length; i++) {
    const m = ms[i];
    if (!m || m.start >= end) break;
    if (m.end <= end) out.push(m);
  }
  return out;
}

/** Index of the last mention starting before `at`. */
function lastBefore(index: PeopleIndex, at: number): number {
  const ms = index.mentions;
  let lo = 0;
  let hi = ms.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((ms[mid]?.start ?? 0) < at) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

export function genderOf(p: Person): 'f' | 'm' | null {
  if (p.female > p.male) return 'f';
  if (p.male > p.female) return 'm';
  return null;
}

export function isPerson(index: PeopleIndex, m: Mention): boolean {
  return index.people.get(m.person)?.kind === 'person';
}

/** Resolves he/she at a position: the most recent person whose known gender does not contradict it. */
export function resolvePronoun(pronoun: string, at: number, index: PeopleIndex): string | null {
  const g = isPronoun(pronoun);
  if (!g) return null;
  const seen = new Set<string>();
  const from = lastBefore(index, at);
  for (let i = from; i >= 0 && i > from - LOOKBACK; i--) {
    const m = index.mentions[i];
    if (!m || seen.has(m.person)) continue;
    seen.add(m.person);
    const p = index.people.get(m.person);
    if (!p?.personEvidence || p.kind !== 'person') continue;
    const pg = genderOf(p);
    if (pg === null || pg === g) return p.name;
  }
  return null;
}

/** Resolves "the superintendent" to the person whose role has that noun. */
export function resolveRoleNoun(noun: string, at: number, index: PeopleIndex): string | null {
  const n = noun.toLowerCase();
  const from = lastBefore(index, at);
  for (let i = from; i >= 0 && i > from - LOOKBACK; i--) {
    const m = index.mentions[i];
    if (!m) continue;
    const role = index.people.get(m.person)?.role?.toLowerCase() ?? '';
    if (role.split(/[\s,]+/).includes(n)) return m.person;
  }
  return null;
}

/** Resolves a transcript label ("WALLACE", "Clinton") to the fullest name of that person in the article. */
export function resolveLabel(label: string, at: number, index: PeopleIndex): string {
  const words = label.split(/\s+/).filter(Boolean);
  const titleCase = words.map((w) => w.charAt(0) + w.slice(1).toLowerCase());
  const resolved = resolveWith(index.names, words, at);
  return resolved ?? titleCase.join(' ');
}
