import pLimit from 'p-limit';
import { viewKey } from '../issue/keys.ts';
import type { IssueRecord } from '../model.ts';
import type { BlobStore } from '../ports.ts';
import type { DigestView } from '../render/compile.ts';
import { type Article, urlKey } from './parse.ts';

/**
 * "Is it news?": the one rule deciding whether an earlier issue already carried an article. An
 * article is carried when an issue holds its text hash, or holds an article with the same URL
 * (an edited copy of a story that went out is not news either). The URLs are in each issue's
 * stored view.
 */
export interface CarriedIndex {
  /** Issues oldest first. */
  issues: IssueRecord[];
  urlsByIssue: Map<string, Set<string>>;
}

/** Reads the stored views of these issues (a few at a time) for the URLs they carried. */
export async function carriedIndex(issues: IssueRecord[], blobs: BlobStore): Promise<CarriedIndex> {
  const oldestFirst = [...issues].sort(
    (a, b) => a.createdAt.localeCompare(b.createdAt) || a.issueId.localeCompare(b.issueId),
  );
  const urlsByIssue = new Map<string, Set<string>>();
  const read = pLimit(4);
  await Promise.all(
    oldestFirst.map((issue) =>
      read(async () => {
        const bytes = await blobs.get(viewKey(issue.issueId));
        if (!bytes) return;
        try {
          const view = JSON.parse(Buffer.from(bytes).toString('utf8')) as DigestView;
          urlsByIssue.set(
            issue.issueId,
            new Set(view.articles.flatMap((a) => (a.url ? [urlKey(a.url)] : []))),
          );
        } catch {
          // An unreadable stored view only loses the URL match; hashes still decide.
        }
      }),
    ),
  );
  return { issues: oldestFirst, urlsByIssue };
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

/** The articles no issue carried yet. */
export const freshArticles = <T extends Pick<Article, 'hash' | 'url'>>(
  articles: T[],
  index: CarriedIndex,
): T[] => articles.filter((a) => issuesCarrying(index, a).length === 0);
