import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { MAX_ARTICLE_BYTES } from '../core/articles/parse.ts';
import { ArticleError, DigestError, TooLargeError } from '../core/errors.ts';
import type { ArticleFile, ArticleStore, BlobStore } from '../core/ports.ts';
import { writeNewFile } from './blob-store.ts';
import { childPath, readRegularFile, realFolder, UnsafeFileError } from './safe-read.ts';

/** A refused read as the article's own error: the reason without the path (the name says which). */
function asArticleError(name: string, error: unknown): unknown {
  if (error instanceof UnsafeFileError)
    return new ArticleError(name, error.reason, undefined, { cause: error });
  if (error instanceof TooLargeError) {
    return new ArticleError(name, `too large: ${error.message}`, undefined, { cause: error });
  }
  return error;
}

/**
 * Article files in a local folder (`seeds/`). A missing folder is an error that names it. Each file
 * is read only if it is a regular file whose real path lies inside the folder, at most
 * MAX_ARTICLE_BYTES (see safe-read.ts): a symbolic link to the token secret or to /etc/passwd is
 * listed, and skipped with its reason like any unreadable file.
 */
export async function articleFilesInDir(dir: string): Promise<ArticleFile[]> {
  let names: string[];
  let real: string;
  try {
    real = await realFolder(dir);
    names = await readdir(real);
  } catch (error) {
    throw new DigestError(`cannot read the articles folder ${dir}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return names.map((name) => ({
    name,
    read: async () => {
      const path = childPath(real, name);
      if (!path) throw new ArticleError(name, 'not a file name');
      try {
        return await readRegularFile(path, {
          maxBytes: MAX_ARTICLE_BYTES,
          what: 'the article',
          within: real,
        });
      } catch (error) {
        throw asArticleError(name, error);
      }
    },
  }));
}

/**
 * One article file named on the command line (`digest summarize FILE`, `digest articles add FILE`).
 * The operator chose the path, so a symbolic link is followed, but what it reaches must be a
 * regular file of at most MAX_ARTICLE_BYTES (`/dev/zero` is refused before a byte is read).
 */
export async function readArticleArgument(path: string): Promise<Uint8Array> {
  try {
    return await readRegularFile(path, { maxBytes: MAX_ARTICLE_BYTES, what: 'the article' });
  } catch (error) {
    if (error instanceof UnsafeFileError) {
      throw new ArticleError(path, `cannot read: ${error.reason}`, undefined, { cause: error });
    }
    throw asArticleError(path, error);
  }
}

export const ARTICLES_PREFIX = 'articles/';

/** Article files in the articles bucket (on AWS, seeded from `seeds/` at deploy). */
export async function articleFilesInStore(store: BlobStore): Promise<ArticleFile[]> {
  const keys = await store.list(ARTICLES_PREFIX);
  return keys.map((key) => ({
    name: key.slice(ARTICLES_PREFIX.length),
    read: async () => {
      const name = key.slice(ARTICLES_PREFIX.length);
      try {
        const body = await store.get(key, { maxBytes: MAX_ARTICLE_BYTES });
        if (!body) throw new ArticleError(name, 'disappeared from the bucket while being read');
        return body;
      } catch (error) {
        throw asArticleError(name, error);
      }
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
      // Never overwrites a file with the same name, and never leaves a half-written one.
      return writeNewFile(join(dir, name), bytes);
    },
  };
}

/** The articles bucket's `articles/` prefix (on AWS). */
export function bucketArticles(blobs: BlobStore, where: string): ArticleStore {
  return {
    where,
    list: () => articleFilesInStore(blobs),
    async addNew(name, bytes) {
      return blobs.putNew(
        `${ARTICLES_PREFIX}${name}`,
        bytes,
        name.endsWith('.md') ? 'text/markdown; charset=utf-8' : 'text/plain; charset=utf-8',
      );
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
