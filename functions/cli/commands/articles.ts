import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { defineCommand } from 'citty';
import { ARTICLES_PREFIX, articleFilesInDir, articleFilesInStore } from '../../adapters/article-files.ts';
import {
  type Article,
  isArticleFile,
  loadArticles,
  parseArticle,
  urlKey,
} from '../../core/articles/parse.ts';
import { ArticleError, DigestError } from '../../core/errors.ts';
import { viewKey } from '../../core/issue/prepare.ts';
import type { IssueRecord, IssueState } from '../../core/model.ts';
import type { ArticleFile, BlobStore, IssueStore } from '../../core/ports.ts';
import type { DigestView } from '../../core/render/compile.ts';
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

/** What the issues carried: article hashes, and the front-matter URLs their stored views name. */
export interface CarriedIndex {
  /** Issues oldest first. */
  issues: IssueRecord[];
  urlsByIssue: Map<string, Set<string>>;
}

export async function carriedIndex(issues: IssueStore, blobs: BlobStore): Promise<CarriedIndex> {
  const records = (await issues.list()).reverse();
  const urlsByIssue = new Map<string, Set<string>>();
  for (const issue of records) {
    const bytes = await blobs.get(viewKey(issue.issueId));
    if (!bytes) continue;
    try {
      const view = JSON.parse(Buffer.from(bytes).toString('utf8')) as DigestView;
      urlsByIssue.set(issue.issueId, new Set(view.articles.flatMap((a) => (a.url ? [urlKey(a.url)] : []))));
    } catch {
      // An unreadable stored view only loses the URL match; hashes still decide.
    }
  }
  return { issues: records, urlsByIssue };
}

/** The issues (oldest first) that carried this article: same text, or an earlier copy with the same URL. */
export function issuesCarrying(index: CarriedIndex, article: Pick<Article, 'hash' | 'url'>): IssueRecord[] {
  const key = article.url ? urlKey(article.url) : undefined;
  return index.issues.filter(
    (i) =>
      i.articleHashes.includes(article.hash) ||
      (key !== undefined && index.urlsByIssue.get(i.issueId)?.has(key)),
  );
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
  carried: CarriedIndex,
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
  const [carriedBy] = issuesCarrying(carried, article);
  if (carriedBy) {
    throw new DigestError(
      `${name} was not added: issue ${carriedBy.issueId} already carried this article (same text or URL)`,
    );
  }
  if (existing.some((f) => f.name === name) || !(await shelf.addNew(name, bytes))) {
    throw new DigestError(
      `${name} was not added: a different file with that name is already in ${shelf.where}; ` +
        `choose another name with --as, e.g. --as ${name.replace(/(\.[a-z]+)$/i, '-2$1')}`,
    );
  }
  return { article, name };
}

/** One article file as `digest articles list` shows it (the `--json` shape). */
export interface ArticleStatus {
  file: string;
  /** new: not sent yet; carried: an issue went out with it; duplicate/unreadable: not used. */
  status: 'new' | 'carried' | 'duplicate' | 'unreadable';
  title?: string | undefined;
  url?: string | undefined;
  hash?: string | undefined;
  /** The issues that carried it, oldest first. */
  issues?: { issueId: string; state: IssueState; createdAt: string }[] | undefined;
  /** duplicate: the file it repeats. */
  sameAs?: string | undefined;
  /** unreadable: why (with the front-matter line). */
  reason?: string | undefined;
}

/** Every article file on the shelf with the issue(s) it went out in, if any. */
export async function listArticles(shelf: ArticleShelf, carried: CarriedIndex): Promise<ArticleStatus[]> {
  const loaded = await loadArticles(await shelf.files());
  const rows: ArticleStatus[] = loaded.articles.map((a) => {
    const by = issuesCarrying(carried, a);
    const firstIssue = by[0];
    const index = firstIssue?.articleHashes.indexOf(a.hash) ?? -1;
    return {
      file: a.file,
      status: by.length > 0 ? 'carried' : 'new',
      title: a.title ?? (index >= 0 ? firstIssue?.articleTitles[index] : undefined),
      url: a.url,
      hash: a.hash,
      ...(by.length > 0
        ? { issues: by.map((i) => ({ issueId: i.issueId, state: i.state, createdAt: i.createdAt })) }
        : {}),
    };
  });
  for (const d of loaded.duplicates) rows.push({ file: d.file, status: 'duplicate', sameAs: d.sameAs });
  for (const s of loaded.skipped) rows.push({ file: s.file, status: 'unreadable', reason: s.reason });
  return rows.sort((a, b) => a.file.localeCompare(b.file));
}

function describeRow(row: ArticleStatus): string {
  const title = row.title ? ` — “${row.title}”` : '';
  switch (row.status) {
    case 'new':
      return `${row.file}: not sent yet${title}`;
    case 'carried': {
      const [first, ...again] = row.issues ?? [];
      const more = again.length ? `, again in ${again.map((i) => i.issueId).join(', ')}` : '';
      return `${row.file}: went out in issue ${first?.issueId} (${first?.state})${more}${title}`;
    }
    case 'duplicate':
      return `${row.file}: same article as ${row.sameAs}, counted once`;
    case 'unreadable':
      return `${row.file}: skipped, ${row.reason}`;
  }
}

/** The shelf and the issues for this configuration: the bucket and AWS tables, or seeds/ and local engines. */
async function withShelf<T>(
  fn: (shelf: ArticleShelf, carried: () => Promise<CarriedIndex>) => Promise<T>,
): Promise<T> {
  const bucket = process.env.DIGEST_BUCKET?.trim();
  if (bucket) {
    const { createRuntime } = await import('../../wiring/runtime.ts');
    const rt = createRuntime(process.env);
    try {
      return await fn(storeShelf(rt.blobs, `s3://${bucket}/${ARTICLES_PREFIX}`), () =>
        carriedIndex(rt.stores.issues, rt.blobs),
      );
    } finally {
      rt.clients.s3.destroy();
      rt.clients.ddb.destroy();
    }
  }
  return withLocalContext(
    (ctx) => fn(dirShelf(ctx.config.DIGEST_SEEDS_DIR), () => carriedIndex(ctx.stores.issues, ctx.deps.blobs)),
    { onEvent: () => {} },
  );
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
    const { article, name } = await withShelf(async (shelf, carried) => {
      const result = await addArticle(shelf, await carried(), file, args.as ?? basename(file));
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
    await withShelf(async (shelf, carried) => {
      const rows = await listArticles(shelf, await carried());
      if (args.json) {
        out(JSON.stringify(rows, null, 2));
        return;
      }
      if (rows.length === 0) {
        out(`No articles in ${shelf.where}. Add one with \`digest articles add FILE\`.`);
        return;
      }
      for (const row of rows) out(describeRow(row));
      const count = (status: ArticleStatus['status']) => rows.filter((r) => r.status === status).length;
      note(
        `${rows.length} file(s) in ${shelf.where}: ${count('new')} not sent yet, ${count('carried')} sent, ` +
          `${count('duplicate')} duplicate(s), ${count('unreadable')} unreadable`,
      );
    });
  },
});

export default defineCommand({
  meta: { name: 'articles', description: 'The articles issues are built from: add one, list them' },
  subCommands: { add, list },
});
