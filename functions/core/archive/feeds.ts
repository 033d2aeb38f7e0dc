import { Feed } from 'feed';
import type { IssueRecord, IssueState } from '../model.ts';
import type { Brand, DigestView } from '../render/compile.ts';
import { escapeHtml, webUrl } from '../render/html.ts';

/**
 * The public face of an issue: its archive copy (the email without any recipient in it), the
 * archive's storage keys, and the feeds (RSS 2.0 through `feed`, JSON Feed 1.1 by hand, since
 * `feed` writes JSON Feed 1.0). Pure, and free of MJML so the API bundle stays small.
 */

/** Only issues that went out are public: a `building` or `sending` issue may still change. */
export const PUBLIC_STATES: readonly IssueState[] = ['sent', 'partial'];
export const isPublicIssue = (issue: IssueRecord) => PUBLIC_STATES.includes(issue.state);

const base = (brand: Brand) => brand.publicUrl.replace(/\/+$/, '');
export const archiveIndexUrl = (brand: Brand) => `${base(brand)}/issues`;
export const archivePageUrl = (brand: Brand, issueId: string) => `${base(brand)}/issues/${issueId}`;
/** The archive copy's "Unsubscribe" link: a page that explains how, since the copy has no token. */
export const archiveUnsubscribeUrl = (brand: Brand) => `${base(brand)}/issues/unsubscribe`;

/**
 * Filled into the recipient address slot of the archive copy, then replaced by `publicArchiveHtml`.
 * Plain ASCII letters and `@`-free, so HTML escaping leaves it as is and no address check matches it.
 */
export const ARCHIVE_READER = 'DIGESTARCHIVEREADER';

/**
 * Turns the archive copy (personalized with ARCHIVE_READER as the address) into the public page:
 * the paragraph naming the reader ("You receive … because … subscribed") becomes a neutral line,
 * and the "View in browser" link, pointless in a browser, goes.
 */
export function publicArchiveHtml(html: string, brand: Brand): string {
  const neutral = `This is the web copy of an issue of ${escapeHtml(brand.name)}. <a href="${escapeHtml(base(brand))}/" style="color:inherit;">Subscribe</a> to get it by email.`;
  // The innermost element whose text holds the marker: the footer sentence about the subscriber.
  const sentence = new RegExp(`(<(p|div|span|td)\\b[^>]*>)[^<]*${ARCHIVE_READER}[^<]*(</\\2>)`, 'g');
  let out = html.replace(
    sentence,
    (_m, open: string, _tag: string, close: string) => `${open}${neutral}${close}`,
  );
  // Wherever else the template put the address (a changed template), a neutral word.
  out = out.replaceAll(ARCHIVE_READER, 'a reader');
  return out.replace(/<a\b[^>]*>\s*View in browser\s*<\/a>/g, '');
}

/** An issue as the feeds show it: the record, and its stored view when there is one. */
export interface FeedEntry {
  issue: IssueRecord;
  view?: DigestView | undefined;
}

/** An issue's date is the day it was built, the date its email shows (a completed partial keeps it). */
export const issueDate = (issue: IssueRecord) => new Date(issue.createdAt);

/** A short HTML body for a feed item: each article's headline and key points. */
function entryContent(entry: FeedEntry, link: string): string {
  const articles = entry.view?.articles;
  const parts: string[] = [];
  if (articles && articles.length > 0) {
    for (const article of articles) {
      // A stored view may predate the front-matter check: only web links become an href here too.
      const url = webUrl(article.url);
      const title = url
        ? `<a href="${escapeHtml(url)}">${escapeHtml(article.title)}</a>`
        : escapeHtml(article.title);
      parts.push(`<h2>${title}</h2>`);
      if (article.keyPoints.length > 0)
        parts.push(`<ul>${article.keyPoints.map((p) => `<li>${escapeHtml(p)}</li>`).join('')}</ul>`);
    }
  } else {
    parts.push(`<ul>${entry.issue.articleTitles.map((t) => `<li>${escapeHtml(t)}</li>`).join('')}</ul>`);
  }
  parts.push(`<p><a href="${escapeHtml(link)}">Read the whole issue</a></p>`);
  return parts.join('\n');
}

/** The titles as plain text (the JSON Feed `summary` is plain text by definition). */
const entryDescription = (entry: FeedEntry) => entry.issue.articleTitles.join(' · ');

/** RSS 2.0 of the public issues, newest first (entries are filtered and ordered here). */
export function rssFeed(brand: Brand, entries: FeedEntry[]): string {
  const items = publicEntries(entries);
  const feed = new Feed({
    title: brand.name,
    description: `Every issue of ${brand.name}`,
    id: archiveIndexUrl(brand),
    link: archiveIndexUrl(brand),
    language: brand.lang,
    feedLinks: { rss: `${archiveIndexUrl(brand)}/feed.xml`, json: `${archiveIndexUrl(brand)}/feed.json` },
    updated: items[0] ? issueDate(items[0].issue) : new Date(0),
    copyright: brand.name,
    generator: false,
  });
  for (const entry of items) {
    const link = archivePageUrl(brand, entry.issue.issueId);
    feed.addItem({
      title: entry.issue.subject,
      id: link,
      guid: link,
      link,
      date: issueDate(entry.issue),
      // RSS readers render <description> as HTML (CDATA only spares the XML escaping): a title
      // such as `<img src=x onerror=…>` must arrive as text, so it is escaped here. That also turns
      // any `]]>` into `]]&gt;`, which cannot end the CDATA section early.
      description: escapeHtml(entryDescription(entry)),
      content: entryContent(entry, link),
    });
  }
  return feed.rss2();
}

/** JSON Feed 1.1 (https://www.jsonfeed.org/version/1.1/): the fields we fill. */
export interface JsonFeed {
  version: 'https://jsonfeed.org/version/1.1';
  title: string;
  home_page_url: string;
  feed_url: string;
  description: string;
  language: string;
  items: {
    id: string;
    url: string;
    title: string;
    summary: string;
    content_html: string;
    date_published: string;
  }[];
}

export function jsonFeed(brand: Brand, entries: FeedEntry[]): JsonFeed {
  return {
    version: 'https://jsonfeed.org/version/1.1',
    title: brand.name,
    home_page_url: archiveIndexUrl(brand),
    feed_url: `${archiveIndexUrl(brand)}/feed.json`,
    description: `Every issue of ${brand.name}`,
    language: brand.lang,
    items: publicEntries(entries).map((entry) => {
      const url = archivePageUrl(brand, entry.issue.issueId);
      return {
        id: url,
        url,
        title: entry.issue.subject,
        summary: entryDescription(entry),
        content_html: entryContent(entry, url),
        date_published: issueDate(entry.issue).toISOString(),
      };
    }),
  };
}

/** Sent and partial issues only, newest first. */
export function publicEntries(entries: FeedEntry[]): FeedEntry[] {
  return entries
    .filter((e) => isPublicIssue(e.issue))
    .sort(
      (a, b) =>
        issueDate(b.issue).getTime() - issueDate(a.issue).getTime() ||
        b.issue.issueId.localeCompare(a.issue.issueId),
    );
}
