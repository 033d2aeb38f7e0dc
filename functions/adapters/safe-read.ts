import { constants, type FileHandle, open, realpath, stat } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { DigestError, TooLargeError } from '../core/errors.ts';

/**
 * Reading a file that someone else may have put there (the articles folder, a path on the command
 * line) without being tricked into reading something else or reading forever:
 * - only a regular file: a FIFO, a device (`/dev/zero`), a socket or a folder is refused before a
 *   byte is read;
 * - at most `maxBytes`: the size is checked on the open descriptor, and the read stops at the limit
 *   even if the file grows meanwhile;
 * - with `within` (a folder's real path): the last component must not be a symbolic link
 *   (`O_NOFOLLOW`), the file's real path must lie inside the folder, it must be the very file that
 *   was opened (device and inode compared, so a swap between the check and the read is caught),
 *   and it must have no other hard link (another name for, say, the token secret).
 * The checks are on the descriptor that is then read: nothing is opened twice.
 */
export class UnsafeFileError extends DigestError {
  override name = 'UnsafeFileError';
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`${path}: ${reason}`);
  }
}

export interface SafeReadOptions {
  maxBytes: number;
  /** What the file is, for the size message ("the article"). */
  what?: string;
  /** The real path (see `realFolder`) of the folder the file must lie in; symlinks are then refused. */
  within?: string;
}

/** The real path of a folder, to pass as `within` (resolved once per listing). */
export const realFolder = (dir: string): Promise<string> => realpath(dir);

const KIND = (s: Awaited<ReturnType<FileHandle['stat']>>) =>
  s.isDirectory()
    ? 'is a folder, not a file'
    : s.isFIFO()
      ? 'is a named pipe, not a regular file'
      : s.isCharacterDevice()
        ? 'is a character device, not a regular file'
        : s.isBlockDevice()
          ? 'is a block device, not a regular file'
          : s.isSocket()
            ? 'is a socket, not a regular file'
            : 'is not a regular file';

function openProblem(error: NodeJS.ErrnoException, within: boolean): string {
  switch (error.code) {
    case 'ENOENT':
      return 'no such file';
    case 'ELOOP':
    case 'EMLINK':
      return within
        ? 'is a symbolic link: articles are read only from regular files in the folder'
        : 'is a symbolic link loop';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a folder, not a file';
    default:
      return `cannot open (${error.code ?? error.message})`;
  }
}

/** Reads a file under the rules above; throws UnsafeFileError or TooLargeError naming the path. */
export async function readRegularFile(path: string, options: SafeReadOptions): Promise<Uint8Array> {
  const within = options.within;
  // O_NONBLOCK: opening a FIFO must not wait for a writer (it is refused just after, by fstat).
  const flags = constants.O_RDONLY | constants.O_NONBLOCK | (within ? (constants.O_NOFOLLOW ?? 0) : 0);
  let handle: FileHandle;
  try {
    handle = await open(path, flags);
  } catch (error) {
    throw new UnsafeFileError(path, openProblem(error as NodeJS.ErrnoException, within !== undefined));
  }
  try {
    const st = await handle.stat();
    if (!st.isFile()) throw new UnsafeFileError(path, KIND(st));
    if (within) {
      const real = await realpath(path);
      if (!real.startsWith(within + sep)) {
        throw new UnsafeFileError(path, 'its real path lies outside the articles folder');
      }
      const now = await stat(real);
      if (now.dev !== st.dev || now.ino !== st.ino) {
        throw new UnsafeFileError(path, 'was replaced while being opened');
      }
      if (st.nlink > 1) {
        throw new UnsafeFileError(
          path,
          `has ${st.nlink} hard links: it may be another file's content under a new name`,
        );
      }
    }
    const what = options.what ?? path;
    if (st.size > options.maxBytes) throw new TooLargeError(what, st.size, options.maxBytes);
    // One byte more than the limit tells a file that grew since fstat from one that fits.
    const buffer = Buffer.alloc(Math.min(st.size, options.maxBytes) + 1);
    let filled = 0;
    while (filled < buffer.length) {
      const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    if (filled > options.maxBytes) throw new TooLargeError(what, undefined, options.maxBytes);
    if (filled > st.size) throw new UnsafeFileError(path, 'grew while being read');
    return buffer.subarray(0, filled);
  } finally {
    await handle.close();
  }
}

/** `join`, for a name read from a folder listing (one component: no separators, no `..`). */
export function childPath(dir: string, name: string): string | undefined {
  if (name === '' || name === '.' || name === '..' || name.includes('/') || name.includes('\\'))
    return undefined;
  return join(dir, name);
}
