import { ArticleError, errorMessage } from '../errors.ts';
import type { ArticleFile } from '../ports.ts';
import { type Article, isArticleFile, parseArticle, urlKey } from './parse.ts';

export interface LoadedArticles {
  articles: Article[];
  skipped: { file: string; reason: string }[];
  duplicates: { file: string; sameAs: string }[];
  /** Something dropped from an article that still goes out (an unsafe link). */
  warnings: { file: string; message: string }[];
}

/**
 * Reads every article; a bad one is recorded with its reason and skipped so the run goes on.
 * Articles with the same normalized text or the same front-matter URL count as one (first wins).
 */
export async function loadArticles(files: ArticleFile[]): Promise<LoadedArticles> {
  const result: LoadedArticles = { articles: [], skipped: [], duplicates: [], warnings: [] };
  const byHash = new Map<string, string>();
  const byUrl = new Map<string, string>();
  const sorted = files.filter((f) => isArticleFile(f.name)).sort((a, b) => a.name.localeCompare(b.name));
  for (const file of sorted) {
    let article: Article;
    try {
      article = parseArticle(file.name, await file.read());
    } catch (error) {
      // The reason without the file name, keeping the line: "line 3: broken front matter: …".
      const reason =
        error instanceof ArticleError
          ? `${error.line ? `line ${error.line}: ` : ''}${error.message.slice(`${file.name}${error.line ? `:${error.line}` : ''}: `.length)}`
          : `unreadable: ${errorMessage(error)}`;
      result.skipped.push({ file: file.name, reason });
      continue;
    }
    for (const message of article.warnings ?? []) result.warnings.push({ file: article.file, message });
    const articleUrl = article.url ? urlKey(article.url) : undefined;
    const sameAs = byHash.get(article.hash) ?? (articleUrl ? byUrl.get(articleUrl) : undefined);
    if (sameAs) {
      result.duplicates.push({ file: article.file, sameAs });
      continue;
    }
    byHash.set(article.hash, article.file);
    if (articleUrl) byUrl.set(articleUrl, article.file);
    result.articles.push(article);
  }
  return result;
}
