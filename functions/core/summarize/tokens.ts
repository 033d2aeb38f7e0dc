/** Word tokens with their surrounding punctuation, the unit the name and attribution parsers read. */

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

const ABBREVIATION =
  /^(?:\p{Lu}\.)+$|^(?:Dr|Mr|Mrs|Ms|Mx|Mme|Sen|Sens|Gov|Rep|Reps|Gen|Col|Capt|Lt|Sgt|Maj|Adm|Cmdr|Prof|Rev|Det|Insp|Atty|St|Jr|Sr|Supt|Pres|Amb|Hon|Msgr|Fr|Cpl)\.$/u;

/** Splits a body range into word tokens with their punctuation. */
export function tokenize(body: string, from: number, to: number): Token[] {
  const out: Token[] = [];
  const re = /\S+/g;
  re.lastIndex = from;
  for (let m = re.exec(body); m && m.index < to; m = re.exec(body)) {
    let raw = m[0];
    // A token running past the range (the range ends inside it) is cut at the range's end.
    if (m.index + raw.length > to) raw = raw.slice(0, to - m.index);
    const lead = /^[“"‘'([{—–-]*/.exec(raw)?.[0] ?? '';
    let rest = raw.slice(lead.length);
    let trail = /[”"’',.;:!?)\]}—–…]*$/.exec(rest)?.[0] ?? '';
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
    } else if (/^[’']/.test(trail) && /s$/.test(rest) && /^\p{Lu}/u.test(rest)) possessive = true;
    const start = m.index + lead.length;
    out.push({ core: rest, start, end: start + rest.length, trail, lead, possessive });
  }
  return out;
}
