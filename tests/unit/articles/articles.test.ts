import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { articleFilesInDir } from '../../../functions/adapters/article-files.ts';
import { loadArticles } from '../../../functions/core/articles/load.ts';
import { hashText, parseArticle } from '../../../functions/core/articles/parse.ts';
import { ArticleError } from '../../../functions/core/errors.ts';

const bytes = (s: string) => new TextEncoder().encode(s);
const errorOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return error as ArticleError;
  }
  throw new Error('expected an error');
};

describe('parseArticle', () => {
  it('reads front matter and body', () => {
    const a = parseArticle(
      'a.md',
      bytes(
        '---\ntitle: Talks resume\nurl: https://news.example/a\nsource: Wire\npublished: 2026-11-02\n---\n\nBody text here.\n',
      ),
    );
    expect(a).toMatchObject({
      title: 'Talks resume',
      url: 'https://news.example/a',
      source: 'Wire',
      published: '2026-11-02',
      body: 'Body text here.',
    });
    expect(a.hash).toBe(hashText('Body text here.'));
  });

  it('treats text without front matter as the body', () => {
    expect(parseArticle('a.txt', bytes('Just text.')).title).toBeUndefined();
  });

  it.each([
    ['empty file', new Uint8Array(), /a\.txt: empty file/],
    ['whitespace only', bytes('  \n\t\n'), /no article text/],
    ['binary', new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 0, 1]), /binary file/],
    ['invalid UTF-8', new Uint8Array([0x41, 0xff, 0xfe, 0x42]), /not valid UTF-8/],
    ['unclosed front matter', bytes('---\ntitle: x\nbody'), /a\.txt:1: front matter opened/],
    ['broken YAML', bytes('---\ntitle: [oops\n---\nbody'), /a\.txt:2: broken front matter/],
    ['bad url', bytes('---\ntitle: x\nurl: not a url\n---\nbody'), /a\.txt:3: bad front matter: url/],
    ['unknown key', bytes('---\ntitel: x\n---\nbody'), /a\.txt:2: bad front matter: .*titel/],
  ])('rejects %s with a message naming the file', (_name, input, message) => {
    const error = errorOf(() => parseArticle('a.txt', input));
    expect(error).toBeInstanceOf(ArticleError);
    expect(error.message).toMatch(message);
  });
});

describe('loadArticles', () => {
  it('skips bad files by name, keeps going, and counts duplicates once', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'articles-'));
    await writeFile(join(dir, '01-good.txt'), 'The council approved the budget on Tuesday.');
    await writeFile(join(dir, '02-empty.txt'), '');
    await writeFile(join(dir, '03-binary.md'), new Uint8Array([0, 1, 2, 3]));
    await writeFile(join(dir, '04-copy.txt'), 'The  council approved the budget on Tuesday.\n');
    await writeFile(join(dir, '05-same-url-a.md'), '---\nurl: https://x.example/story\n---\nFirst version.');
    await writeFile(
      join(dir, '06-same-url-b.md'),
      '---\nurl: https://x.example/story/\n---\nSecond version.',
    );
    await writeFile(join(dir, 'notes.pdf'), 'ignored: not an article extension');
    await mkdir(join(dir, '07-folder.txt')); // unreadable as a file
    const loaded = await loadArticles(await articleFilesInDir(dir));
    expect(loaded.articles.map((a) => a.file)).toEqual(['01-good.txt', '05-same-url-a.md']);
    expect(loaded.skipped.map((s) => s.file)).toEqual(['02-empty.txt', '03-binary.md', '07-folder.txt']);
    expect(loaded.skipped[2]?.reason).toMatch(/is a folder, not a file/);
    expect(loaded.duplicates).toEqual([
      { file: '04-copy.txt', sameAs: '01-good.txt' },
      { file: '06-same-url-b.md', sameAs: '05-same-url-a.md' },
    ]);
  });

  it('names a missing articles folder', async () => {
    await expect(articleFilesInDir('/nonexistent/seeds')).rejects.toThrow(/\/nonexistent\/seeds/);
  });
});
