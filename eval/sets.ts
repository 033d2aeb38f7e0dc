/**
 * Evaluation sets on disk: `DIR/articles/*.txt` beside `DIR/gold/*.json`, in one of two gold formats.
 *
 * - ours (eval/gold): `{ quotes: [{text, speaker, role}], notQuotes: [text], keyFacts: [{fact, any}] }`,
 *   written by our editors; a fact is covered when one key point contains one alternative.
 * - eval-real (../shared/eval-real, see its README): `{ id, quotes, optional_quotes, must_not_quote,
 *   key_facts: [text] }`, converted from published datasets; the part is the id's second segment
 *   (`01-polnear-…`, `31-cnndm-…`, `51-xsum-…`).
 *
 * Articles are parsed exactly as `digest summarize FILE` parses them (front matter, trimmed body), so
 * this runner and the official scorer, which runs the CLI, see the same text.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArticle as parseArticleFile } from '../functions/core/articles/parse.ts';

export interface GoldQuote {
  text: string;
  speaker: string | null;
  role: string | null;
}
export interface GoldFact {
  fact: string;
  any: string[];
}
/** Our own gold format (eval/gold). */
export interface Gold {
  quotes: GoldQuote[];
  notQuotes: string[];
  keyFacts: GoldFact[];
}
/** eval-real's gold format. */
export interface RealGold {
  id: string;
  quotes: GoldQuote[];
  optional_quotes?: GoldQuote[];
  must_not_quote?: string[];
  key_facts: string[];
}

export type CaseGold = { format: 'ours'; gold: Gold } | { format: 'real'; gold: RealGold };

export interface EvalCase {
  slug: string;
  /** Which part of the set the article belongs to ("ours", "polnear", "cnndm", "xsum", …). */
  part: string;
  title: string | undefined;
  body: string;
  gold: CaseGold;
}

export const EVAL_DIR = dirname(fileURLToPath(import.meta.url));

/** Parses an article file's text as the CLI does: optional front matter, then the trimmed body. */
export function parseArticle(
  text: string,
  file = 'article.txt',
): { title: string | undefined; body: string } {
  const article = parseArticleFile(file, new TextEncoder().encode(text));
  return { title: article.title, body: article.body };
}

function isRealGold(value: unknown): value is RealGold {
  return typeof value === 'object' && value !== null && 'key_facts' in value && 'id' in value;
}

/** The part of an eval-real id: its second segment ("01-polnear-…" → "polnear"). */
export function partOf(id: string): string {
  return /^\d+-([a-z0-9]+)-/.exec(id)?.[1] ?? 'other';
}

export function loadEvalSet(dir: string = EVAL_DIR): EvalCase[] {
  const articles = join(dir, 'articles');
  return readdirSync(join(dir, 'gold'))
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => {
      const slug = basename(file, '.json');
      const name = `${slug}.txt`;
      const { title, body } = parseArticle(readFileSync(join(articles, name), 'utf8'), name);
      const raw: unknown = JSON.parse(readFileSync(join(dir, 'gold', file), 'utf8'));
      if (isRealGold(raw))
        return { slug, part: partOf(raw.id), title, body, gold: { format: 'real', gold: raw } };
      return { slug, part: 'ours', title, body, gold: { format: 'ours', gold: raw as Gold } };
    });
}
