import { link, mkdir, readdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import {
  GetObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { TooLargeError } from '../core/errors.ts';
import type { BlobStore } from '../core/ports.ts';
import { readRegularFile, UnsafeFileError } from './safe-read.ts';

const safeKey = (key: string) => {
  if (key.split('/').some((part) => part === '..' || part === ''))
    throw new Error(`invalid storage key: ${key}`);
  return key;
};

/**
 * Creates `path` with `body` unless it exists: written whole to a temporary file first, then
 * hard-linked into place (link fails if the name is taken, atomically), so a crash never leaves a
 * half-written file and two writers cannot both create it.
 */
export async function writeNewFile(path: string, body: string | Uint8Array): Promise<boolean> {
  const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  await writeFile(tmp, body, { flag: 'wx' });
  try {
    await link(tmp, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    await unlink(tmp).catch(() => {});
  }
}

export class FsBlobStore implements BlobStore {
  constructor(private readonly root: string) {}

  async get(key: string, options: { maxBytes?: number } = {}) {
    const path = join(this.root, safeKey(key));
    if (options.maxBytes !== undefined) {
      try {
        return await readRegularFile(path, { maxBytes: options.maxBytes, what: key });
      } catch (error) {
        if (error instanceof UnsafeFileError && error.reason === 'no such file') return undefined;
        throw error;
      }
    }
    try {
      return await readFile(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  async put(key: string, body: string | Uint8Array) {
    const path = join(this.root, safeKey(key));
    await mkdir(dirname(path), { recursive: true });
    // Write then rename, so a crash never leaves a half-written file behind.
    const tmp = `${path}.${process.pid}.tmp`;
    await writeFile(tmp, body);
    await rename(tmp, path);
  }

  async putNew(key: string, body: string | Uint8Array) {
    const path = join(this.root, safeKey(key));
    await mkdir(dirname(path), { recursive: true });
    return writeNewFile(path, body);
  }

  async list(prefix: string) {
    const dir = join(this.root, prefix);
    try {
      const entries = await readdir(dir, { recursive: true, withFileTypes: true });
      return entries
        .filter((e) => e.isFile() && !e.name.endsWith('.tmp'))
        .map((e) => relative(this.root, join(e.parentPath, e.name)).split(sep).join('/'))
        .sort();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
  }
}

export class S3BlobStore implements BlobStore {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
  ) {}

  async get(key: string, options: { maxBytes?: number } = {}) {
    try {
      const { maxBytes } = options;
      // With a limit, one byte more than it is all that is fetched; the total is in Content-Range.
      const out = await this.s3.send(
        new GetObjectCommand({
          Bucket: this.bucket,
          Key: safeKey(key),
          ...(maxBytes !== undefined ? { Range: `bytes=0-${maxBytes}` } : {}),
        }),
      );
      if (maxBytes !== undefined) {
        const total = Number(/\/(\d+)$/.exec(out.ContentRange ?? '')?.[1] ?? out.ContentLength ?? 0);
        if (total > maxBytes) {
          await out.Body?.transformToByteArray(); // drain the ranged body: the socket is reused
          throw new TooLargeError(key, total, maxBytes);
        }
      }
      return out.Body ? await out.Body.transformToByteArray() : undefined;
    } catch (error) {
      if (error instanceof NoSuchKey) return undefined;
      // A ranged read of an empty object: it exists and holds nothing.
      if ((error as { name?: string }).name === 'InvalidRange') return new Uint8Array(0);
      throw error;
    }
  }

  async put(key: string, body: string | Uint8Array, contentType: string) {
    await this.s3.send(
      new PutObjectCommand({ Bucket: this.bucket, Key: safeKey(key), Body: body, ContentType: contentType }),
    );
  }

  async putNew(key: string, body: string | Uint8Array, contentType: string) {
    try {
      // S3 conditional write: refused (412) when an object with this key exists already.
      await this.s3.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: safeKey(key),
          Body: body,
          ContentType: contentType,
          IfNoneMatch: '*',
        }),
      );
      return true;
    } catch (error) {
      const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      // 409: another conditional write of the same key is under way; it wins.
      if (status === 412 || status === 409) return false;
      throw error;
    }
  }

  async list(prefix: string) {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const out = await this.s3.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken: token }),
      );
      keys.push(...(out.Contents ?? []).map((o) => o.Key ?? '').filter(Boolean));
      token = out.IsTruncated ? out.NextContinuationToken : undefined;
    } while (token);
    return keys.sort();
  }
}
