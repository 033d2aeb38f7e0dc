import { MalformedError, parseAtomFeed, parseJsonFeed, parseRdfFeed, parseRssFeed } from 'feedsmith';
import { cleanLine } from './clean-text.ts';
import { SourceError } from './errors.ts';
import { htmlToParagraphs, textToParagraphs } from './html-text.ts';
import type { SourceKind } from './ports.ts';
import { httpUrl } from './urls.ts';

/**
 * Feeds → items, by feedsmith. Chosen on our quirky fixtures against @rowanmanning/feed-parser
 * and @extractus/feed-extractor: feedsmith alone reads all four formats (RSS 2.0, RDF, Atom,
 * JSON Feed 1.1), refuses malformed XML (feed-parser turned it into a garbage item) and the
 * billion-laughs / external-entity document, and keeps content:encoded, Atom content, dc:creator
 * and media: as written (feed-extractor dropped Atom content, ignored xml:base and invented ids
 * for items without a GUID). It leaves links and dates raw: resolving them is done here, which
 * is also where the http(s)-only rule must live anyway.
 */

export interface FeedItem {
  /** The feed's own id for the item (RSS guid, Atom id, JSON Feed id). */
  guid?: string | undefined;
  title: string;
  /** Absolute http(s) link to the story (anything else is dropped). */
  url?: string | undefined;
  /** ISO time, when the feed gave a usable one. */
  published?: string | undefined;
  author?: string | undefined;
  /** The feed's best text for the item, as paragraphs. */
  paragraphs: string[];
  /** Whether `paragraphs` is the story itself (not a teaser that needs the page). */
  fullText: boolean;
  /** Position in the feed (feeds list newest first; used when dates are missing). */
  position: number;
}

export interface ParsedFeed {
  kind: Exclude<SourceKind, 'html'>;
  title?: string | undefined;
  items: FeedItem[];
}

/** At most this many items are read from one feed (a hostile feed may list millions). */
export const MAX_FEED_ITEMS = 200;

/**
 * Full text, not a teaser: at least this much text in two or more paragraphs, and not ending in
 * "…" / "read more". Below it the page is fetched.
 */
const FULL_TEXT_CHARS = 600;

type Loose = Record<string, unknown>;
const obj = (v: unknown): Loose | undefined => (v && typeof v === 'object' ? (v as Loose) : undefined);
const str = (v: unknown): string | undefined => {
  if (typeof v === 'string') return v;
  const o = obj(v);
  return typeof o?.value === 'string' ? o.value : undefined; // Atom text constructs, RSS guid
};
const first = (v: unknown): unknown => (Array.isArray(v) ? v[0] : v);

/** A date we can trust: parseable, after 1990, and not in the future (then: the fetch time). */
export function parseDate(value: unknown, now: Date): string | undefined {
  const text = str(first(value));
  if (!text) return undefined;
  const ms = Date.parse(text.trim());
  if (Number.isNaN(ms) || ms < Date.UTC(1990, 0, 1)) return undefined;
  return new Date(Math.min(ms, now.getTime())).toISOString();
}

function isFull(paragraphs: string[]): boolean {
  const text = paragraphs.join(' ');
  if (text.length < FULL_TEXT_CHARS || paragraphs.length < 2) return false;
  return !/(…|\.\.\.|\[…\]|read more|continue reading)\s*\.?$/i.test(text);
}

function body(html: string | undefined, text?: string | undefined): string[] {
  if (html) return htmlToParagraphs(html);
  if (text) return textToParagraphs(text);
  return [];
}

function item(parts: {
  guid: unknown;
  /** Whether the id may stand in for a missing link (not an RSS guid marked isPermaLink="false"). */
  guidIsLink: boolean;
  title: unknown;
  link: unknown;
  date: unknown;
  author: unknown;
  contentHtml?: string | undefined;
  contentText?: string | undefined;
  teaserHtml?: string | undefined;
  base: string;
  now: Date;
  position: number;
}): FeedItem {
  const content = body(parts.contentHtml, parts.contentText);
  const teaser = body(parts.teaserHtml);
  const paragraphs = content.length > 0 ? content : teaser;
  const guid = cleanLine(str(parts.guid), 500) || undefined;
  // An id that is itself an absolute URL (an RSS permalink guid) stands in for a missing link.
  const url = httpUrl(str(parts.link), parts.base) ?? (parts.guidIsLink ? httpUrl(guid) : undefined);
  // Titles are text: markup in an Atom type="html" title is reduced to its words.
  const rawTitle = str(parts.title) ?? '';
  const title = cleanLine(/[<&]/.test(rawTitle) ? htmlToParagraphs(rawTitle).join(' ') : rawTitle);
  return {
    guid,
    title,
    url: url?.toString(),
    published: parseDate(parts.date, parts.now),
    author: cleanLine(parts.author, 120) || undefined,
    paragraphs,
    fullText: isFull(paragraphs),
    position: parts.position,
  };
}

const authorName = (v: unknown): string | undefined => {
  const a = first(v);
  return typeof a === 'string' ? a : str(obj(a)?.name);
};

function atomLink(links: unknown): string | undefined {
  const list = Array.isArray(links) ? links.map(obj) : [];
  const alternate = list.find((l) => !l?.rel || l.rel === 'alternate') ?? list[0];
  return str(alternate?.href);
}

/** Parses a feed of a detected kind. `url` is where it was fetched (the base for relative links). */
export function parseFeedText(kind: ParsedFeed['kind'], text: string, url: string, now: Date): ParsedFeed {
  try {
    return parse(kind, text, url, now);
  } catch (error) {
    if (error instanceof SourceError) throw error;
    const why = error instanceof MalformedError ? 'malformed' : 'not a valid';
    throw new SourceError(
      'malformed',
      `${why} ${kind === 'jsonfeed' ? 'JSON Feed' : kind.toUpperCase()} document`,
      {
        cause: error,
      },
    );
  }
}

function parse(kind: ParsedFeed['kind'], text: string, url: string, now: Date): ParsedFeed {
  if (kind === 'jsonfeed') {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw new SourceError('malformed', 'malformed JSON Feed (not valid JSON)', { cause: error });
    }
    const feed = parseJsonFeed(json) as unknown as Loose;
    const base = httpUrl(str(feed.feed_url), url)?.toString() ?? url;
    const items = (Array.isArray(feed.items) ? feed.items : [])
      .slice(0, MAX_FEED_ITEMS)
      .map((raw, position) => {
        const i = obj(raw) ?? {};
        return item({
          guid: i.id,
          guidIsLink: true,
          title: i.title,
          link: i.url ?? i.external_url,
          date: i.date_published ?? i.date_modified,
          author: authorName(i.authors) ?? authorName(i.author),
          contentHtml: str(i.content_html),
          contentText: str(i.content_text),
          teaserHtml: str(i.summary),
          base,
          now,
          position,
        });
      });
    return { kind, title: cleanLine(str(feed.title)) || undefined, items };
  }
  if (kind === 'atom') {
    const feed = parseAtomFeed(text) as unknown as Loose;
    // feedsmith keeps the feed's xml:base; entries resolve against it, then against the fetch URL.
    const base = httpUrl(str(obj(feed.xml)?.base), url)?.toString() ?? url;
    const feedAuthor = authorName(feed.authors);
    const items = (Array.isArray(feed.entries) ? feed.entries : [])
      .slice(0, MAX_FEED_ITEMS)
      .map((raw, position) => {
        const e = obj(raw) ?? {};
        return item({
          guid: e.id,
          guidIsLink: true,
          title: e.title,
          link: atomLink(e.links),
          date: e.published ?? e.updated,
          author: authorName(e.authors) ?? feedAuthor,
          contentHtml: str(e.content),
          teaserHtml: str(e.summary),
          base,
          now,
          position,
        });
      });
    return { kind, title: cleanLine(str(feed.title)) || undefined, items };
  }
  const feed = (kind === 'rss' ? parseRssFeed(text) : parseRdfFeed(text)) as unknown as Loose;
  const items = (Array.isArray(feed.items) ? feed.items : [])
    .slice(0, MAX_FEED_ITEMS)
    .map((raw, position) => {
      const i = obj(raw) ?? {};
      const dc = obj(i.dc);
      const guid = obj(i.guid);
      return item({
        guid: str(i.guid) ?? str(obj(i.rdf)?.about),
        // A guid marked isPermaLink="false" is an id, never a link.
        guidIsLink: guid?.isPermaLink !== false,
        title: i.title ?? first(dc?.titles),
        link: i.link,
        date: i.pubDate ?? dc?.dates ?? dc?.date,
        author: authorName(dc?.creators) ?? authorName(dc?.creator) ?? authorName(i.authors),
        contentHtml: str(obj(i.content)?.encoded),
        teaserHtml: str(i.description),
        base: url,
        now,
        position,
      });
    });
  return { kind, title: cleanLine(str(feed.title)) || undefined, items };
}
