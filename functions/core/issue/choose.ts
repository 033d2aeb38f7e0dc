import type { Article } from '../articles/parse.ts';

/**
 * Which new articles an issue carries and in what order: the newest first (by publication date;
 * undated ones, like most hand-written seeds, after the dated ones in file order), at most `max`
 * of them (the rest wait for the next issue), grouped by section when sources have sections —
 * each section where its newest story would have come, articles without one as a group too.
 */
export function chooseForIssue<T extends Pick<Article, 'published' | 'section'>>(
  articles: T[],
  max?: number,
): T[] {
  const when = (a: T) => (a.published ? Date.parse(a.published) : Number.NEGATIVE_INFINITY);
  const newest = articles
    .map((article, index) => ({ article, index }))
    .sort((a, b) => when(b.article) - when(a.article) || a.index - b.index)
    .map((x) => x.article);
  return orderBySection(max === undefined ? newest : newest.slice(0, max));
}

/** Stable grouping by section, groups in order of first appearance. */
export function orderBySection<T extends Pick<Article, 'section'>>(articles: T[]): T[] {
  if (!articles.some((a) => a.section)) return articles;
  const groups = new Map<string, T[]>();
  for (const article of articles) {
    const key = article.section ?? '';
    const group = groups.get(key);
    if (group) group.push(article);
    else groups.set(key, [article]);
  }
  return [...groups.values()].flat();
}
