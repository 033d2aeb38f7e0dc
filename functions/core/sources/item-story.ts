import { errorMessage } from '../errors.ts';
import type { ExtractedStory } from './article-file.ts';
import { cleanLine } from './clean-text.ts';
import { type FeedItem, parseDate } from './feeds.ts';
import { detectKind } from './kind.ts';
import type { FetchFailure, FetchResponse, Source, SourceKind } from './ports.ts';
import { extractReadable } from './readable.ts';
import { canonicalUrl, httpUrl } from './urls.ts';

/** Why an item gave no story; `permanent` ones are not tried again. */
export interface ItemFailure {
  failed: string;
  permanent?: boolean;
}

/**
 * One feed item (or a page source's page) → the story it tells: the feed's own full text when it
 * carries it, else the article extracted from the item's page (fetched through `getPage`, only
 * then). The link must be http(s); its canonical form (or the page's own canonical link, on the
 * same host) is the story's URL.
 */
export async function storyOfItem(input: {
  source: Source;
  kind: SourceKind;
  item: FeedItem;
  /** The source's own response (for a page source, the page itself). */
  response: FetchResponse;
  now: Date;
  getPage: (url: string) => Promise<FetchResponse | FetchFailure>;
}): Promise<ExtractedStory | ItemFailure> {
  const { source, kind, item, response, now } = input;
  let paragraphs = item.fullText ? item.paragraphs : [];
  let url = item.url;
  let title = item.title;
  let published = item.published;
  if (paragraphs.length === 0) {
    if (!item.url) {
      if (item.paragraphs.length === 0) return { failed: 'no text and no link', permanent: true };
      paragraphs = item.paragraphs; // a short item with no page to fetch: what the feed says
    } else {
      // A teaser: the story is on its page (for a page source, the response already is it).
      const page = kind === 'html' ? response : await input.getPage(item.url);
      if (!page.ok) return { failed: page.message };
      if (page.status < 200 || page.status > 299) return { failed: `page answered HTTP ${page.status}` };
      let readable: ReturnType<typeof extractReadable>;
      try {
        if (detectKind(page.contentType, page.body) !== 'html')
          return { failed: 'the link is not a web page', permanent: true };
        readable = extractReadable(page.body, page.url);
      } catch (error) {
        return { failed: errorMessage(error), permanent: true };
      }
      if (!readable) return { failed: 'no readable article on the page', permanent: true };
      paragraphs = readable.paragraphs;
      url = readable.canonical ?? page.url;
      title ||= readable.title ?? '';
      published ??= parseDate(readable.published, now);
    }
  }
  if (!url) return { failed: 'no link', permanent: true };
  const safe = httpUrl(url);
  if (!safe) return { failed: 'link is not http(s)', permanent: true };
  const canonical = canonicalUrl(safe);
  return {
    title: cleanLine(title) || cleanLine(paragraphs[0] ?? '', 80) || 'Untitled',
    url: canonical,
    source: source.name,
    section: source.section,
    published,
    fetched: now.toISOString(),
    paragraphs,
    identity: item.guid ? `${source.id}:${item.guid}` : canonical,
  };
}
