import Handlebars from 'handlebars';
import { type Context, Hono } from 'hono';
import pLimit from 'p-limit';
import {
  archivePageUrl,
  type FeedEntry,
  isPublicIssue,
  issueDate,
  jsonFeed,
  publicEntries,
  rssFeed,
} from '../core/archive/feeds.ts';
import { archiveKey, ISSUE_ID_PATTERN, viewKey } from '../core/issue/keys.ts';
import type { DigestView } from '../core/render/compile.ts';
import type { AppDeps } from './deps.ts';
import { renderMessage } from './pages.ts';
import { PAGES } from './templates.generated.ts';

/**
 * The public issue archive, mounted at `/issues` by createApp: an index of the issues that went
 * out (`sent` or `partial`), each issue's stored web copy, RSS 2.0 and JSON Feed 1.1. Nothing here
 * is personal, so shared caches may keep it for a few minutes.
 */
export type ArchiveDeps = Pick<AppDeps, 'issues' | 'blobs' | 'brand' | 'log'>;

/** How many issues the feeds carry (the index lists them all). */
export const FEED_ITEMS = 20;
const PUBLIC_CACHE = 'public, max-age=300';

const hbs = Handlebars.create();
const layout = hbs.compile(PAGES.layout);
const indexBody = hbs.compile(`<h1>{{brand.name}}: every issue</h1>
{{#if issues.length}}
<ol reversed style="padding-left:1.25rem;">
{{#each issues}}<li style="margin:0 0 1rem;"><a href="{{url}}">{{subject}}</a><br><span class="hint"><time datetime="{{iso}}">{{date}}</time>{{#if titles}} · {{titles}}{{/if}}</span></li>
{{/each}}
</ol>
{{else}}
<p>No issue has gone out yet.</p>
{{/if}}
<p class="hint">Follow along: <a href="{{feedXml}}">RSS</a> · <a href="{{feedJson}}">JSON Feed</a> · <a href="{{home}}">Subscribe by email</a></p>`);

export function archiveRoutes(deps: ArchiveDeps) {
  const app = new Hono();
  const base = deps.brand.publicUrl.replace(/\/+$/, '');

  const notFound = (c: Context, message: string) =>
    c.html(
      renderMessage(deps.brand, { title: 'Not found', heading: 'No such issue', paragraphs: [message] }),
      404,
    );

  /** Public issue records, newest first, with their stored views for the feeds. */
  async function entries(withViews: number): Promise<FeedEntry[]> {
    const list = publicEntries((await deps.issues.list()).map((issue) => ({ issue })));
    const limit = pLimit(4);
    return Promise.all(
      list.map((entry, i) =>
        i >= withViews
          ? entry
          : limit(async () => {
              const bytes = await deps.blobs.get(viewKey(entry.issue.issueId));
              if (!bytes) return entry;
              try {
                return { ...entry, view: JSON.parse(Buffer.from(bytes).toString('utf8')) as DigestView };
              } catch {
                deps.log?.warn('unreadable stored issue view', { issueId: entry.issue.issueId });
                return entry;
              }
            }),
      ),
    );
  }

  app.get('/', async (c) => {
    const issues = (await entries(0)).map(({ issue }) => ({
      url: archivePageUrl(deps.brand, issue.issueId),
      subject: issue.subject,
      iso: issueDate(issue).toISOString(),
      date: issueDate(issue).toLocaleDateString('en-GB', {
        day: 'numeric',
        month: 'long',
        year: 'numeric',
        timeZone: 'UTC',
      }),
      titles: issue.articleTitles.join(' · '),
    }));
    const body = indexBody({
      brand: deps.brand,
      issues,
      feedXml: `${base}/issues/feed.xml`,
      feedJson: `${base}/issues/feed.json`,
      home: `${base}/`,
    });
    c.header('Cache-Control', PUBLIC_CACHE);
    return c.html(layout({ brand: deps.brand, title: 'Archive', body }));
  });

  app.get('/feed.xml', async (c) => {
    const xml = rssFeed(deps.brand, await entries(FEED_ITEMS).then((e) => e.slice(0, FEED_ITEMS)));
    c.header('Content-Type', 'application/rss+xml; charset=utf-8');
    c.header('Cache-Control', PUBLIC_CACHE);
    return c.body(xml);
  });

  app.get('/feed.json', async (c) => {
    const feed = jsonFeed(deps.brand, await entries(FEED_ITEMS).then((e) => e.slice(0, FEED_ITEMS)));
    c.header('Content-Type', 'application/feed+json; charset=utf-8');
    c.header('Cache-Control', PUBLIC_CACHE);
    return c.body(JSON.stringify(feed, null, 2));
  });

  // The archive copy's "Unsubscribe" link lands here: the copy carries nobody's token.
  app.get('/unsubscribe', (c) =>
    c.html(
      renderMessage(deps.brand, {
        title: 'Unsubscribe',
        heading: `Unsubscribe from ${deps.brand.name}`,
        paragraphs: [
          'This web copy of the digest belongs to no one, so it has no personal unsubscribe link.',
          `To stop receiving ${deps.brand.name}, open any issue in your inbox and use the "Unsubscribe" link at its foot: it works in one click, no login needed.`,
        ],
      }),
    ),
  );

  app.get('/:id', async (c) => {
    const id = c.req.param('id');
    if (!ISSUE_ID_PATTERN.test(id)) {
      return notFound(
        c,
        `Issue addresses look like ${base}/issues/2026-11-28-3f9a1c2b; every issue is listed at ${base}/issues.`,
      );
    }
    const issue = await deps.issues.get(id);
    if (!issue || !isPublicIssue(issue)) return notFound(c, `There is no published issue ${id}.`);
    const html = await deps.blobs.get(archiveKey(id));
    if (!html) {
      deps.log?.warn('archive copy missing', { issueId: id });
      return notFound(c, `The web copy of issue ${id} is not available.`);
    }
    c.header('Cache-Control', PUBLIC_CACHE);
    return c.html(Buffer.from(html).toString('utf8'));
  });

  return app;
}
