import { type ChildProcessByStdio, spawn } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { type Redact, redactUrls } from '../common/redact-secrets';
import { closingInheritedFds } from './close-inherited-fds';
import { type LineLogger, StderrLog } from './stderr-log';

export interface CaptureProcessOptions {
  readonly command: string;
  readonly args: readonly string[];
  /** Aborting stops the process: SIGTERM, then SIGKILL after killTimeoutMs. */
  readonly signal: AbortSignal;
  /** Short name for logs and errors, e.g. "ffmpeg". */
  readonly name: string;
  readonly logger: LineLogger;
  /**
   * Masks credentials in what is logged and thrown: the process prints its arguments, such as an
   * RTSP URL with a password. URLs' userinfo is masked even without it.
   */
  readonly redact?: Redact;
  readonly killTimeoutMs?: number;
  /**
   * Gives the process a stdin pipe and hands it over once spawned: an encoder fed with frames.
   * Write errors (the process exited) are swallowed here; the exit itself is what is reported.
   */
  readonly input?: (stdin: Writable) => void;
  /**
   * Gives the process a second output pipe, on file descriptor 3, and hands it over once spawned:
   * another format of the same capture. It must be read continuously, or the process blocks on
   * it; it is destroyed with the process.
   */
  readonly sideOutput?: (pipe: Readable) => void;
}

type Child = ChildProcessByStdio<Writable | null, Readable, Readable>;

interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly error?: Error;
}

/** The log line a camera process uses to say why it failed, if any. */
function explain(lines: string[]): string {
  return lines.length > 0 ? `: ${lines.slice(-2).join(' / ')}` : '';
}

/**
 * Runs a capture process (ffmpeg, rpicam-vid) and yields its stdout until it exits or `signal`
 * aborts. Its stderr is always drained (a full stderr pipe would block it) into a rate-limited
 * log. However the iteration ends, the process is stopped (SIGTERM, then SIGKILL) and reaped
 * before this generator returns, so it never leaves an orphan or a zombie. An unexpected exit is
 * thrown as an error that says why, such as a missing binary or device, for `lastError`.
 */
export async function* captureProcessOutput(
  options: CaptureProcessOptions,
): AsyncGenerator<Buffer> {
  const { command, args, signal, name, logger, killTimeoutMs = 2000 } = options;
  const redact = options.redact ?? redactUrls;
  if (signal.aborted) return;
  const stderr = new StderrLog(name, logger, { redact });
  const stdio = [
    options.input === undefined ? 'ignore' : 'pipe',
    'pipe',
    'pipe',
    ...(options.sideOutput === undefined ? [] : ['pipe' as const]),
  ] as const;
  // Descriptors past the ones given here are closed in the child (see closingInheritedFds).
  const spawned = closingInheritedFds(command, args, stdio.length);
  const child = spawn(spawned.command, spawned.args, {
    stdio: [...stdio],
  }) as Child;
  if (child.stdin !== null) {
    child.stdin.on('error', () => undefined);
    options.input?.(child.stdin);
  }
  const side = options.sideOutput === undefined ? undefined : (child.stdio[3] as Readable | null);
  if (side !== undefined && side !== null) {
    // Its reader sees the end; an error on it is the process's exit, reported below.
    side.on('error', () => undefined);
    options.sideOutput?.(side);
  }
  const exited = new Promise<Exit>((resolve) => {
    child.once('error', (error) => resolve({ code: null, signal: null, error }));
    child.once('close', (code, exitSignal) => resolve({ code, signal: exitSignal }));
  });
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (text: string) => stderr.write(text));

  const running = (): boolean => child.exitCode === null && child.signalCode === null;
  let stopping: Promise<void> | undefined;
  const stop = async (): Promise<void> => {
    stopping ??= (async () => {
      if (child.pid === undefined || !running()) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => {
        if (running()) child.kill('SIGKILL');
      }, killTimeoutMs);
      await exited;
      clearTimeout(timer);
    })();
    return stopping;
  };
  const onAbort = (): void => void stop();
  signal.addEventListener('abort', onAbort, { once: true });

  try {
    for await (const chunk of child.stdout) {
      yield chunk as Buffer;
    }
    const exit = await exited;
    stderr.flush();
    if (signal.aborted) return;
    if (exit.error !== undefined) {
      const code = (exit.error as NodeJS.ErrnoException).code;
      // Not as the cause: a spawn error carries the arguments (spawnargs), password included.
      throw new Error(
        redact(
          code === 'ENOENT'
            ? `${name} not found: ${command} does not exist`
            : `${name} could not be started: ${exit.error.message}`,
        ),
      );
    }
    const how =
      exit.signal !== null ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
    throw new Error(`${name} ${how}${explain(stderr.lastLines())}`);
  } finally {
    signal.removeEventListener('abort', onAbort);
    await stop();
    child.stdin?.destroy();
    side?.destroy();
    child.stdout.destroy();
    child.stderr.destroy();
  }
}
