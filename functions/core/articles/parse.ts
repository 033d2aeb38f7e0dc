import { createHash } from 'node:crypto';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { ArticleError } from '../errors.ts';

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
}

export const ARTICLE_EXTENSIONS = ['.txt', '.md'] as const;

export function isArticleFile(name: string): boolean {
  return ARTICLE_EXTENSIONS.some((ext) => name.toLowerCase().endsWith(ext)) && !name.startsWith('.');
}

// Links from content are http(s) only: a javascript: or data: URL never reaches an email.
const httpUrl = (message: string) => z.url({ protocol: /^https?$/, message });
const date = (message: string) =>
  z
    .union([z.string(), z.date()])
    .transform((v) => (v instanceof Date ? v.toISOString() : v))
    .refine((v) => !Number.isNaN(Date.parse(v)), message);

const frontMatterSchema = z
  .object({
    title: z.string().trim().min(1, 'title must not be empty').optional(),
    url: httpUrl('url must be an absolute http(s) URL').optional(),
    source: z.string().trim().min(1).optional(),
    published: date('published must be a date (YYYY-MM-DD)').optional(),
    fetched: date('fetched must be a date and time').optional(),
    section: z.string().trim().min(1).max(60).optional(),
    also: z
      .array(
        z
          .object({
            source: z.string().trim().min(1),
            url: httpUrl('also: each url must be an absolute http(s) URL'),
          })
          .strict(),
      )
      .max(20)
      .optional(),
  })
  .strict();

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

/** Parses one article file. Throws ArticleError naming the file (and line, for front matter). */
export function parseArticle(file: string, bytes: Uint8Array): Article {
  if (bytes.length === 0) throw new ArticleError(file, 'empty file');
  const text = decodeText(file, bytes);
  const { yaml, body } = splitFrontMatter(text);
  let meta: z.infer<typeof frontMatterSchema> = {};
  if (yaml !== null) {
    if (!/\r?\n---[ \t]*(\r?\n|$)/.test(text.slice(3))) {
      throw new ArticleError(file, 'front matter opened with --- but never closed', 1);
    }
    const doc = parseDocument(yaml, { prettyErrors: false });
    const firstError = doc.errors[0];
    if (firstError) {
      // Where the parser noticed the error (linePos is not filled without prettyErrors); +1 for the fence.
      const line = yaml.slice(0, firstError.pos[0]).split('\n').length + 1;
      throw new ArticleError(file, `broken front matter: ${firstError.message.split('\n')[0]}`, line);
    }
    const value: unknown = doc.toJS() ?? {};
    const parsed = frontMatterSchema.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const key = issue?.path[0];
      const line = typeof key === 'string' ? lineOfKey(yaml, key) : 2;
      throw new ArticleError(file, `bad front matter: ${issue?.message ?? 'invalid'}`, line);
    }
    meta = parsed.data;
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
