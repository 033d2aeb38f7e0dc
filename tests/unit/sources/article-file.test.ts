import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { isArticleFile, parseArticle } from '../../../functions/core/articles/parse.ts';
import {
  articleFileName,
  articleFileText,
  type ExtractedStory,
} from '../../../functions/core/sources/article-file.ts';

const story: ExtractedStory = {
  title: 'Council approves tram extension to Millbrook',
  url: 'http://news.example/news/tram-extension.html',
  source: 'Coastal Courier',
  section: 'Local',
  published: '2026-11-30T12:00:00.000Z',
  fetched: '2026-12-01T08:00:00.000Z',
  also: [{ source: 'Island Gazette', url: 'http://gazette.example/tram' }],
  paragraphs: ['First paragraph.', '“A quote,” said Mayor Helena Voss.'],
  identity: 'http://news.example/news/tram-extension.html',
};

const split = (text: string) => {
  const match = /^---\n([\s\S]*?)\n---\n\n([\s\S]*)$/.exec(text);
  if (!match) throw new Error(`no front matter in ${text}`);
  return {
    meta: parseDocument(match[1] as string).toJS() as Record<string, unknown>,
    body: match[2] as string,
  };
};

describe('extracted story → article file', () => {
  it('writes front matter like a seed file, then the paragraphs', () => {
    const { meta, body } = split(articleFileText(story));
    expect(meta).toEqual({
      title: story.title,
      url: story.url,
      source: 'Coastal Courier',
      section: 'Local',
      published: story.published,
      fetched: story.fetched,
      also: [{ source: 'Island Gazette', url: 'http://gazette.example/tram' }],
    });
    expect(body).toBe('First paragraph.\n\n“A quote,” said Mayor Helena Voss.\n');
  });

  it("reads back through the pipeline's own parser, provenance included", () => {
    const article = parseArticle(articleFileName(story), new TextEncoder().encode(articleFileText(story)));
    expect(article).toMatchObject({
      title: story.title,
      url: story.url,
      source: 'Coastal Courier',
      section: 'Local',
      published: story.published,
      fetched: story.fetched,
      also: story.also,
      body: 'First paragraph.\n\n“A quote,” said Mayor Helena Voss.',
    });
  });

  it('the pipeline keeps only http(s) "also" links, like the url itself', () => {
    const article = parseArticle(
      'x.md',
      new TextEncoder().encode(
        '---\nalso:\n  - source: Evil\n    url: "javascript:alert(1)"\n  - source: Fine\n    url: "https://fine.example/a"\n---\n\nSome words here.\n',
      ),
    );
    expect(article.also).toEqual([{ source: 'Fine', url: 'https://fine.example/a' }]);
    expect(article.warnings).toEqual(['1 "also" link(s) dropped: only http and https links are kept']);
  });

  it('a hostile title cannot open a key or close the front matter', () => {
    const text = articleFileText({
      ...story,
      title: 'x"\n---\nurl: javascript:alert(1)\n# ---',
      also: undefined,
    });
    const { meta } = split(text);
    expect(Object.keys(meta)).toEqual(['title', 'url', 'source', 'section', 'published', 'fetched']);
    expect(meta.url).toBe(story.url);
    expect(meta.title).toBe('x" --- url: javascript:alert(1) # ---');
  });

  it('names files safely and the same for the same story (racing runs pick one name)', () => {
    const name = articleFileName(story);
    expect(name).toMatch(/^2026-11-30-council-approves-tram-extension-to-millbrook-[0-9a-f]{10}\.md$/);
    expect(articleFileName({ ...story })).toBe(name);
    expect(isArticleFile(name)).toBe(true);
    const odd = articleFileName({
      ...story,
      title: '../../etc/passwd\u0000 Ünïcödé ✓',
      published: undefined,
    });
    expect(odd).toMatch(/^2026-12-01-etc-passwd-unicode-[0-9a-f]{10}\.md$/);
    expect(articleFileName({ ...story, title: '✓✓✓' })).toMatch(/^2026-11-30-story-/);
  });
});
