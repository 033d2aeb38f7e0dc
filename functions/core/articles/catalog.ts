import { DigestError, ValidationError } from '../errors.ts';
import type { IssueState } from '../model.ts';
import type { ArticleStore } from '../ports.ts';
import { loadArticles } from './load.ts';
import { type CarriedIndex, issuesCarrying } from './news.ts';
import { type Article, isArticleFile, parseArticle, urlKey } from './parse.ts';

/** Adding an article to the store and listing what it holds, with the issue(s) that carried each. */

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
  shelf: ArticleStore,
  carried: CarriedIndex,
  input: { name: string; bytes: Uint8Array },
): Promise<AddResult> {
  const { name, bytes } = input;
  if (!isArticleFile(name)) {
    throw new ValidationError(
      `"${name}": an article file name ends in .txt or .md and does not start with a dot`,
    );
  }
  const article = parseArticle(name, bytes);

  const existing = await shelf.list();
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
  /** What was dropped from a usable article (an unsafe link). */
  warnings?: string[] | undefined;
}

/** Every article file on the shelf with the issue(s) it went out in, if any. */
export async function listArticles(shelf: ArticleStore, carried: CarriedIndex): Promise<ArticleStatus[]> {
  const loaded = await loadArticles(await shelf.list());
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
      ...(a.warnings ? { warnings: a.warnings } : {}),
      ...(by.length > 0
        ? { issues: by.map((i) => ({ issueId: i.issueId, state: i.state, createdAt: i.createdAt })) }
        : {}),
    };
  });
  for (const d of loaded.duplicates) rows.push({ file: d.file, status: 'duplicate', sameAs: d.sameAs });
  for (const s of loaded.skipped) rows.push({ file: s.file, status: 'unreadable', reason: s.reason });
  return rows.sort((a, b) => a.file.localeCompare(b.file));
}
