import { mkdir, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

let sequence = 0;

/**
 * Replaces `path` with `data` so that a crash or power cut at any moment leaves either the old
 * file or the new one, never a mix: write a temporary file beside it, flush it to disk, rename it
 * over the target (atomic on POSIX file systems), then flush the directory so the rename itself
 * survives a power cut.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const folder = dirname(path);
  await mkdir(folder, { recursive: true });
  sequence += 1;
  const temporary = join(folder, `.${basename(path)}.${process.pid}.${sequence}.tmp`);
  try {
    const file = await open(temporary, 'w', 0o644);
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
