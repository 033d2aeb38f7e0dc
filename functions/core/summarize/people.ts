/**
 * People in an article: name mentions, full-name resolution, roles and gender cues.
 *
 * A mention is a run of capitalized words outside quotation marks ("China’s climate envoy Xie Zhenhua",
 * "Dr. Amara Okafor", "Xie"). Titles are stripped from the name but kept as part of the role; a
 * single word ("Xie", "Kerry") is resolved to the full name introduced in the article that starts or
 * ends with it, so names written family-name first stay as written ("Xie Zhenhua", "Park Ji-hoon").
 */
import {
  FEMALE_HONORIFICS,
  FEMALE_NOUNS,
  FEMALE_PRONOUNS,
  HONORIFICS,
  isRoleNoun,
  MALE_HONORIFICS,
  MALE_NOUNS,
  MALE_PRONOUNS,
  NAME_PARTICLES,
  OPENERS,
  ORG_WORDS,
  SPEECH_VERBS,
  TITLES,
} from './lexicon.ts';
import type { Sentence } from './sentences.ts';

export interface Token {
  /** The word without surrounding punctuation (a trailing period is kept on abbreviations: "Dr.", "F."). */
  core: string;
  start: number;
  end: number;
  /** Punctuation written right after the word (",", ".", "”"…), possessive "’s" excluded. */
  trail: string;
  lead: string;
  possessive: boolean;
}

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
}

export interface Person {
  name: string;
  role: string | null;
  female: number;
  male: number;
  /** Evidence it is a person (title, role, speech verb, gender cue), not a company or a place. */
  personEvidence: boolean;
}

const ABBREVIATION =
  /^(?:\p{Lu}\.)+$|^(?:Dr|Mr|Mrs|Ms|Mx|Mme|Sen|Gov|Rep|Gen|Col|Capt|Lt|Sgt|Maj|Adm|Cmdr|Prof|Rev|Det|Insp|Atty|St|Jr|Sr)\.$/u;

/** Splits a body range into word tokens with their punctuation. */
export function tokenize(body: string, from: number, to: number): Token[] {
  const out: Token[] = [];
  const re = /\S+/g;
  re.lastIndex = from;
  for (let m = re.exec(body); m && m.index < to; m = re.exec(body)) {
    const raw = m[0];
    const lead = /^[“"‘'([{—–-]*/.exec(raw)?.[0] ?? '';
    let rest = raw.slice(lead.length);
    let trail = /[”"’',.;:!?)\]}—–]*$/.exec(rest)?.[0] ?? '';
    rest = rest.slice(0, rest.length - trail.length);
    // Keep the period of an abbreviation or initial ("Dr.", "U.S.", "F.").
    if (trail.startsWith('.') && ABBREVIATION.test(`${rest}.`)) {
      rest = `${rest}.`;
      trail = trail.slice(1);
    }
    let possessive = false;
    const poss = /^(.+?)['’]s$/u.exec(rest);
    if (poss?.[1] && /^\p{Lu}/u.test(poss[1])) {
      rest = poss[1];
      possessive = true;
    } else if (/^[’']/.test(trail) && /s$/.test(rest)) possessive = true;
    const start = m.index + lead.length;
    out.push({ core: rest, start, end: start + rest.length, trail, lead, possessive });
  }
  return out;
}

export function isNameWord(core: string): boolean {
  if (!/^\p{Lu}/u.test(core)) return false;
  if (/^\p{Lu}\.$/u.test(core)) return true; // an initial
  if (/^[\p{Lu}\d.&-]+$/u.test(core) && core.length > 1) return false; // acronym: US, COP27, AI
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

const ROLE_STOP = new Set(
  (
    'the a an his her their its our my your this that these those with by to from for of at in on and or but ' +
    'said says told as than when after before while who whom whose which where was were is are be been has had ' +
    'have will would could should can may might not no also then when said according like including between'
  ).split(' '),
);

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
    if (/^\d/.test(t.core)) break;
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

export interface PeopleIndex {
  mentions: Mention[];
  people: Map<string, Person>;
}

/** Finds every name mention outside the given quotation ranges. */
export function findMentions(
  body: string,
  sentences: Sentence[],
  insideQuote: (offset: number) => boolean,
): Mention[] {
  const mentions: Mention[] = [];
  for (const s of sentences) {
    const tokens = tokenize(body, s.start, s.end).filter((t) => !insideQuote(t.start));
    let i = 0;
    while (i < tokens.length) {
      const t = tokens[i];
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
        if (next && isNameWord(next.core) && !next.lead) j++;
        else if (next && NAME_PARTICLES.has(next.core) && after && isNameWord(after.core) && !next.trail)
          j += 2;
        else {
          j++;
          break;
        }
      }
      const run = tokens.slice(i, j);
      const runStart = i;
      i = j;
      // Sentence-initial openers are not names ("The", "After", "Both").
      const atSentenceStart = (idx: number) => idx === 0;
      let k = 0;
      if (atSentenceStart(runStart)) while (k < run.length && OPENERS.has(run[k]?.core ?? '')) k++;
      // The name starts after the last title word of the run.
      let lastTitle = -1;
      for (let x = k; x < run.length; x++) if (TITLES.has(run[x]?.core ?? '')) lastTitle = x;
      let nameFrom = Math.max(k, lastTitle + 1);
      // "Hydrologist Ben Achebe" at the start of a sentence: a role noun, then a two-word name.
      if (lastTitle < 0 && run.length - nameFrom >= 3 && atSentenceStart(runStart + nameFrom)) {
        const w = run[nameFrom]?.core ?? '';
        if (isRoleNoun(w) && !isPronoun(w)) nameFrom++;
      }
      const nameTokens = run.slice(nameFrom);
      if (nameTokens.length === 0) continue;
      if (nameTokens.some((n) => ORG_WORDS.has(n.core)) || nameTokens.length > 4) continue;
      if (nameTokens.length === 1 && OPENERS.has(nameTokens[0]?.core ?? '')) continue;
      const firstName = nameTokens[0];
      const lastName = nameTokens[nameTokens.length - 1];
      if (!firstName || !lastName) continue;
      const honorific = run.slice(k, nameFrom).find((x) => HONORIFICS.has(x.core))?.core ?? null;
      const titleStart = lastTitle >= 0 ? runStart + k : runStart + nameFrom;
      const prefixRole = lastName.possessive
        ? null
        : (roleBefore(body, tokens, titleStart, runStart + nameFrom) ??
          (lastTitle >= k ? roleBefore(body, tokens, runStart + k, runStart + nameFrom) : null));
      const suffixRole = lastName.possessive ? null : roleAfter(body, lastName.end, s.end);
      const roleStart = prefixRole ? body.lastIndexOf(prefixRole, firstName.start) : firstName.start;
      mentions.push({
        roleStart: roleStart >= 0 ? roleStart : firstName.start,
        name: nameTokens.map((n) => n.core).join(' '),
        tokens: nameTokens.map((n) => n.core),
        start: firstName.start,
        end: lastName.end,
        role: prefixRole ?? suffixRole,
        honorific,
        sentence: s.index,
        person: '',
      });
    }
  }
  // A capitalized word that is part of someone's role ("Transit" in "Transit authority spokesman Victor
  // Lam") is not a mention of its own.
  return mentions.filter((m) => !mentions.some((o) => o !== m && m.start >= o.roleStart && m.end <= o.start));
}

/** Resolves one name (one or more words) at a position to the full name used in the article. */
export function resolveName(name: string, at: number, mentions: Mention[]): string {
  const words = name.split(' ');
  if (words.length > 1) {
    // A longer full name that contains this one ("Amara Okafor" inside nothing longer) wins.
    return name;
  }
  let best: Mention | undefined;
  for (const m of mentions) {
    if (m.tokens.length < 2) continue;
    const first = m.tokens[0];
    const last = m.tokens[m.tokens.length - 1];
    if (first !== name && last !== name) continue;
    if (m.start <= at) best = m;
    else if (!best) best = m;
  }
  return best ? best.name : name;
}

/** Links mentions to people, collects roles and gender evidence. */
export function indexPeople(
  body: string,
  sentences: Sentence[],
  mentions: Mention[],
  insideQuote: (offset: number) => boolean,
): PeopleIndex {
  const people = new Map<string, Person>();
  for (const m of mentions) {
    m.person = resolveName(m.name, m.start, mentions);
    let p = people.get(m.person);
    if (!p) {
      p = { name: m.person, role: null, female: 0, male: 0, personEvidence: false };
      people.set(m.person, p);
    }
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
    if (!m) continue;
    const s = sentences[m.sentence];
    if (!s) continue;
    const followedBy = /^(?:['’]s)?\s*(,|\p{Ll}+)/u.exec(body.slice(m.end, m.end + 30))?.[1] ?? '';
    const subjectPosition = followedBy === ',' || (followedBy !== '' && !PREPOSITIONS.has(followedBy));
    if (!subjectPosition) continue;
    const next = sentences[m.sentence + 1];
    const limit = next && next.paragraph === s.paragraph ? next.end : s.end;
    let nextMention: Mention | undefined;
    for (let o = idx + 1; o < mentions.length && !nextMention; o++) {
      const other = mentions[o];
      if (other && other.start > m.end && other.person !== m.person) nextMention = other;
    }
    const stop = Math.min(limit, nextMention ? nextMention.start : limit);
    const tokens = tokenize(body, m.end, stop);
    for (let ti = 0; ti < tokens.length; ti++) {
      const t = tokens[ti];
      if (!t || insideQuote(t.start)) continue;
      const g = isPronoun(t.core);
      if (!g) continue;
      const verb = tokens[ti + 1]?.core.toLowerCase() ?? '';
      if (/[”"]\s*$/.test(body.slice(Math.max(0, t.start - 3), t.start)) && SPEECH_VERBS.has(verb)) break;
      const p = people.get(m.person);
      if (p) {
        if (g === 'f') p.female++;
        else p.male++;
        p.personEvidence = true;
      }
      break;
    }
  }
  // Speech verbs right after a name are evidence of a person.
  for (const m of mentions) {
    const after = /^,?\s*(?:\p{Ll}+\s+)?(\p{Ll}+)/u.exec(body.slice(m.end, m.end + 40));
    if (after?.[1] && SPEECH_VERBS.has(after[1])) {
      const p = people.get(m.person);
      if (p) p.personEvidence = true;
    }
  }
  return { mentions, people };
}

export function genderOf(p: Person): 'f' | 'm' | null {
  if (p.female > p.male) return 'f';
  if (p.male > p.female) return 'm';
  return null;
}

/** Resolves he/she at a position: the most recent person whose known gender does not contradict it. */
export function resolvePronoun(pronoun: string, at: number, index: PeopleIndex): string | null {
  const g = isPronoun(pronoun);
  if (!g) return null;
  const seen = new Set<string>();
  for (let i = index.mentions.length - 1; i >= 0; i--) {
    const m = index.mentions[i];
    if (!m || m.start >= at || seen.has(m.person)) continue;
    seen.add(m.person);
    const p = index.people.get(m.person);
    if (!p?.personEvidence) continue;
    const pg = genderOf(p);
    if (pg === null || pg === g) return p.name;
  }
  return null;
}

/** Resolves "the superintendent" to the person whose role has that noun. */
export function resolveRoleNoun(noun: string, at: number, index: PeopleIndex): string | null {
  const n = noun.toLowerCase();
  for (let i = index.mentions.length - 1; i >= 0; i--) {
    const m = index.mentions[i];
    if (!m || m.start >= at) continue;
    const role = index.people.get(m.person)?.role?.toLowerCase() ?? '';
    if (role.split(/[\s,]+/).includes(n)) return m.person;
  }
  return null;
}
