import { XMLParser } from 'fast-xml-parser';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadTemplatesFromDir } from '../../../functions/adapters/template-files.ts';
import { jsonFeed, rssFeed } from '../../../functions/core/archive/feeds.ts';
import type { IssueRecord } from '../../../functions/core/model.ts';
import { type Brand, compileIssue, type DigestView } from '../../../functions/core/render/compile.ts';
import { personalize } from '../../../functions/core/render/personalize.ts';
import { TEMPLATES } from '../../helpers/workspace.ts';

/**
 * Titles and links crafted to run script in a feed reader or a mail client, in an issue whose
 * stored view predates the front-matter checks (so the feeds and the email must hold by themselves).
 */
const brand: Brand = {
  name: 'The Weekly Digest',
  color: '#1a56db',
  postalAddress: 'Example Media, 1 Example Street',
  lang: 'en',
  publicUrl: 'https://digest.example.com',
};
const TITLE = 'Harbour <img src=x onerror=alert(1)> news ]]><script>alert(2)</script>';
const view: DigestView = {
  issueId: '2026-01-05-0badc0de',
  subject: `The Weekly Digest: ${TITLE}`,
  date: '5 January 2026',
  archiveUrl: 'https://digest.example.com/issues/2026-01-05-0badc0de',
  articles: [
    {
      title: TITLE,
      url: 'javascript:alert(document.cookie)',
      keyPoints: ['The <b>ferry</b> runs again.'],
      quotes: [],
    },
    { title: 'Second', url: 'data:text/html,<script>alert(3)</script>', keyPoints: ['Fine.'], quotes: [] },
  ],
};
const issue: IssueRecord = {
  issueId: view.issueId,
  createdAt: '2026-01-05T08:00:00.000Z',
  state: 'sent',
  subject: view.subject,
  articleHashes: ['a', 'b'],
  articleFiles: ['a.md', 'b.md'],
  articleTitles: [TITLE, 'Second'],
};

describe('feeds carry titles as text and only web links', () => {
  it('RSS <description> is escaped HTML inside CDATA, and no CDATA section ends early', () => {
    const xml = rssFeed(brand, [{ issue, view }]);
    const parsed = new XMLParser({ ignoreAttributes: false }).parse(xml) as {
      rss: { channel: { item: { description: string; 'content:encoded': string } } };
    };
    const { description, 'content:encoded': content } = parsed.rss.channel.item;
    // What a reader renders as HTML: no element of the attacker's, only text.
    expect(description).not.toMatch(/<img|<script/i);
    expect(description).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(description).toContain(']]&gt;&lt;script&gt;');
    expect(content).not.toMatch(/<img|<script|href="javascript:|href="data:/i);
    expect(xml.match(/<item>/g)).toHaveLength(1);
  });

  it('JSON Feed content_html has no script link', () => {
    const [item] = jsonFeed(brand, [{ issue, view }]).items;
    expect(item?.content_html).not.toMatch(/<img|<script|javascript:|data:text/i);
    expect(item?.content_html).toContain('&lt;img src=x');
  });
});

describe('the email keeps only web links, even from an old stored view', () => {
  let html: string;
  let text: string;
  beforeAll(async () => {
    const compiled = await compileIssue(await loadTemplatesFromDir(TEMPLATES), view, brand);
    ({ html, text } = personalize(compiled, {
      email: 'reader@example.org',
      unsubscribeUrl: 'https://digest.example.com/unsubscribe?token=t',
    }));
  });

  it('has no javascript: or data: href and no live markup from a title', () => {
    expect(html).not.toMatch(/href="\s*(javascript|data|vbscript|file):/i);
    expect(html).not.toMatch(/<img src=x|<script>alert/i);
    expect(text).not.toMatch(/javascript:|data:text/);
  });
});
