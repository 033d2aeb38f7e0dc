import { SourceError } from './errors.ts';
import { parseFeedText } from './feeds.ts';
import { detectKind } from './kind.ts';
import type { Fetcher, SourceKind } from './ports.ts';
import { extractReadable } from './readable.ts';
import { httpUrl } from './urls.ts';

export interface ProbedSource {
  kind: SourceKind;
  /** The feed's or page's own title (a default name for the source). */
  title?: string | undefined;
  /** Items in the feed now (1 for a page). */
  items: number;
}

/**
 * One fetch of a would-be source, to tell what it is and that it can be read: it must answer
 * 200 with a feed we can parse or a page with a readable article. Refusals (a private address,
 * a wrong type, malformed XML) come back as a SourceError saying why, in the fetcher's words.
 */
export async function probeSource(fetcher: Fetcher, url: string, now: Date): Promise<ProbedSource> {
  if (!httpUrl(url)) throw new SourceError('not-a-feed', `not an http(s) URL: ${url}`);
  const response = await fetcher.get({
    url,
    accept: 'application/rss+xml, application/atom+xml, application/feed+json, text/html;q=0.8, */*;q=0.1',
  });
  if (!response.ok) throw new SourceError('unreachable', response.message);
  if (response.status !== 200)
    throw new SourceError('unreachable', `${url} answered HTTP ${response.status}`);
  const kind = detectKind(response.contentType, response.body);
  if (kind === 'html') {
    const page = extractReadable(response.body, response.url);
    if (!page) throw new SourceError('empty', 'the page has no readable article');
    return { kind, title: page.title, items: 1 };
  }
  const feed = parseFeedText(kind, response.body, response.url, now);
  return { kind, title: feed.title, items: feed.items.length };
}
