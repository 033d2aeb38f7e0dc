import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { defineCommand } from 'citty';
import { ARTICLES_PREFIX, articleFilesInDir, articleFilesInStore } from '../../adapters/article-files.ts';
import type { BlobStore } from '../../adapters/blob-store.ts';
import type { IssueStore } from '../../adapters/issue-store.ts';
import {
  type Article,
  type ArticleFile,
  isArticleFile,
  loadArticles,
  parseArticle,
  urlKey,
} from '../../core/articles.ts';
import type { IssueRecord } from '../../core/model.ts';
import { ArticleError, DigestError } from '../../errors.ts';
import { withLocalContext } from '../context.ts';
import { CliUsageError, rejectUnknownFlags } from '../errors.ts';
import { note, out } from '../output.ts';

const addUsage = 'digest articles add <file> [--as NAME]';
const listUsage = 'digest articles list [--json]';

/**
 * Where the articles live: `DIGEST_SEEDS_DIR` locally, the bucket's `articles/` prefix on AWS
 * (DIGEST_BUCKET set). Adding never replaces a file that is already there.
 */
export interface ArticleShelf {
  where: string;
  files(): Promise<ArticleFile[]>;
  /** Stores a new file; false when the name is taken (nothing is written then). */
  addNew(name: string, bytes: Uint8Array): Promise<boolean>;
}

export function dirShelf(dir: string): ArticleShelf {
  return {
    where: dir,
    async files() {
      try {
        return await articleFilesInDir(dir);
      } catch (error) {
        // A folder that does not exist yet simply holds no articles.
        if ((error as { cause?: NodeJS.ErrnoException }).cause?.code === 'ENOENT') return [];
        throw error;
      }
    },
    async addNew(name, bytes) {
      await mkdir(dir, { recursive: true });
      try {
        // 'wx': fails if the file exists, so a file with the same name is never overwritten.
        await writeFile(join(dir, name), bytes, { flag: 'wx' });
        return true;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
        throw error;
      }
    },
  };
}

export function storeShelf(blobs: BlobStore, where: string): ArticleShelf {
  return {
    where,
    files: () => articleFilesInStore(blobs),
    async addNew(name, bytes) {
      const key = `${ARTICLES_PREFIX}${name}`;
      if (await blobs.get(key)) return false;
      await blobs.put(
        key,
        bytes,
        name.endsWith('.md') ? 'text/markdown; charset=utf-8' : 'text/plain; charset=utf-8',
      );
      return true;
    },
  };
}

/** The issue an article (by content hash) went out in: the earliest one that carried it. */
export function issueCarrying(issues: IssueRecord[], hash: string): IssueRecord | undefined {
  return [...issues].reverse().find((i) => i.articleHashes.includes(hash));
}

export interface AddResult {
  article: Article;
  name: string;
}

/**
 * Validates an article file (front matter errors name the file and line) and adds it to the shelf.
 * Refuses, with the reason, a file that repeats an article already there (same normalized text or
 * same front-matter URL), one an earlier issue already carried, and a name that is taken.
 */
export async function addArticle(
  shelf: ArticleShelf,
  issues: IssueStore,
  path: string,
  name = basename(path),
): Promise<AddResult> {
  if (!isArticleFile(name)) {
    throw new CliUsageError(
      `"${name}": an article file name ends in .txt or .md and does not start with a dot`,
      addUsage,
    );
  }
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a folder, not a file' : code;
    throw new ArticleError(path, `cannot read: ${reason}`, undefined, { cause: error });
  }
  const article = parseArticle(name, bytes);

  const existing = await shelf.files();
  const loaded = await loadArticles(existing);
  const sameText = loaded.articles.find((a) => a.hash === article.hash);
  if (sameText) {
    throw new DigestError(
      `${name} was not added: it is the same article as ${sameText.file} (same text, once spaces and quote marks are normalized)`,
    );
  }
  if (article.url) {
    const key = urlKey(article.url);
    const sameUrl = loaded.articles.find((a) => a.url && urlKey(a.url) === key);
    if (sameUrl) {
      throw new DigestError(
        `${name} was not added: ${sameUrl.file} already has the same URL (${article.url})`,
      );
    }
  }
  const carriedBy = issueCarrying(await issues.list(), article.hash);
  if (carriedBy) {
    throw new DigestError(`${name} was not added: issue ${carriedBy.issueId} already carried this article`);
  }
  if (existing.some((f) => f.name === name) || !(await shelf.addNew(name, bytes))) {
    throw new DigestError(
      `${name} was not added: a different file with that name is already in ${shelf.where}; ` +
        `choose another name with --as, e.g. --as ${name.replace(/(\.[a-z]+)$/i, '-2$1')}`,
    );
  }
  return { article, name };
}

export interface ArticleListing {
  file: string;
  title?: string | undefined;
  url?: string | undefined;
  hash?: string | undefined;
  /** The issue the article went out in; undefined: not sent yet. */
  issueId?: string | undefined;
  issueState?: string | undefined;
  /** Why the file is not used: unreadable, or a duplicate of another file. */
  problem?: string | undefined;
}

/** Every article file on the shelf with the issue it went out in (by content hash), if any. */
export async function listArticles(shelf: ArticleShelf, issues: IssueStore): Promise<ArticleListing[]> {
  const loaded = await loadArticles(await shelf.files());
  const records = await issues.list();
  const rows: ArticleListing[] = loaded.articles.map((a) => {
    const issue = issueCarrying(records, a.hash);
    const carriedIndex = issue?.articleHashes.indexOf(a.hash) ?? -1;
    return {
      file: a.file,
      title: a.title ?? issue?.articleTitles[carriedIndex],
      url: a.url,
      hash: a.hash,
      issueId: issue?.issueId,
      issueState: issue?.state,
    };
  });
  for (const d of loaded.duplicates)
    rows.push({ file: d.file, problem: `same article as ${d.sameAs}, counted once` });
  for (const s of loaded.skipped) rows.push({ file: s.file, problem: `skipped: ${s.reason}` });
  return rows.sort((a, b) => a.file.localeCompare(b.file));
}

function describeRow(row: ArticleListing): string {
  const title = row.title ? `  “${row.title}”` : '';
  if (row.problem) return `${row.file}  (${row.problem})`;
  const status = row.issueId ? `sent in issue ${row.issueId} (${row.issueState})` : 'not sent yet';
  return `${row.file}${title}  ${status}`;
}

/** The shelf and issue store for this configuration: the bucket and AWS tables, or seeds/ and local engines. */
async function withShelf<T>(fn: (shelf: ArticleShelf, issues: IssueStore) => Promise<T>): Promise<T> {
  const bucket = process.env.DIGEST_BUCKET?.trim();
  if (bucket) {
    const { createRuntime } = await import('../../handlers/runtime.ts');
    const rt = createRuntime(process.env);
    try {
      return await fn(storeShelf(rt.blobs, `s3://${bucket}/${ARTICLES_PREFIX}`), rt.stores.issues);
    } finally {
      rt.clients.s3.destroy();
      rt.clients.ddb.destroy();
    }
  }
  return withLocalContext((ctx) => fn(dirShelf(ctx.config.DIGEST_SEEDS_DIR), ctx.stores.issues), {
    onEvent: () => {},
  });
}

const add = defineCommand({
  meta: { name: 'add', description: 'Add an article (front matter checked); the next issue carries it' },
  args: {
    file: { type: 'positional', required: false, description: 'article file (.txt or .md)' },
    as: { type: 'string', description: 'file name to store it under (default: the file’s own name)' },
  },
  async run({ args, rawArgs }) {
    rejectUnknownFlags(rawArgs, ['as'], addUsage);
    if (!args.file) throw new CliUsageError('missing the article file to add', addUsage);
    const file = args.file;
    if (args.as !== undefined && (args.as.includes('/') || args.as.includes('\\'))) {
      throw new CliUsageError(`--as takes a file name, not a path: "${args.as}"`, addUsage);
    }
    const { article, name } = await withShelf(async (shelf, issues) => {
      const result = await addArticle(shelf, issues, file, args.as ?? basename(file));
      out(`Added ${result.name} to ${shelf.where}.`);
      return result;
    });
    if (article.title) out(`Title: ${article.title}`);
    if (article.url) out(`URL: ${article.url}`);
    out(
      `The next issue will carry it (\`digest send\`; \`digest articles list\` shows ${name} as not sent yet).`,
    );
  },
});

const list = defineCommand({
  meta: { name: 'list', description: 'List the articles, each with the issue it went out in, if any' },
  args: {
    json: { type: 'boolean', description: 'print JSON on stdout' },
  },
  async run({ args, rawArgs }) {
    rejectUnknownFlags(rawArgs, ['json'], listUsage);
    await withShelf(async (shelf, issues) => {
      const rows = await listArticles(shelf, issues);
      if (args.json) {
        out(JSON.stringify(rows, null, 2));
        return;
      }
      if (rows.length === 0) {
        out(`No articles in ${shelf.where}. Add one with \`digest articles add FILE\`.`);
        return;
      }
      for (const row of rows) out(describeRow(row));
      const waiting = rows.filter((r) => !r.problem && !r.issueId).length;
      note(`${rows.length} file(s) in ${shelf.where}; ${waiting} article(s) not sent yet.`);
    });
  },
});

export default defineCommand({
  meta: { name: 'articles', description: 'The articles issues are built from: add one, list them' },
  subCommands: { add, list },
});
