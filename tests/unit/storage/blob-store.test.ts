import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { folderArticles } from '../../../functions/adapters/article-files.ts';
import { FsBlobStore } from '../../../functions/adapters/blob-store.ts';
import type { BlobStore } from '../../../functions/core/ports.ts';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'digest-blobs-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('creating a document only if it is new', () => {
  it('the first write wins; a second leaves the first untouched', async () => {
    const blobs: BlobStore = new FsBlobStore(root);
    expect(await blobs.putNew('articles/a.md', 'first', 'text/markdown')).toBe(true);
    expect(await blobs.putNew('articles/a.md', 'second', 'text/markdown')).toBe(false);
    expect(Buffer.from((await blobs.get('articles/a.md')) ?? []).toString()).toBe('first');
    expect(await blobs.list('articles/')).toEqual(['articles/a.md']);
  });

  it('of twenty writers racing for one name, exactly one wins and no temporary file is left', async () => {
    const blobs: BlobStore = new FsBlobStore(root);
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => blobs.putNew('articles/race.md', `writer ${i}`, 'text/markdown')),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    const winner = results.indexOf(true);
    expect(await readFile(join(root, 'articles', 'race.md'), 'utf8')).toBe(`writer ${winner}`);
    expect(await readdir(join(root, 'articles'))).toEqual(['race.md']);
  });

  it('the articles folder adds a new file once, and never replaces one with the same name', async () => {
    const dir = join(root, 'seeds');
    const store = folderArticles(dir);
    const racing = await Promise.all([
      store.addNew('story.md', new TextEncoder().encode('one')),
      store.addNew('story.md', new TextEncoder().encode('two')),
    ]);
    expect(racing.filter(Boolean)).toHaveLength(1);
    expect(await readdir(dir)).toEqual(['story.md']);
    expect(await store.addNew('story.md', new TextEncoder().encode('three'))).toBe(false);
    expect(['one', 'two']).toContain(await readFile(join(dir, 'story.md'), 'utf8'));
  });
});
