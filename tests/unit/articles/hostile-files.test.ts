import { execFileSync } from 'node:child_process';
import { link, mkdir, mkdtemp, readFile, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  articleFilesInDir,
  bucketArticles,
  readArticleArgument,
} from '../../../functions/adapters/article-files.ts';
import { FsBlobStore } from '../../../functions/adapters/blob-store.ts';
import { readRegularFile } from '../../../functions/adapters/safe-read.ts';
import { loadArticles } from '../../../functions/core/articles/load.ts';
import { MAX_ARTICLE_BYTES, parseArticle } from '../../../functions/core/articles/parse.ts';
import { ArticleError } from '../../../functions/core/errors.ts';

/**
 * Files an operator can be tricked into adding to the articles folder, read the way the send path
 * reads them: each is skipped with its reason, nothing else is read, and the good article still
 * goes out.
 */
const GOOD = 'The council approved the harbour budget on Tuesday after a long debate.';
const SECRET = 'k1:THIS-IS-THE-HMAC-SECRET-0123456789abcdef';

async function hostileFolder() {
  const root = await mkdtemp(join(tmpdir(), 'hostile-'));
  const seeds = join(root, 'seeds');
  await mkdir(seeds);
  await mkdir(join(root, 'data'));
  await writeFile(join(root, 'data', 'token-secret'), SECRET);
  await writeFile(join(seeds, '01-good.txt'), GOOD);
  await symlink(join(root, 'data', 'token-secret'), join(seeds, '02-secret.txt'));
  await symlink('../data/token-secret', join(seeds, '03-secret-relative.txt'));
  await symlink('/etc/passwd', join(seeds, '04-passwd.txt'));
  await symlink(join(root, 'data'), join(seeds, '05-folder-link.md'));
  await link(join(root, 'data', 'token-secret'), join(seeds, '06-hard-link.txt'));
  execFileSync('mkfifo', [join(seeds, '07-pipe.txt')]);
  await writeFile(join(seeds, '08-huge.txt'), 'word '.repeat(Math.ceil((3 * 1024 * 1024) / 5)));
  return { root, seeds };
}

describe('the articles folder reads regular files inside it only', () => {
  it('skips symbolic links, hard links, pipes and oversized files, each with its reason', async () => {
    const { seeds } = await hostileFolder();
    const loaded = await loadArticles(await articleFilesInDir(seeds));
    expect(loaded.articles.map((a) => a.file)).toEqual(['01-good.txt']);
    const reasons = Object.fromEntries(loaded.skipped.map((s) => [s.file, s.reason]));
    expect(reasons).toEqual({
      '02-secret.txt': expect.stringMatching(/symbolic link/),
      '03-secret-relative.txt': expect.stringMatching(/symbolic link/),
      '04-passwd.txt': expect.stringMatching(/symbolic link/),
      '05-folder-link.md': expect.stringMatching(/symbolic link/),
      '06-hard-link.txt': expect.stringMatching(/2 hard links/),
      '07-pipe.txt': expect.stringMatching(/named pipe, not a regular file/),
      '08-huge.txt': expect.stringMatching(/too large: the article is 3 MiB, over the 1 MiB limit/),
    });
    const everything = JSON.stringify(loaded);
    expect(everything).not.toContain('THIS-IS-THE-HMAC-SECRET');
    expect(everything).not.toContain('root:x:0:0');
  });

  it('refuses a file whose real path lies outside the folder it must be in', async () => {
    const { root, seeds } = await hostileFolder();
    await expect(
      readRegularFile(join(root, 'data', 'token-secret'), { maxBytes: 1024, within: seeds }),
    ).rejects.toThrow(/real path lies outside the articles folder/);
  });

  it('reads a file that grows past the limit only up to the limit', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bounded-'));
    await writeFile(join(dir, 'a.txt'), 'x'.repeat(100));
    await expect(readRegularFile(join(dir, 'a.txt'), { maxBytes: 99, what: 'a.txt' })).rejects.toThrow(
      /a\.txt is 100 bytes, over the 99 bytes limit/,
    );
    expect((await readRegularFile(join(dir, 'a.txt'), { maxBytes: 100 })).length).toBe(100);
  });
});

describe('an article named on the command line', () => {
  it('refuses /dev/zero before reading a byte', async () => {
    const error = await readArticleArgument('/dev/zero').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ArticleError);
    expect((error as Error).message).toBe(
      '/dev/zero: cannot read: is a character device, not a regular file',
    );
  });

  it('refuses a 3 MB file by its size and the limit', async () => {
    const { seeds } = await hostileFolder();
    await expect(readArticleArgument(join(seeds, '08-huge.txt'))).rejects.toThrow(
      /08-huge\.txt: too large: the article is 3 MiB, over the 1 MiB limit/,
    );
  });

  it('follows a symbolic link the operator chose, to a regular file only', async () => {
    const { root } = await hostileFolder();
    await symlink('/dev/zero', join(root, 'zero.txt'));
    await expect(readArticleArgument(join(root, 'zero.txt'))).rejects.toThrow(/character device/);
    await symlink(join(root, 'seeds', '01-good.txt'), join(root, 'good.txt'));
    expect(Buffer.from(await readArticleArgument(join(root, 'good.txt'))).toString()).toBe(GOOD);
  });
});

describe('the articles bucket reads at most the limit', () => {
  it('refuses an oversized object by its size', async () => {
    const root = await mkdtemp(join(tmpdir(), 'bucket-'));
    const blobs = new FsBlobStore(root);
    await blobs.put('articles/big.txt', 'y'.repeat(MAX_ARTICLE_BYTES + 1));
    await blobs.put('articles/ok.txt', GOOD);
    const loaded = await loadArticles(await bucketArticles(blobs, 'test').list());
    expect(loaded.articles.map((a) => a.file)).toEqual(['ok.txt']);
    expect(loaded.skipped).toEqual([
      {
        file: 'big.txt',
        reason: 'too large: articles/big.txt is 1048577 bytes, over the 1048576-byte (1 MiB) limit',
      },
    ]);
  });
});

describe('front matter is bounded', () => {
  const bytes = (s: string) => new TextEncoder().encode(s);

  it('refuses a YAML alias bomb by name, before expanding it', () => {
    const bomb = [
      '---',
      'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
      'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]',
      'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]',
      'd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]',
      'e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]',
      'f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]',
      'title: *f',
      '---',
      'Body text of the article.',
    ].join('\n');
    expect(() => parseArticle('bomb.md', bytes(bomb))).toThrow(
      'bomb.md:2: broken front matter: aliases (*name) are not allowed in front matter',
    );
  });

  it('refuses front matter over 16 KiB and an article over 1 MiB, with sizes', () => {
    const long = `---\ntitle: ${'t'.repeat(17 * 1024)}\n---\nBody text.`;
    expect(() => parseArticle('long.md', bytes(long))).toThrow(
      /long\.md:1: front matter is 17 KiB, over the 16 KiB limit/,
    );
    const huge = new Uint8Array(MAX_ARTICLE_BYTES + 1).fill(0x61);
    expect(() => parseArticle('huge.txt', huge)).toThrow(
      /huge\.txt: too large: the article is 1048577 bytes, over the 1048576-byte \(1 MiB\) limit/,
    );
  });

  it('refuses duplicate keys (the second title would silently win)', () => {
    expect(() => parseArticle('twice.md', bytes('---\ntitle: A\ntitle: B\n---\nBody text.'))).toThrow(
      /broken front matter/,
    );
  });
});

describe('front-matter links: http and https only', () => {
  const withUrl = (url: string) =>
    parseArticle(
      'story.md',
      new TextEncoder().encode(`---\ntitle: Story\nurl: "${url}"\n---\nBody of the story.`),
    );

  it.each([
    'javascript:alert(document.cookie)',
    'JavaScript:alert(1)',
    'data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==',
    'vbscript:msgbox(1)',
    'file:///etc/passwd',
    'ftp://files.example/story',
  ])('drops %j with a warning naming the file; the article stays', (url) => {
    const article = withUrl(url);
    expect(article.url).toBeUndefined();
    expect(article.title).toBe('Story');
    expect(article.warnings).toEqual([
      expect.stringMatching(/^url ".*" dropped: only http and https links are kept/),
    ]);
  });

  it.each(['https://news.example/story', 'http://news.example/story?id=1'])('keeps %j', (url) => {
    const article = withUrl(url);
    expect(article.url).toBe(url);
    expect(article.warnings).toBeUndefined();
  });

  it('the loader reports the warning with the file name', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'links-'));
    await writeFile(
      join(dir, 'js.md'),
      '---\ntitle: Story\nurl: javascript:alert(1)\n---\nBody of the story.',
    );
    const loaded = await loadArticles(await articleFilesInDir(dir));
    expect(loaded.articles[0]?.url).toBeUndefined();
    expect(loaded.warnings).toEqual([
      { file: 'js.md', message: expect.stringMatching(/javascript:alert\(1\)" dropped/) },
    ]);
    expect(await readFile(join(dir, 'js.md'), 'utf8')).toContain('javascript:'); // the file itself is left as it was
  });
});
