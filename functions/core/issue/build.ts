import { createHash } from 'node:crypto';
import type { Article } from '../articles/parse.ts';
import { errorMessage } from '../errors.ts';
import type { Brand, DigestArticle, DigestView } from '../render/compile.ts';
import { type Quote, summarize } from '../summarize/index.ts';

export interface SummarizedArticles {
  articles: { article: Article; summary: DigestArticle }[];
  skipped: { file: string; reason: string }[];
}

/** Summarizes each article; one that cannot be summarized is skipped with its reason. */
export function summarizeArticles(
  articles: Article[],
  onDroppedQuote?: (file: string, quote: Quote, reason: string) => void,
): SummarizedArticles {
  const out: SummarizedArticles = { articles: [], skipped: [] };
  for (const article of articles) {
    try {
      const summary = summarize(
        { body: article.body, title: article.title },
        { onDroppedQuote: (quote, reason) => onDroppedQuote?.(article.file, quote, reason) },
      );
      out.articles.push({
        article,
        summary: {
          ...summary,
          url: article.url,
          source: article.source,
          published: displayDate(article.published),
          section: article.section,
          also: article.also,
        },
      });
    } catch (error) {
      out.skipped.push({ file: article.file, reason: errorMessage(error) });
    }
  }
  return out;
}

/**
 * A publication time as a reader wants it: "30 November 2026". A seed's date-only value
 * (`2026-11-20`) means that day wherever the reader is, so it is read as UTC.
 */
export function displayDate(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) return value;
  return new Date(ms).toLocaleDateString('en-GB', {
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    timeZone: 'UTC',
  });
}

/** A stable id for the issue carrying these articles on this day: `2026-11-28-3f9a1c2b`. */
export function issueIdFor(articleHashes: string[], date: Date): string {
  const digest = createHash('sha256')
    .update([...articleHashes].sort().join('\n'))
    .digest('hex');
  return `${date.toISOString().slice(0, 10)}-${digest.slice(0, 8)}`;
}

export function subjectFor(brand: Brand, titles: string[]): string {
  const [first, ...rest] = titles;
  if (!first) return brand.name;
  return rest.length === 0 ? `${brand.name}: ${first}` : `${brand.name}: ${first} and ${rest.length} more`;
}

export function digestView(issueId: string, date: Date, brand: Brand, articles: DigestArticle[]): DigestView {
  return {
    issueId,
    subject: subjectFor(
      brand,
      articles.map((a) => a.title),
    ),
    date: date.toLocaleDateString('en-GB', {
      day: 'numeric',
      month: 'long',
      year: 'numeric',
      timeZone: 'UTC',
    }),
    articles,
    archiveUrl: `${brand.publicUrl.replace(/\/+$/, '')}/issues/${issueId}`,
  };
}
