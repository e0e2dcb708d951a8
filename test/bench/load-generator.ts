/*
 * Many stream viewers at once, spread over load-worker processes so that the load generator
 * does not share one event loop (or one core) with whatever drives it: the benchmark or a jest
 * load test.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { resolve } from 'node:path';
import type { WorkerCommand, WorkerReport, WorkerStatus } from './load-worker';

const sleep = async (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, ms));

class Worker {
  private readonly child: ChildProcess;
  private queue: Array<(value: unknown) => void> = [];

  constructor() {
    this.child = fork(resolve(__dirname, 'load-worker.ts'), [], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.child.on('message', (message) => {
      const [next, ...rest] = this.queue;
      this.queue = rest;
      next?.(message);
    });
    this.child.once('exit', () => {
      // A worker that died answers nothing: fail the waiting callers instead of hanging them.
      for (const waiter of this.queue) waiter(undefined);
      this.queue = [];
    });
  }

  async ask<T>(command: WorkerCommand): Promise<T> {
    if (this.child.exitCode !== null || this.child.signalCode !== null)
      throw new Error('load worker has exited');
    return new Promise<T>((resolve, reject) => {
      this.queue.push((value) =>
        value === undefined ? reject(new Error('load worker exited')) : resolve(value as T),
      );
      this.child.send(command);
    });
  }

  kill(): void {
    this.child.kill();
  }
}

export class LoadGenerator {
  private constructor(private readonly workers: Worker[]) {}

  /** `workers` processes; two are enough for thousands of viewers on a 2-core machine. */
  static start(workers: number): LoadGenerator {
    return new LoadGenerator(Array.from({ length: Math.max(1, workers) }, () => new Worker()));
  }

  /** Opens `count` viewers of `path`, shared out over the workers; resolves with how many connected. */
  async connect(port: number, path: string, count: number): Promise<number> {
    const n = this.workers.length;
    const opened = await Promise.all(
      this.workers.map(async (worker, index) =>
        worker.ask<{ connected: number }>({
          cmd: 'connect',
          host: '127.0.0.1',
          port,
          path,
          count: Math.floor(count / n) + (index < count % n ? 1 : 0),
        }),
      ),
    );
    return opened.reduce((sum, reply) => sum + reply.connected, 0);
  }

  /** Waits until `count` viewers have received at least one part; resolves with how many have. */
  async waitReceiving(count: number, timeoutMs: number): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const replies = await Promise.all(
        this.workers.map(async (worker) => worker.ask<{ receiving: number }>({ cmd: 'ready' })),
      );
      const receiving = replies.reduce((sum, reply) => sum + reply.receiving, 0);
      if (receiving >= count || Date.now() > deadline) return receiving;
      await sleep(200);
    }
  }

  /** Totals over all workers; `since` is an epoch-ms capture time for `liveSince`. */
  async status(since = 0): Promise<WorkerStatus> {
    const replies = await Promise.all(
      this.workers.map(async (worker) => worker.ask<WorkerStatus>({ cmd: 'status', since })),
    );
    return replies.reduce((sum, reply) => ({
      open: sum.open + reply.open,
      liveSince: sum.liveSince + reply.liveSince,
      closedByServer: sum.closedByServer + reply.closedByServer,
      parts: sum.parts + reply.parts,
      placeholders: sum.placeholders + reply.placeholders,
    }));
  }

  /** Starts a measuring window: frame counts, latency and CPU are reported relative to it. */
  async mark(): Promise<void> {
    await Promise.all(this.workers.map(async (worker) => worker.ask({ cmd: 'mark' })));
  }

  async report(): Promise<WorkerReport[]> {
    return Promise.all(
      this.workers.map(async (worker) => worker.ask<WorkerReport>({ cmd: 'report' })),
    );
  }

  /** Closes every viewer and ends the worker processes. */
  async stop(): Promise<void> {
    await Promise.all(
      this.workers.map(async (worker) => worker.ask({ cmd: 'close' }).catch(() => undefined)),
    );
    for (const worker of this.workers) worker.kill();
  }
}
