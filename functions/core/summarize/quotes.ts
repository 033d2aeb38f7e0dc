/** Direct quotations (first version: single-paragraph quotes with a nearby "X said"). */
import { canonical, words } from './text.ts';

export interface ExtractedQuote {
  text: string;
  speaker: string | null;
  role: string | null;
}

const NAME = String.raw`\p{Lu}[\p{L}'’-]+(?:\s+\p{Lu}[\p{L}'’-]+){0,3}`;
const AFTER = new RegExp(
  String.raw`^\s*(?:(${NAME}|he|she)\s+(?:said|says|added|told)|(?:said|says|added)\s+(${NAME}))`,
  'u',
);
const BEFORE = new RegExp(String.raw`(${NAME})\s+(?:said|says|added|told\s+[^:“"]+)[,:]\s*$`, 'u');

export function extractQuotes(body: string): ExtractedQuote[] {
  const names = [...body.matchAll(new RegExp(NAME, 'gu'))].map((m) => m[0]).filter((n) => n.includes(' '));
  const resolve = (name: string): string => {
    if (name.includes(' ')) return name;
    return names.find((n) => n.split(/\s+/).includes(name)) ?? name;
  };
  const out: ExtractedQuote[] = [];
  for (const m of body.matchAll(/[“"]([^”"\n]+)[”"]/g)) {
    const text = (m[1] ?? '').trim().replace(/,$/, '');
    if (words(text).length < 4) continue;
    const after = body.slice(m.index + m[0].length, m.index + m[0].length + 80);
    const before = body.slice(Math.max(0, m.index - 80), m.index);
    const a = AFTER.exec(after);
    const b = BEFORE.exec(before);
    const who = a?.[1] ?? a?.[2] ?? b?.[1];
    if (!who) continue;
    const speaker = /^(?:he|she)$/i.test(who) ? null : resolve(who);
    if (!canonical(body).includes(canonical(text))) continue;
    out.push({ text, speaker, role: null });
  }
  return out;
}
