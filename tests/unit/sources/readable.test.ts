import { describe, expect, it } from 'vitest';
import { htmlToParagraphs } from '../../../functions/core/sources/html-text.ts';
import { extractReadable } from '../../../functions/core/sources/readable.ts';
import { fixtureText } from '../../helpers/publisher.ts';

const CHROME =
  /cookie|Share on|Share this|Advertisement|All rights reserved|Related stories|Subscribe for|Privacy policy|Parking charges|dataLayer|Email this story/i;
const PAGES = [
  'tram-extension',
  'bakery-award',
  'night-clinic',
  'wind-farm',
  'hallam-point',
  'election-turnout',
  'ferry-winter',
];

describe('readable text (Readability over linkedom)', () => {
  it.each(PAGES)('%s: the story in paragraphs, quotes intact, no site chrome', (page) => {
    const url = `http://news.example/news/${page}.html`;
    const readable = extractReadable(fixtureText(`pages/${page}.html`), url);
    expect(readable).toBeDefined();
    const text = readable?.paragraphs.join('\n') ?? '';
    expect(readable?.paragraphs.length).toBeGreaterThanOrEqual(5);
    expect(text).not.toMatch(CHROME);
    expect(text).toMatch(/“[^”]+,” (said|he said|she said)/);
    expect(readable?.canonical).toBe(`http://news.example/news/${page}.html`);
  });

  it('keeps the exact wording of quotes with their speakers', () => {
    const readable = extractReadable(fixtureText('pages/tram-extension.html'), 'http://news.example/x');
    expect(readable?.title).toBe('Council approves tram extension to Millbrook');
    expect(readable?.byline).toBe('Nora Lindqvist');
    expect(readable?.paragraphs).toContain(
      '“For ten years people in Millbrook have been told to wait for the next plan,” said Mayor Helena Voss after the vote. “Tonight we stopped planning and started building.”',
    );
  });

  it('honours a canonical link only on the same host and only http(s)', () => {
    const page = (href: string) =>
      `<html><head><link rel="canonical" href="${href}"></head><body><article>${'<p>The river rose overnight and the mayor closed the bridge to traffic until the water falls again.</p>'.repeat(6)}</article></body></html>`;
    expect(extractReadable(page('/story?utm_source=x#top'), 'http://news.example/a')?.canonical).toBe(
      'http://news.example/story',
    );
    expect(
      extractReadable(page('https://other.example/story'), 'http://news.example/a')?.canonical,
    ).toBeUndefined();
    expect(extractReadable(page('javascript:alert(1)'), 'http://news.example/a')?.canonical).toBeUndefined();
  });

  it('finds nothing readable on a page without an article', () => {
    expect(
      extractReadable('<html><body><nav><a href="/">Home</a></nav></body></html>', 'http://news.example/'),
    ).toBeUndefined();
  });

  it('turns hostile HTML into text only: no scripts, styles, frames or handlers survive', () => {
    const paragraphs = htmlToParagraphs(
      '<p onclick="steal()">Ferries will use the south berth.</p><script>steal()</script><style>p{}</style>' +
        '<iframe src="https://evil.example"></iframe><p><img src=x onerror=alert(1)>Crews start on Monday.</p>',
    );
    expect(paragraphs).toEqual(['Ferries will use the south berth.', 'Crews start on Monday.']);
  });

  it('caps a gigantic body', () => {
    const paragraphs = htmlToParagraphs(
      '<p>The council met again to discuss the budget for next year.</p>'.repeat(50_000),
    );
    expect(paragraphs.length).toBeLessThanOrEqual(200);
  });
});
