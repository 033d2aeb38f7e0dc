import { describe, expect, it } from 'vitest';
import { SourceError } from '../../../functions/core/sources/errors.ts';
import { parseFeedText } from '../../../functions/core/sources/feeds.ts';
import { detectKind } from '../../../functions/core/sources/kind.ts';
import { fixtureText, renderFixture } from '../../helpers/publisher.ts';

const BASE = 'http://news.example';
const now = new Date();
const feed = (name: string) => renderFixture(`feeds/${name}`, BASE, now.getTime());
const parse = (name: string, url = `${BASE}/feed`) => {
  const text = feed(name);
  const kind = detectKind('', text);
  if (kind === 'html') throw new Error('not a feed');
  return parseFeedText(kind, text, url, now);
};

describe('kind detection (from the response, never the URL)', () => {
  it('tells every format apart by its content', () => {
    expect(detectKind('application/xml', feed('coastal-courier.rss.xml'))).toBe('rss');
    expect(detectKind('text/xml', feed('bridges.rdf.xml'))).toBe('rdf');
    expect(detectKind('application/atom+xml', feed('observatory.atom.xml'))).toBe('atom');
    expect(detectKind('application/json', feed('harbour.feed.json'))).toBe('jsonfeed');
    expect(detectKind('text/html; charset=utf-8', fixtureText('pages/wind-farm.html'))).toBe('html');
    // A feed served as text/plain or text/html is still a feed.
    expect(detectKind('text/plain', feed('coastal-courier.rss.xml'))).toBe('rss');
    expect(detectKind('text/html', feed('observatory.atom.xml'))).toBe('atom');
  });

  it('refuses a wrong content type and what is neither feed nor page', () => {
    expect(() => detectKind('image/png', feed('coastal-courier.rss.xml'))).toThrow(
      /wrong content type image\/png/,
    );
    expect(() => detectKind('application/octet-stream', 'x')).toThrow(SourceError);
    expect(() => detectKind('application/json', '{"hello":"world"}')).toThrow(/not a JSON Feed/);
    expect(() => detectKind('application/xml', '<?xml version="1.0"?><svg></svg>')).toThrow(/root <svg>/);
    expect(() => detectKind('text/plain', 'just words')).toThrow(/neither a feed nor a web page/);
  });
});

describe('feed parsing (feedsmith) with real-world quirks', () => {
  it('RSS 2.0: CDATA, entities, relative links, dc:creator, missing and malformed dates', () => {
    const { items, title } = parse('coastal-courier.rss.xml');
    expect(title).toBe('Coastal Courier – News');
    const [tram, bakery, clinic, wind] = items;
    expect(tram).toMatchObject({
      title: 'Council approves tram extension to Millbrook',
      guid: 'courier-2026-tram-4471',
      author: 'Nora Lindqvist',
      fullText: false, // a teaser: the page is fetched
    });
    expect(tram?.url).toBe(
      `${BASE}/news/tram-extension.html?utm_source=rss&utm_medium=feed&ref=home#comments`,
    );
    expect(tram?.paragraphs[0]).toContain('extend the number 4 line …'); // &hellip; inside CDATA HTML
    expect(bakery?.title).toBe('Riverside bakery wins national bread award & a 5,000€ prize');
    expect(bakery?.url).toBe(`${BASE}/news/bakery-award.html?utm_campaign=weekly`); // relative, resolved
    expect(bakery?.author).toBe('Felix Moreau');
    expect(Date.parse(bakery?.published ?? '')).toBeGreaterThan(now.getTime() - 31 * 3_600_000);
    expect(clinic?.published).toBeUndefined(); // "Tuesday, sometime in the evening"
    expect(clinic?.paragraphs).toEqual(['A walk-in clinic will open from 10 pm to 6 am on weekdays.']); // escaped HTML
    expect(wind?.guid).toBe(`${BASE}/news/wind-farm.html`);
  });

  it('Atom: full content (html and xhtml), xml:base for relative links, markup in titles, no script', () => {
    const { items } = parse('observatory.atom.xml');
    const [comet, orchestra] = items;
    expect(comet?.title).toBe('Comet C/2026 K3 spotted from the hilltop dome');
    expect(comet?.url).toBe(`${BASE}/observatory/posts/comet-k3.html`);
    expect(comet?.fullText).toBe(true);
    expect(comet?.author).toBe('Priya Raman');
    const text = comet?.paragraphs.join('\n') ?? '';
    expect(text).toContain('“I thought it was a smear on the lens until it moved,” Brisk said.');
    expect(text).not.toMatch(/alert|<script/);
    expect(text).not.toContain('Click for the full chart'); // a link-only line
    expect(orchestra?.fullText).toBe(true);
    expect(orchestra?.paragraphs).toHaveLength(5);
    expect(orchestra?.author).toBe('Hilltop Observatory'); // the feed's author
  });

  it('JSON Feed 1.1: content_html and content_text, relative url, a date that is not a date', () => {
    const { items } = parse('harbour.feed.json');
    expect(items[0]).toMatchObject({ guid: 'harbour-cleanup-2026', author: 'Lena Fischer', fullText: true });
    expect(items[0]?.paragraphs[2]).toBe(
      '“Every crate we lift out is one less that breaks into pieces the fish will eat,” said Lena Fischer, who coordinates the cleanups.',
    );
    expect(items[1]?.url).toBe(`${BASE}/harbour/tool-library.html`); // resolved against feed_url
    expect(items[1]?.published).toBeUndefined();
    expect(items[1]?.paragraphs).toHaveLength(5);
    expect(items[1]?.fullText).toBe(true);
  });

  it('RDF / RSS 1.0 with dc:date and content:encoded', () => {
    const { kind, items } = parse('bridges.rdf.xml');
    expect(kind).toBe('rdf');
    expect(items[0]).toMatchObject({
      title: 'Old Mill bridge reopens a month early',
      author: 'County Roads Office',
      fullText: true,
    });
    expect(items[0]?.published).toBeDefined();
  });

  it('refuses malformed XML and the billion-laughs / external-entity document', () => {
    expect(() => parse('malformed.xml')).toThrow(/malformed RSS document/);
    expect(() => parse('billion-laughs.xml')).toThrow(SourceError);
  });

  it('keeps nothing dangerous from a hostile feed: controls, bidi overrides, javascript: and data: links, scripts', () => {
    const { items, title } = parse('hostile.rss.xml');
    expect(title).toBe('Totally Normal News');
    const [evil, data] = items;
    expect(evil?.title).toBe('Evil title with controlstxt.exe');
    expect(evil?.url).toBeUndefined(); // javascript: dropped
    expect(data?.url).toBeUndefined(); // data: dropped
    const text = evil?.paragraphs.join('\n') ?? '';
    expect(text).not.toMatch(/fetch\(|document\.cookie|display: none|evil\.example/);
    expect(text).toContain('said harbour master Olav Dunn');
    expect(text).not.toMatch(/data:|vbscript|<a /); // link words may stay, their targets never do
  });

  it('reads a bounded number of items from a feed that lists thousands', () => {
    const many = Array.from(
      { length: 5000 },
      (_, i) => `<item><title>Item ${i}</title><link>${BASE}/${i}</link><description>x</description></item>`,
    ).join('');
    const text = `<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><link>${BASE}</link><description>d</description>${many}</channel></rss>`;
    expect(parseFeedText('rss', text, BASE, now).items).toHaveLength(200);
  });

  it('clamps a date in the future to now (it would otherwise stay "newest" for ever)', () => {
    const text = `<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><link>${BASE}</link><description>d</description><item><title>Future</title><link>${BASE}/f</link><pubDate>Fri, 01 Jan 2100 00:00:00 GMT</pubDate></item></channel></rss>`;
    expect(parseFeedText('rss', text, BASE, now).items[0]?.published).toBe(now.toISOString());
  });
});
