/**
 * Faithful compression: a key point is one source sentence with words deleted, never added or moved.
 * Only constituents whose removal leaves the main clause intact are deleted, as an editor trims a lead:
 *
 * - a dateline ("WASHINGTON (CNN) --", "LOS ANGELES (AP) —");
 * - a leading connective that only links to the sentence before ("But", "However,", "In fact,");
 * - a leading time phrase ("On Tuesday,", "Earlier this year,", "In August,");
 * - a trailing attribution (", officials said.", ", according to people familiar with the matter who…"),
 *   unless the sentence quotes someone, whose attribution it then is;
 * - a non-restrictive relative clause (", who has led the court since 2009,", ", which …");
 * - an appositive after a name (", a spokeswoman for the ministry,", ", 57,");
 * - a fronted adverbial clause ("As he awaits the report,", "According to the Post,") and a trailing
 *   participial phrase (", citing …", ", saying …");
 * - an aside between dashes or in parentheses.
 *
 * The first letter may be capitalized after a leading deletion; that is the only change besides deletion.
 */

interface Cut {
  start: number;
  end: number;
}

const WEEKDAY = '(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)';
const MONTH =
  '(?:January|February|March|April|May|June|July|August|September|October|November|December|Jan\\.|Feb\\.|Aug\\.|Sept?\\.|Oct\\.|Nov\\.|Dec\\.)';
const PART_OF_DAY = '(?:morning|afternoon|evening|night)';
const PERIOD = '(?:week|weekend|month|year|spring|summer|fall|autumn|winter|season|decade|century)';
/** A time expression of a few words: "Tuesday night", "earlier this year", "in August", "on Jan. 5, 2024". */
const TIME = `(?:(?:late |early |later |earlier )?(?:on |in |by |during |since |until |last |this |next |that )?(?:${WEEKDAY}(?: ${PART_OF_DAY})?|${MONTH}(?: \\d{1,2})?(?:,? \\d{4})?|\\d{4}|(?:last|this|next|that|the same|the following|the previous) ${PERIOD}|(?:earlier|later) (?:this|that|last) ${PERIOD}|(?:\\w+ )?(?:days|weeks|months|years) (?:ago|later|earlier)|(?:this|that|last|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday) ${PART_OF_DAY}|earlier|later|meanwhile|today|yesterday|overnight))`;

/** "WASHINGTON (CNN) --", "Marseille, France (CNN)", "LOS ANGELES (AP) —", "(CNN)". */
const DATELINE_AGENCY =
  /^(?:[A-Z][\p{L}.'’-]+(?: [A-Z][\p{L}.'’-]+){0,3}(?:, [A-Z][\p{L}.]+(?: [A-Z][\p{L}.]+){0,2})?\s*)?\((?:CNN|AP|Reuters|AFP|UPI|Bloomberg|[A-Z][A-Za-z]{1,10})\)\s*(?:--|—|–|-)?\s*/u;
/** "BAGHDAD, Iraq --": a place in capitals and a dash. */
const DATELINE_CAPS =
  /^[A-Z][A-Z.'’-]+(?: [A-Z][A-Z.'’-]+){0,3}(?:, [A-Z][\p{L}.]+(?: [A-Z][\p{L}.]+)?)?\s*(?:--|—|–|\s-)\s+/u;
/** A connective that links to the sentence before ("But new research shows…"): deleted, it reads alone. */
const LEADING_CONNECTIVE =
  /^(?:(?:But|And|Yet)\s+|(?:However|Still|Meanwhile|Instead|Also|Moreover|Furthermore|Nevertheless|Nonetheless|In fact|Indeed|Now|Then|Separately|Similarly|Likewise|Additionally|In addition|Of course|So|Already|Again),\s+)(?=\S)/u;
const LEADING_TIME = new RegExp(`^${TIME},\\s+`, 'iu');
/** ", X said." / ", said X." / ", according to …" at the end of the sentence. */
const TRAILING_ATTRIBUTION =
  /,\s+(?:according to\s[^"“”]{2,160}?|(?:[^,"“”]{1,60}?\s)?(?:said|says|told\s[^,."“”]{1,40}|added|noted|reported|explained|confirmed|announced)(?:\s(?:on\s)?(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|Mon|Tues?|Wed|Thurs?|Fri|Sat|Sun)(?:\s(?:morning|afternoon|evening|night))?|\s(?:last|this)\s(?:week|month))?(?:,\s[^,"“”]{1,80})?|said\s[^,"“”]{1,60}(?:,\s[^,"“”]{1,80})?)(?=[.!?]$)/u;
/** ", X said," in the middle: "Bush is in good humor, Stanzel said, and will resume his activities." */
const MIDDLE_ATTRIBUTION =
  /,\s(?:(?:the\s)?(?:[\p{Ll}-]+\s){0,2}[A-Z][\p{L}'’.-]+(?:\s[A-Z][\p{L}'’.-]+){0,3}|he|she|they|officials|police)\s(?:said|says),(?=\s)/gu;
/** ", who …," / ", which …," between commas (or up to the end of the sentence). */
const RELATIVE = /,\s(?:who|whom|whose|which)\s[^,;:"“”()—–]{3,160}?(?:,(?=\s)|(?=[.!?]$))/gu;
/** A fronted adverbial clause: "As he awaits the report, …", "According to the Post, …", "After the vote, …". */
const FRONTED =
  /^(?:As|While|After|Before|Although|Though|Despite|Since|When|With|Amid|Following|Once|Unlike|According to|Flanked by|Speaking)\s[^,;:"“”()]{3,90},\s+(?=\S)/u;
/** A trailing participial phrase: "…, citing a report by the agency." */
const TRAILING_PARTICIPLE =
  /,\s(?:citing|saying|adding|noting|calling|prompting|leaving|making|bringing|raising|sparking|marking)\s[^"“”;]{3,200}(?=[.!?]$)/u;
/** ", according to the Labor Department," in the middle of a sentence. */
const MIDDLE_ACCORDING = /,\saccording to [^,;"“”()]{2,60}(?=,\s)/gu;
/** Words opening a fronted clause: an appositive right after it would be the main clause's subject. */
const FRONTED_OPENER =
  /^(?:After|Before|Shortly|When|While|As|In|On|At|During|Despite|Following|Since|If|Because|Although|Though|Once|Until|With|Without|Amid|By|For|From|Under|Over|Unlike|Like)\b/u;
/** A parenthesis or bracket aside. */
const PARENTHESIS = /\s[([][^()[\]"“”]{1,60}[)\]](?=[\s,.;:!?])/gu;
/** An aside between dashes: " -- who is in Midland, Texas, -- ". */
const DASH_ASIDE = /\s(?:--|—|–)\s[^—–"“”]{3,120}?\s(?:--|—|–)(?=\s)/gu;
/** One appositive phrase: ", 57", ", a spokeswoman for the ministry", ", the company's founder". */
const APPOSITIVE_PHRASE =
  '(?:\\d{1,3}|(?:a|an|the|his|her|their|its)\\s[^,;:"“”()]{2,80}?|(?:[\\p{Ll}\'’-]+\\s){0,4}(?:spokesman|spokeswoman|spokesperson|director|president|chairman|chairwoman|chief|head|leader|minister|secretary|official|executive|founder|owner|manager|analyst|professor|researcher|lawyer|attorney))';
/** Appositives after a name, one or a chain (", 57, a retired welder,"), up to the comma that closes them. */
const APPOSITIVE = new RegExp(
  // The comma first, then the look back at the name: a regex engine then only looks back at commas.
  `,(?<=\\p{Lu}[\\p{L}'’.-]*,)\\s${APPOSITIVE_PHRASE}(?:,\\s${APPOSITIVE_PHRASE})*,(?=\\s)`,
  'gu',
);

/** A finite verb or complementizer after "said": the tail reports a clause, it does not name a speaker. */
const CLAUSE_AFTER_VERB =
  /\b(?:said|says|told|added|noted|reported|explained|confirmed|announced)\s.*\b(?:would|will|is|are|was|were|has|have|had|that|could|should|can|may|might|must|to)\b/u;

/** Words that show an appositive is really a clause ("…, the mayor said,") or a list ("…, the bank and …"). */
const CLAUSE_WORDS =
  /\b(?:said|says|told|is|are|was|were|has|have|had|will|would|and|or|but|said|asked|added|because|when|if|that)\b/;

/** The quoted stretches of a sentence: nothing inside them, and no cut across them, may be removed. */
function quotedRanges(text: string): Cut[] {
  const out: Cut[] = [];
  let open = -1;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '“' || (ch === '"' && open < 0)) open = open < 0 ? i : open;
    else if ((ch === '”' || ch === '"') && open >= 0) {
      out.push({ start: open, end: i + 1 });
      open = -1;
    }
  }
  if (open >= 0) out.push({ start: open, end: text.length });
  return out;
}

const overlaps = (a: Cut, b: Cut): boolean => a.start < b.end && b.start < a.end;

function wordCount(text: string): number {
  return text.split(/\s+/).filter((w) => /[\p{L}\p{N}]/u.test(w)).length;
}

/** Applies the cuts and tidies the punctuation they leave ("x ,", ",.", a lower-case first letter). */
function applyCuts(text: string, cuts: Cut[]): string {
  const sorted = [...cuts].sort((a, b) => a.start - b.start);
  let out = '';
  let at = 0;
  for (const c of sorted) {
    if (c.start < at) {
      at = Math.max(at, c.end);
      continue;
    }
    out += text.slice(at, c.start);
    at = c.end;
  }
  out += text.slice(at);
  out = out
    .replace(/\s+([,.;:!?])/g, '$1')
    .replace(/,(?=[,.;:!?])/g, '')
    // An abbreviation that ended before a cut keeps one period: "8:30 a.m.", not "8:30 a.m..".
    .replace(/(?<!\.)\.\.(?!\.)/g, '.')
    .replace(/\s{2,}/g, ' ')
    .replace(/^[\s,;:—–-]+/, '')
    .trim();
  return out.replace(/^([“"‘']?)(\p{Ll})/u, (_m, mark: string, ch: string) => mark + ch.toUpperCase());
}

export interface Compression {
  text: string;
  /** Which rules cut something, for the eval and tests. */
  rules: string[];
}

/** Compresses one sentence; returns it unchanged when nothing can be cut safely. */
export function compress(sentence: string): Compression {
  const text = sentence.trim();
  const quotes = quotedRanges(text);
  const hasQuote = quotes.length > 0;
  const cuts: Cut[] = [];
  const rules: string[] = [];
  const add = (rule: string, start: number, end: number) => {
    const cut = { start, end };
    if (end <= start || quotes.some((q) => overlaps(q, cut))) return;
    if (cuts.some((c) => overlaps(c, cut))) return;
    cuts.push(cut);
    if (!rules.includes(rule)) rules.push(rule);
  };
  const dateline = DATELINE_AGENCY.exec(text) ?? DATELINE_CAPS.exec(text);
  let head = 0;
  if (dateline && dateline[0].length < text.length / 2) {
    add('dateline', 0, dateline[0].length);
    head = dateline[0].length;
  }
  const connective = LEADING_CONNECTIVE.exec(text.slice(head));
  if (connective) {
    add('leading connective', head, head + connective[0].length);
    head += connective[0].length;
  }
  const time = LEADING_TIME.exec(text.slice(head));
  if (time) add('leading time phrase', head, head + time[0].length);
  else {
    const fronted = FRONTED.exec(text.slice(head));
    if (fronted) add('fronted clause', head, head + fronted[0].length);
  }
  const participle = TRAILING_PARTICIPLE.exec(text);
  if (participle && participle.index > text.length / 3)
    add('trailing participle', participle.index, participle.index + participle[0].length);
  // With a quote the trailing attribution names its speaker and stays; "according to" a document may
  // still go when someone else is said to speak in the sentence.
  const outside = text.replace(/“[^”]*”?|"[^"]*"?/g, ' ');
  const quoteHasSpeaker = /\b(?:said|says|told|tell|tells|wrote|added)\b/.test(
    outside.replace(/according to.*$/u, ''),
  );
  if (hasQuote && quoteHasSpeaker) {
    const according = /,\saccording to [^"“”]{2,160}?(?=[.!?]$)/u.exec(text);
    if (according && according.index > text.length / 3)
      add('trailing attribution', according.index, according.index + according[0].length);
  }
  if (!hasQuote) {
    const trailing = TRAILING_ATTRIBUTION.exec(text);
    // The attribution may not be most of the sentence ("Prices rose, he said." keeps its claim), and
    // "…, said the plant would reopen" is a clause, not an attribution.
    if (trailing && trailing.index > text.length / 3 && !CLAUSE_AFTER_VERB.test(trailing[0]))
      add('trailing attribution', trailing.index, trailing.index + trailing[0].length);
    for (const m of text.matchAll(MIDDLE_ATTRIBUTION)) add('attribution', m.index, m.index + m[0].length - 1);
  }
  // Between two commas both go ("Judge Helen Marsh, who …, retired" → "Judge Helen Marsh retired").
  for (const m of text.matchAll(RELATIVE)) add('relative clause', m.index, m.index + m[0].length);
  for (const m of text.matchAll(APPOSITIVE)) {
    if (CLAUSE_WORDS.test(m[0].slice(1)) || /--|—|–/.test(m[0])) continue;
    // "After the story aired Wednesday, the foundation, a charity, agreed": the first phrase is the subject.
    const segment = text.slice(text.lastIndexOf(',', m.index - 1) + 1, m.index).trim();
    if (FRONTED_OPENER.test(segment)) continue;
    add('appositive', m.index, m.index + m[0].length);
  }
  for (const m of text.matchAll(MIDDLE_ACCORDING)) add('attribution', m.index, m.index + m[0].length);
  for (const m of text.matchAll(DASH_ASIDE)) add('dash aside', m.index, m.index + m[0].length);
  for (const m of text.matchAll(PARENTHESIS)) add('parenthesis', m.index, m.index + m[0].length);
  if (cuts.length === 0) return { text, rules: [] };
  const out = applyCuts(text, cuts);
  // A cut that leaves too little to be a sentence is not worth it.
  if (wordCount(out) < 6 || wordCount(out) < wordCount(text) * 0.35) return { text, rules: [] };
  return { text: out, rules };
}
