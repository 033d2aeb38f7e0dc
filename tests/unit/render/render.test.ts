import { beforeAll, describe, expect, it } from 'vitest';
import { articleFilesInDir } from '../../../functions/adapters/article-files.ts';
import { loadTemplatesFromDir } from '../../../functions/adapters/template-files.ts';
import { loadArticles } from '../../../functions/core/articles/load.ts';
import { TemplateError } from '../../../functions/core/errors.ts';
import { digestView, summarizeArticles } from '../../../functions/core/issue/build.ts';
import {
  type Brand,
  compileIssue,
  type DigestArticle,
  type DigestView,
  type TemplateSet,
} from '../../../functions/core/render/compile.ts';
import {
  type CompiledIssue,
  deserializeCompiled,
  GMAIL_CLIP_BYTES,
  personalize,
  StaleCompiledIssueError,
  serializeCompiled,
} from '../../../functions/core/render/personalize.ts';
import { SEEDS, TEMPLATES } from '../../helpers/workspace.ts';

const brand: Brand = {
  name: 'The Weekly Digest',
  color: '#1a56db',
  postalAddress: 'Example Media, 1 Example Street, Springfield, USA',
  lang: 'en',
  publicUrl: 'https://digest.example.com',
};
const recipient = {
  email: 'reader@example.org',
  unsubscribeUrl: 'https://digest.example.com/unsubscribe?token=abc.def&x=1',
};

/** Two articles with every optional field, an unattributed quote and text that needs escaping. */
const fixtureView: DigestView = {
  issueId: '2026-01-05-fixture',
  subject: 'The Weekly Digest: Rivers & roads',
  date: '5 January 2026',
  archiveUrl: 'https://digest.example.com/issues/2026-01-05-fixture',
  articles: [
    {
      title: 'Rivers <rise> & roads close',
      url: 'https://news.example.net/rivers?id=7&lang=en',
      source: 'Example News',
      published: '2026-01-04',
      keyPoints: ['Rivers rose two metres overnight.', 'Three roads are closed until Friday.'],
      quotes: [
        { text: 'We have never seen water this high', speaker: 'Ana Ruiz', role: 'the county engineer' },
        { text: 'Stay home if you can', speaker: null, role: null },
      ],
    },
    {
      title: 'A second story without a link',
      keyPoints: ['It has one key point.'],
      quotes: [],
    },
  ],
};

let templates: TemplateSet;
let seedView: DigestView;
let seed: CompiledIssue;
let seedBody: { html: string; text: string };

beforeAll(async () => {
  templates = await loadTemplatesFromDir(TEMPLATES);
  const loaded = await loadArticles(await articleFilesInDir(SEEDS));
  const summarized = summarizeArticles(loaded.articles);
  seedView = digestView(
    '2026-01-05-seed',
    new Date('2026-01-05T06:00:00Z'),
    brand,
    summarized.articles.map((a) => a.summary),
  );
  seed = await compileIssue(templates, seedView, brand);
  seedBody = personalize(seed, recipient);
});

describe('the seed digest compiles (MJML strict)', () => {
  it('is well under the Gmail clipping size, with no MJML warnings', () => {
    expect(seed.mjmlWarnings).toEqual([]);
    expect(seed.htmlBytes).toBeGreaterThan(5_000);
    expect(seed.htmlBytes).toBeLessThan(GMAIL_CLIP_BYTES);
    expect(Buffer.byteLength(seedBody.html)).toBeLessThan(GMAIL_CLIP_BYTES);
  });

  it('quotes Xie Zhenhua in a block quote with his name and role', () => {
    const quote = /<blockquote[\s\S]*?<\/blockquote>/.exec(seedBody.html)?.[0] ?? '';
    expect(quote).toContain('unofficial consultations for a successful COP27');
    expect(quote).toContain('<strong>Xie Zhenhua</strong>');
    expect(quote).toContain('China&#8217;s climate envoy');
  });

  it('sets lang, a hidden preheader with the first key point, and a title', () => {
    expect(seedBody.html).toMatch(/<html lang="en"/);
    const firstPoint = seedView.articles[0]?.keyPoints[0] ?? '';
    expect(firstPoint.length).toBeGreaterThan(20);
    expect(seed.preheader).toBe(firstPoint);
    const hidden = /<div style="display:none;[^"]*">([^<]*)<\/div>/.exec(seedBody.html);
    expect(hidden?.[1]).toContain(firstPoint.slice(0, 40));
    expect(seedBody.html).toContain(`<title>${seedView.subject}</title>`);
  });

  it('is readable in dark mode: color-scheme meta and a prefers-color-scheme block', () => {
    expect(seedBody.html).toContain('<meta name="color-scheme" content="light dark">');
    expect(seedBody.html).toContain('<meta name="supported-color-schemes" content="light dark">');
    const dark = /@media \(prefers-color-scheme: dark\) \{([\s\S]*?)\n\s*\}\n/.exec(seedBody.html)?.[1] ?? '';
    expect(dark).toContain('.digest-card');
    expect(dark).toMatch(/background(-color)?: #[0-9a-f]{6} !important/);
    expect(seedBody.html).toContain('class="digest-card"');
  });

  it('has "View in browser" in the header, linking the archive copy', () => {
    const link = /<a href="([^"]+)"[^>]*>View in browser<\/a>/.exec(seedBody.html);
    expect(link?.[1]).toBe(seedView.archiveUrl);
    // The header comes before the first article.
    expect(seedBody.html.indexOf('View in browser')).toBeLessThan(
      seedBody.html.indexOf('class="digest-card"'),
    );
  });

  it('has the postal address and the recipient’s unsubscribe link in the footer, no images, no web fonts', () => {
    const footer = seedBody.html.slice(seedBody.html.indexOf('class="digest-footer"'));
    expect(footer).toContain(brand.postalAddress);
    expect(footer).toContain('href="https://digest.example.com/unsubscribe?token=abc.def&amp;x=1"');
    expect(footer).toContain('>Unsubscribe from The Weekly Digest</a>');
    expect(footer).toContain('reader@example.org');
    expect(seedBody.html).not.toMatch(/<img\b/i);
    expect(seedBody.html).not.toContain('fonts.googleapis.com');
    expect(seedBody.html).not.toContain('digest-partial');
    expect(seedBody.html).not.toContain('DIGESTSLOT');
    // 7-bit HTML: non-ASCII text is written as numeric character references.
    expect([...seedBody.html].every((c) => c.charCodeAt(0) < 128)).toBe(true);
  });

  it('every link has descriptive text', () => {
    const links = [...seedBody.html.matchAll(/<a\b[^>]*>([\s\S]*?)<\/a>/g)].map((m) =>
      (m[1] ?? '').replace(/<[^>]+>/g, '').trim(),
    );
    expect(links.length).toBeGreaterThanOrEqual(3);
    for (const text of links) {
      expect(text.length).toBeGreaterThan(6);
      expect(text).not.toMatch(/^(click here|here|link|more|read more)$/i);
    }
  });
});

describe('articles with links, sources and unattributed quotes', () => {
  let body: { html: string; text: string };
  beforeAll(async () => {
    body = personalize(await compileIssue(templates, fixtureView, brand), recipient);
  });

  it('escapes article text and links the headline, source and full story', () => {
    expect(body.html).toContain('Rivers &lt;rise&gt; &amp; roads close');
    expect(body.html).not.toContain('<rise>');
    expect(body.html).toContain('href="https://news.example.net/rivers?id&#x3D;7&amp;lang&#x3D;en"');
    expect(body.html).toMatch(/>Example News<\/a>/);
    expect(body.html).toContain(
      'Read the full story on Example News: Rivers &lt;rise&gt; &amp; roads close</a>',
    );
    expect(body.html).toContain('2026-01-04');
  });

  it('names the speaker and role, or says the quote is unattributed', () => {
    const quotes = [...body.html.matchAll(/<blockquote[\s\S]*?<\/blockquote>/g)].map((m) => m[0]);
    expect(quotes).toHaveLength(2);
    expect(quotes[0]).toContain('<strong>Ana Ruiz</strong>, the county engineer');
    expect(quotes[1]).toContain('Unattributed');
  });

  it('a view read back from JSON (undefined fields gone) still compiles', async () => {
    const roundTripped = JSON.parse(JSON.stringify({ ...fixtureView, archiveUrl: undefined })) as DigestView;
    const again = personalize(await compileIssue(templates, roundTripped, brand), recipient);
    expect(again.html).toContain('A second story without a link');
    expect(again.html).not.toContain('View in browser');
  });

  it('brand name, colours, language and postal address come from the brand settings', async () => {
    const custom: Brand = {
      name: 'Le Résumé',
      color: '#ffdd00',
      postalAddress: '3 rue Exemple, 75001 Paris, France',
      lang: 'fr',
      publicUrl: 'https://resume.example.fr',
    };
    const html = personalize(await compileIssue(templates, fixtureView, custom), recipient).html;
    expect(html).toMatch(/<html lang="fr"/);
    expect(html).toContain('Le R&#233;sum&#233;');
    expect(html).toContain('background-color:#ffdd00');
    expect(html).toContain('3 rue Exemple, 75001 Paris, France');
    // Yellow is too light for white text or for links on white: dark text and a darker link colour.
    expect(html).toMatch(/color:#111111[^"]*"[^>]*>\s*<h1/);
    expect(html).not.toMatch(/<a [^>]*style="color:#ffdd00/);
  });
});

describe('the plain-text part, on its own', () => {
  let text: string;
  beforeAll(async () => {
    text = personalize(await compileIssue(templates, fixtureView, brand), recipient).text;
  });

  it('carries the whole issue without any HTML', () => {
    // (The headline's own "<rise>" is article text, not markup.)
    expect(text).not.toMatch(/<\/?(?:a|p|br|div|span|li|ul|h\d|strong|em|table|td|blockquote|mj-[a-z]+)\b/i);
    expect(text).not.toMatch(/&[a-z]+;|&#x?[0-9a-f]+;/i);
    expect(text.startsWith('The Weekly Digest\n5 January 2026 · 2 stories\n')).toBe(true);
    expect(text).toContain('View in browser: https://digest.example.com/issues/2026-01-05-fixture');
    expect(text).toContain('Rivers <rise> & roads close');
    expect(text).toContain('Source: Example News, 2026-01-04');
    expect(text).toContain('  * Rivers rose two metres overnight.');
    expect(text).toContain('  “We have never seen water this high”\n     — Ana Ruiz, the county engineer');
    expect(text).toContain('  “Stay home if you can”\n     — Unattributed');
    expect(text).toContain('Read the full story: https://news.example.net/rivers?id=7&lang=en');
    expect(text).toContain('A second story without a link');
  });

  it('ends with the recipient, a raw unsubscribe URL and the postal address', () => {
    expect(text).toContain('because reader@example.org subscribed');
    expect(text).toContain('Unsubscribe: https://digest.example.com/unsubscribe?token=abc.def&x=1\n');
    expect(text.trimEnd().endsWith(brand.postalAddress)).toBe(true);
  });

  it('wraps prose at 72 columns and has no runs of blank lines', async () => {
    const seedText = seedBody.text;
    for (const line of seedText.split('\n')) {
      if (!/https?:\/\//.test(line)) expect(line.length, line).toBeLessThanOrEqual(78);
    }
    expect(seedText).not.toMatch(/\n\n\n/);
    expect(seedText).toContain('Xie Zhenhua, China’s climate envoy');
  });
});

describe('compile once, personalize cheaply', () => {
  it('personalizing fills only the slots, escaped in HTML and raw in text', () => {
    const a = personalize(seed, recipient);
    const b = personalize(seed, {
      email: 'other@example.org',
      unsubscribeUrl: 'https://x.example/u?token=zz',
    });
    expect(a.html).not.toBe(b.html);
    const strip = (s: string, r: typeof recipient) =>
      s
        .replaceAll(r.email, '')
        .replaceAll(r.unsubscribeUrl.replaceAll('&', '&amp;'), '')
        .replaceAll(r.unsubscribeUrl, '');
    expect(strip(a.html, recipient)).toBe(
      strip(b.html, { email: 'other@example.org', unsubscribeUrl: 'https://x.example/u?token=zz' }),
    );
    expect(seed.html.slots).toEqual(expect.arrayContaining(['email', 'unsubscribeUrl']));
    const evil = personalize(seed, { email: 'a"<b>@example.org', unsubscribeUrl: recipient.unsubscribeUrl });
    expect(evil.html).toContain('a&quot;&lt;b&gt;@example.org');
    expect(evil.text).toContain('a"<b>@example.org');
  });

  it('a compiled issue survives serialization', () => {
    const back = deserializeCompiled(serializeCompiled(seed));
    expect(personalize(back, recipient)).toEqual(personalize(seed, recipient));
  });

  it('slots come from the templates only: marker text in an article stays text', async () => {
    const planted =
      '@@DIGEST_SLOT_unsubscribeUrl@@ {{recipient.email}} DIGESTSLOT0123456789abcdef0123456789abcdefemailEND';
    const view: DigestView = {
      ...fixtureView,
      articles: [
        { ...fixtureView.articles[1], title: planted, keyPoints: [planted], quotes: [] } as DigestArticle,
      ],
    };
    const compiled = await compileIssue(templates, view, brand);
    // The footer's address and unsubscribe link, in each part: nothing from the article.
    expect(compiled.html.slots).toEqual(['email', 'unsubscribeUrl']);
    expect(compiled.text.slots).toEqual(['email', 'unsubscribeUrl']);
    const body = personalize(compiled, recipient);
    for (const word of planted.split(' ')) expect(body.text).toContain(word); // (wrapped at 72)
    expect(body.html).toContain('@@DIGEST_SLOT_unsubscribeUrl@@ {{recipient.email}} DIGESTSLOT0123');
  });

  it('refuses a stored issue compiled with the old, forgeable markers', () => {
    const { format: _format, ...old } = seed;
    expect(() => deserializeCompiled(JSON.stringify(old))).toThrow(StaleCompiledIssueError);
  });
});

/** A copy of the real templates with one file changed. */
function withChange(file: string, change: (source: string) => string): TemplateSet {
  const copy: TemplateSet = structuredClone(templates);
  const all = [copy.layout, copy.text, ...Object.values(copy.partials)];
  const target = all.find((t) => t.file === file);
  if (!target) throw new Error(`no template ${file}`);
  const changed = change(target.source);
  expect(changed).not.toBe(target.source);
  target.source = changed;
  return copy;
}
const lineOf = (source: string, needle: string) => source.slice(0, source.indexOf(needle)).split('\n').length;

async function compileError(set: TemplateSet, view: DigestView = fixtureView): Promise<TemplateError> {
  const error = await compileIssue(set, view, brand).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TemplateError);
  return error as TemplateError;
}

describe('template errors name the file and line', () => {
  it('an illegal attribute inside a partial names the partial and its line', async () => {
    const set = withChange('partials/article.mjml', (s) =>
      s.replace(
        '<mj-text padding-top="12px">\n      <ul',
        '<mj-text padding-top="12px" colour="red">\n      <ul',
      ),
    );
    const error = await compileError(set);
    expect(error.file).toBe('partials/article.mjml');
    expect(error.line).toBe(lineOf(set.partials.article?.source ?? '', 'colour="red"'));
    expect(error.message).toMatch(
      /^template partials\/article\.mjml:\d+: MJML: <mj-text> Attribute colour is illegal/,
    );
  });

  it('an unknown tag in the footer partial names the footer', async () => {
    const set = withChange('partials/footer.mjml', (s) =>
      s.replace('<mj-column>', '<mj-colunm>').replace('</mj-column>', '</mj-colunm>'),
    );
    const error = await compileError(set);
    expect(error.file).toBe('partials/footer.mjml');
    expect(error.line).toBe(lineOf(set.partials.footer?.source ?? '', '<mj-colunm>'));
    expect(error.message).toContain('mj-colunm');
  });

  it('an error in the layout after the partials names the layout and its line', async () => {
    const set = withChange('digest.mjml', (s) =>
      s.replace('    {{> footer}}\n', '    {{> footer}}\n    <mj-text>loose</mj-text>\n'),
    );
    const error = await compileError(set);
    expect(error.file).toBe('digest.mjml');
    expect(error.line).toBe(lineOf(set.layout.source, '<mj-text>loose'));
  });

  it('a Handlebars syntax error in a partial names the partial', async () => {
    const set = withChange('partials/header.mjml', (s) => s.replace('{{/if}}', '{{/iff}}'));
    const error = await compileError(set);
    expect(error.file).toBe('partials/header.mjml');
    expect(error.message).toMatch(/iff/);
  });

  it('a field the view lacks (strict Handlebars) names the partial and line', async () => {
    const set = withChange('partials/article.mjml', (s) => s.replace('{{title}}</a>', '{{headline}}</a>'));
    const error = await compileError(set);
    expect(error.file).toBe('partials/article.mjml');
    expect(error.line).toBe(lineOf(set.partials.article?.source ?? '', '{{headline}}'));
    expect(error.message).toContain('"headline" not defined');
  });

  it('an error in the text template names it', async () => {
    const set = withChange('digest.txt.hbs', (s) =>
      s.replace('{{brand.postalAddress}}', '{{brand.postcode}}'),
    );
    const error = await compileError(set);
    expect(error.file).toBe('digest.txt.hbs');
    expect(error.message).toContain('postcode');
  });
});
