import { createHash } from 'node:crypto';
import { parseDocument } from 'yaml';
import { en } from 'zod/locales';
import * as z from 'zod/mini';
import { ArticleError, overLimit } from '../errors.ts';
import { webUrl } from '../render/html.ts';

/**
 * The largest article read, 1 MiB: several times the longest real news story, and small enough
 * that every step after it (the summarizer above all) stays bounded. A larger file is refused by
 * name with its size; the sources read no more than this (see ArticleFile).
 */
export const MAX_ARTICLE_BYTES = 1024 * 1024;
/** Front matter is a few short fields: 16 KiB is plenty, and bounds what the YAML parser sees. */
export const MAX_FRONT_MATTER_BYTES = 16 * 1024;

/** One news article as read from `seeds/` (or the articles bucket). */
export interface Article {
  /** File name, used in every message about this article. */
  file: string;
  title?: string | undefined;
  url?: string | undefined;
  source?: string | undefined;
  published?: string | undefined;
  /** When a fetch run extracted it from a source (absent for hand-written seeds). */
  fetched?: string | undefined;
  /** The source's section (e.g. "Local", "Science"), when the source has one. */
  section?: string | undefined;
  /** The same story at other sources ("also at …"), found by the fetch run's near-duplicate check. */
  also?: { source: string; url: string }[] | undefined;
  body: string;
  /** sha256 of the normalized text: the identity used for "already sent" and de-duplication. */
  hash: string;
  /** What was dropped from the file and why (an unsafe link); the article itself is fine. */
  warnings?: string[] | undefined;
}

export const ARTICLE_EXTENSIONS = ['.txt', '.md'] as const;

export function isArticleFile(name: string): boolean {
  return ARTICLE_EXTENSIONS.some((ext) => name.toLowerCase().endsWith(ext)) && !name.startsWith('.');
}

z.config(en());

const date = (message: string) =>
  z
    .pipe(
      z.union([z.string(), z.date()]),
      z.transform((v: string | Date) => (v instanceof Date ? v.toISOString() : v)),
    )
    .check(z.refine((v: string) => !Number.isNaN(Date.parse(v)), message));

const text = (...checks: Parameters<ReturnType<typeof z.string>['check']>) =>
  z.string().check(z.trim(), ...checks);

// zod/mini: the same checks as zod's chained API in a fraction of the bundle (the fetch function
// parses every article it writes).
const frontMatterSchema = z.strictObject({
  title: z.optional(text(z.minLength(1, 'title must not be empty'))),
  url: z.optional(z.url({ message: 'url must be an absolute URL' })),
  source: z.optional(text(z.minLength(1))),
  published: z.optional(date('published must be a date (YYYY-MM-DD)')),
  fetched: z.optional(date('fetched must be a date and time')),
  section: z.optional(text(z.minLength(1), z.maxLength(60))),
  also: z.optional(
    z
      .array(
        z.strictObject({
          source: text(z.minLength(1)),
          url: z.url({ message: 'also: each url must be an absolute URL' }),
        }),
      )
      .check(z.maxLength(20)),
  ),
});

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Decodes bytes as UTF-8 text; binary content (NUL bytes, invalid UTF-8) is an error. */
function decodeText(file: string, bytes: Uint8Array): string {
  if (bytes.includes(0)) throw new ArticleError(file, 'binary file (contains NUL bytes), not a text article');
  try {
    return utf8.decode(bytes).replace(/^\uFEFF/, '');
  } catch (error) {
    throw new ArticleError(file, 'not valid UTF-8 text', undefined, { cause: error });
  }
}

/** Splits optional YAML front matter (`---` fenced at the very top) from the body. */
function splitFrontMatter(text: string): { yaml: string | null; body: string; bodyLine: number } {
  const match = /^---[ \t]*\r?\n([\s\S]*?)\r?\n---[ \t]*(?:\r?\n|$)/.exec(text);
  if (!match) {
    if (/^---[ \t]*\r?\n/.test(text)) return { yaml: text.slice(4), body: '', bodyLine: 1 };
    return { yaml: null, body: text, bodyLine: 1 };
  }
  const yaml = match[1] ?? '';
  return { yaml, body: text.slice(match[0].length), bodyLine: yaml.split('\n').length + 3 };
}

export function normalizeForHash(text: string): string {
  return text
    .normalize('NFKC')
    .replace(/[\u2018\u2019\u201A\u201B]/g, "'")
    .replace(/[\u201C\u201D\u201E\u201F]/g, '"')
    .replace(/\s+/g, ' ')
    .trim()
    .toLowerCase();
}

export function hashText(text: string): string {
  return createHash('sha256').update(normalizeForHash(text)).digest('hex');
}

/**
 * Parses one article file. Throws ArticleError naming the file (and line, for front matter). A
 * front-matter `url` that is not an http(s) link (`javascript:`, `data:`, `file:`…) is dropped with
 * a warning: the article goes out without a link.
 */
export function parseArticle(file: string, bytes: Uint8Array): Article {
  if (bytes.length === 0) throw new ArticleError(file, 'empty file');
  if (bytes.length > MAX_ARTICLE_BYTES) {
    throw new ArticleError(file, `too large: the article is ${overLimit(bytes.length, MAX_ARTICLE_BYTES)}`);
  }
  const text = decodeText(file, bytes);
  const { yaml, body } = splitFrontMatter(text);
  let meta: z.infer<typeof frontMatterSchema> = {};
  const warnings: string[] = [];
  if (yaml !== null) {
    if (!/\r?\n---[ \t]*(\r?\n|$)/.test(text.slice(3))) {
      throw new ArticleError(file, 'front matter opened with --- but never closed', 1);
    }
    const yamlBytes = Buffer.byteLength(yaml, 'utf8');
    if (yamlBytes > MAX_FRONT_MATTER_BYTES) {
      throw new ArticleError(file, `front matter is ${overLimit(yamlBytes, MAX_FRONT_MATTER_BYTES)}`, 1);
    }
    const doc = parseDocument(yaml, { prettyErrors: false, uniqueKeys: true });
    const firstError = doc.errors[0];
    if (firstError) {
      // Where the parser noticed the error (linePos is not filled without prettyErrors); +1 for the fence.
      const line = yaml.slice(0, firstError.pos[0]).split('\n').length + 1;
      throw new ArticleError(file, `broken front matter: ${firstError.message.split('\n')[0]}`, line);
    }
    let value: unknown;
    try {
      // No aliases at all: front matter is a few plain fields, and an alias is how a few hundred
      // bytes of YAML expand into gigabytes ("billion laughs").
      value = doc.toJS({ maxAliasCount: 0 }) ?? {};
    } catch (error) {
      const reason =
        error instanceof ReferenceError && /alias/i.test(error.message)
          ? 'aliases (*name) are not allowed in front matter'
          : (error as Error).message;
      throw new ArticleError(file, `broken front matter: ${reason}`, 2, { cause: error });
    }
    const parsed = frontMatterSchema.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const key = issue?.path[0];
      const line = typeof key === 'string' ? lineOfKey(yaml, key) : 2;
      throw new ArticleError(file, `bad front matter: ${issue?.message ?? 'invalid'}`, line);
    }
    meta = parsed.data;
    if (meta.url !== undefined && webUrl(meta.url) === undefined) {
      warnings.push(
        `url ${JSON.stringify(meta.url.slice(0, 80))} dropped: only http and https links are kept, so the article goes out without a link`,
      );
      meta.url = undefined;
    }
    // "Also at" links follow the same rule: a non-http(s) one is dropped, the article stays.
    if (meta.also) {
      const kept = meta.also.filter((a) => webUrl(a.url) !== undefined);
      if (kept.length < meta.also.length) {
        warnings.push(
          `${meta.also.length - kept.length} "also" link(s) dropped: only http and https links are kept`,
        );
      }
      meta.also = kept.length > 0 ? kept : undefined;
    }
  }
  const trimmed = body.trim();
  if (trimmed === '') throw new ArticleError(file, 'no article text (empty body)');
  if (!/\p{L}{2,}/u.test(trimmed)) throw new ArticleError(file, 'no readable text in the article body');
  return {
    file,
    title: meta.title,
    url: meta.url,
    source: meta.source,
    published: meta.published,
    fetched: meta.fetched,
    section: meta.section,
    also: meta.also,
    body: trimmed,
    hash: hashText(trimmed),
    ...(warnings.length > 0 ? { warnings } : {}),
  };
}

function lineOfKey(yaml: string, key: string): number {
  const index = yaml.split('\n').findIndex((l) => l.startsWith(`${key}:`));
  return index < 0 ? 2 : index + 2;
}

/** The identity of an article URL for de-duplication: host, path without trailing slash, query. */
export function urlKey(url: string): string {
  const u = new URL(url);
  u.hash = '';
  return `${u.host.toLowerCase()}${u.pathname.replace(/\/+$/, '')}${u.search}`;
}
