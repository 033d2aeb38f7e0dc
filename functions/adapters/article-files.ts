import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DigestError } from '../core/errors.ts';
import type { ArticleFile, ArticleStore, BlobStore } from '../core/ports.ts';

/** Article files in a local folder (`seeds/`). A missing folder is an error that names it. */
export async function articleFilesInDir(dir: string): Promise<ArticleFile[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    throw new DigestError(`cannot read the articles folder ${dir}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return names.map((name) => ({ name, read: () => readFile(join(dir, name)) }));
}

export const ARTICLES_PREFIX = 'articles/';

/** Article files in the articles bucket (on AWS, seeded from `seeds/` at deploy). */
export async function articleFilesInStore(store: BlobStore): Promise<ArticleFile[]> {
  const keys = await store.list(ARTICLES_PREFIX);
  return keys.map((key) => ({
    name: key.slice(ARTICLES_PREFIX.length),
    read: async () => {
      const body = await store.get(key);
      if (!body) throw new Error(`article ${key} disappeared`);
      return body;
    },
  }));
}

/** The articles folder (`DIGEST_SEEDS_DIR`); a folder that does not exist yet holds no articles. */
export function folderArticles(dir: string): ArticleStore {
  return {
    where: dir,
    async list() {
      try {
        return await articleFilesInDir(dir);
      } catch (error) {
        if ((error as { cause?: NodeJS.ErrnoException }).cause?.code === 'ENOENT') return [];
        throw error;
      }
    },
    async addNew(name, bytes) {
      await mkdir(dir, { recursive: true });
      try {
        // 'wx': fails if the file exists, so a file with the same name is never overwritten.
        await writeFile(join(dir, name), bytes, { flag: 'wx' });
        return true;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
        throw error;
      }
    },
  };
}

/** The articles bucket's `articles/` prefix (on AWS). */
export function bucketArticles(blobs: BlobStore, where: string): ArticleStore {
  return {
    where,
    list: () => articleFilesInStore(blobs),
    async addNew(name, bytes) {
      const key = `${ARTICLES_PREFIX}${name}`;
      if (await blobs.get(key)) return false;
      await blobs.put(
        key,
        bytes,
        name.endsWith('.md') ? 'text/markdown; charset=utf-8' : 'text/plain; charset=utf-8',
      );
      return true;
    },
  };
}

/**
 * Two article stores read as one (locally: the hand-written seeds beside the fetched articles);
 * new files go to the first.
 */
export function sideBySide(primary: ArticleStore, other: ArticleStore): ArticleStore {
  return {
    where: primary.where,
    async list() {
      const [a, b] = await Promise.all([primary.list(), other.list()]);
      return [...a, ...b];
    },
    addNew: (name, bytes) => primary.addNew(name, bytes),
  };
}
