import { constants } from 'node:fs';
import { lstat, mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

let sequence = 0;

/**
 * Creates `folder` and its missing parents. Not `mkdir({recursive: true})`: in a place where
 * nothing can be created (under /proc) it retries ENOENT forever in libuv's thread pool.
 */
export async function makeFolder(folder: string, depth = 0): Promise<void> {
  try {
    await mkdir(folder);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') {
      if (!(await lstat(folder)).isDirectory())
        throw Object.assign(new Error(`${folder} is not a folder`), { code: 'ENOTDIR' });
      return;
    }
    const parent = dirname(folder);
    if (code !== 'ENOENT' || parent === folder || depth > 32) throw error;
    await makeFolder(parent, depth + 1);
    // Once only: if it is still missing, nothing can be created here.
    await mkdir(folder).catch((again: NodeJS.ErrnoException) => {
      if (again.code !== 'EEXIST') throw again;
    });
  }
}

/**
 * Replaces `path` with `data` so that a crash or power cut at any moment leaves either the old
 * file or the new one, never a mix: write a temporary file beside it, flush it to disk, rename it
 * over the target (atomic on POSIX file systems), then flush the directory so the rename itself
 * survives a power cut.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const folder = dirname(path);
  await makeFolder(folder);
  sequence += 1;
  const temporary = join(folder, `.${basename(path)}.${process.pid}.${sequence}.tmp`);
  try {
    // O_EXCL: never write through a link or a FIFO someone put in place of the temporary file.
    const file = await open(
      temporary,
      constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL,
      0o644,
    );
    try {
      await file.writeFile(data);
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
  const directory = await open(folder, 'r');
  try {
    await directory.sync();
  } finally {
    await directory.close();
  }
}

/** Settings files are a few hundred bytes; anything this large is not ours. */
const MAX_READ_BYTES = 1024 * 1024;

/**
 * Reads a small regular file, refusing anything else. A FIFO would block the read until someone
 * writes to it, and a device or /proc file could be endless: both are refused before reading.
 */
export async function readSmallFile(path: string): Promise<string> {
  const info = await stat(path);
  if (!info.isFile()) throw Object.assign(new Error('not a regular file'), { code: 'ENOTREGULAR' });
  if (info.size > MAX_READ_BYTES)
    throw Object.assign(new Error(`larger than ${MAX_READ_BYTES} bytes`), { code: 'EFBIG' });
  // O_NONBLOCK: should the file have been swapped for a FIFO since the check, open still returns.
  const file = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    return await file.readFile('utf8');
  } finally {
    await file.close();
  }
}
