import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** The built server, as `npm start` runs it. */
export const SERVER_MAIN = resolve(__dirname, '../../dist/main.js');

export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/**
 * The built server (dist/main.js, as `npm start` runs it) in its own process, with only the given
 * environment, in an empty working directory so no developer's .env or data leaks in.
 */
export class ServerProcess {
  output = '';
  baseUrl = '';
  readonly exited: Promise<Exit>;
  readonly cwd: string;
  private readonly child: ChildProcess;

  constructor(
    env: Record<string, string>,
    cwd?: string,
    /** Node flags before the script, e.g. those of `npm start`. */
    nodeArgs: string[] = [],
  ) {
    this.cwd = cwd ?? mkdtempSync(join(tmpdir(), 'camfeed-run-'));
    this.child = spawn(process.execPath, [...nodeArgs, SERVER_MAIN], {
      cwd: this.cwd,
      env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: '0', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    this.child.stderr?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    this.exited = new Promise((resolve) =>
      this.child.once('exit', (code, signal) => resolve({ code, signal })),
    );
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  /** Resolves with the base URL once the server logs that it listens; rejects if it exits first. */
  async listening(timeoutMs = 15_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const match = /listening on (https?):\/\/([\d.]+):(\d+) \(/.exec(this.output);
      if (match) {
        this.baseUrl = `${match[1]}://${match[2]}:${match[3]}`;
        return this.baseUrl;
      }
      if (this.child.exitCode !== null || this.child.signalCode !== null) {
        throw new Error(`server exited before listening:\n${this.output}`);
      }
      if (Date.now() > deadline) throw new Error(`server did not listen in time:\n${this.output}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  signal(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  /** Kills the server if it still runs (for afterAll): no orphans left behind by a failed test. */
  async stop(): Promise<Exit> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    return this.exited;
  }
}

/** A TCP port that was free a moment ago, for a server whose log will not say where it listens. */
export async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** The node flags of `npm start` (package.json), so a test runs the server exactly as users do. */
export function npmStartNodeFlags(): string[] {
  const pkg = JSON.parse(readFileSync(resolve(__dirname, '../../package.json'), 'utf8')) as {
    scripts: { start: string };
  };
  return pkg.scripts.start.split(/\s+/).filter((part) => part.startsWith('--'));
}
