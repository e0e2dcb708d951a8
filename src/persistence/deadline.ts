/** A file operation that did not finish in time (a FIFO, a hung network mount). */
export class DeadlineError extends Error {
  readonly code = 'ETIMEDOUT';

  constructor(what: string, ms: number) {
    super(`${what} did not finish within ${ms / 1000} s`);
    this.name = 'DeadlineError';
  }
}

/**
 * Settles with `operation`, or rejects after `ms`. The operation itself may go on (a blocked
 * system call cannot be cancelled), but nothing waiting for it waits forever.
 */
export async function withDeadline<T>(operation: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new DeadlineError(what, ms)), ms);
    timer.unref();
  });
  try {
    return await Promise.race([operation, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** What went wrong with a file, without the path: error answers must not reveal the machine's paths. */
export function describeFileError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  const known: Record<string, string> = {
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    ENOENT: 'the folder does not exist and cannot be created',
    ENOSPC: 'no space left on the device',
    EROFS: 'the file system is read-only',
    EMFILE: 'too many open files',
    ENFILE: 'too many open files in the system',
    EISDIR: 'a folder is in the way',
    ENOTDIR: 'a file is in the way of the folder',
    EIO: 'input/output error',
    ETIMEDOUT: 'the storage did not answer in time',
    EDQUOT: 'disk quota exceeded',
  };
  if (code !== undefined && known[code] !== undefined) return `${known[code]} (${code})`;
  return code !== undefined ? `file system error ${code}` : 'file system error';
}
