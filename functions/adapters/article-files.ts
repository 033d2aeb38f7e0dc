import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DigestError } from '../core/errors.ts';
import type { ArticleFile, BlobStore } from '../core/ports.ts';

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
