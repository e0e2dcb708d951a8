import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { parsePrometheus, valueOf, type Exposition } from './prometheus';
import type { ServerProcess } from './server-process';

/**
 * What a leak check needs to see of a server running in its own process: its open files, its
 * memory and its own counters, read from /proc and /metrics as an operator would.
 */

/** Node flag that lets `heapUsedAfterGc` force a full collection in the server. */
export const HEAP_SNAPSHOT_FLAG = '--heapsnapshot-signal=SIGUSR2';

export async function openFileCount(pid: number): Promise<number> {
  return (await readdir(`/proc/${pid}/fd`)).length;
}

export async function scrape(baseUrl: string): Promise<Exposition> {
  const response = await fetch(`${baseUrl}/metrics`);
  if (response.status !== 200) throw new Error(`/metrics answered ${response.status}`);
  return parsePrometheus(await response.text());
}

export function metric(
  exposition: Exposition,
  name: string,
  labels: Record<string, string> = {},
): number {
  return valueOf(exposition, name, labels) ?? 0;
}

/**
 * The server's used heap right after a full garbage collection: what is really retained, not
 * garbage waiting to be collected. A heap snapshot begins with a full GC, so the server (started
 * with HEAP_SNAPSHOT_FLAG) is asked for one; its event loop is blocked while it writes the file,
 * so /metrics answers only afterwards. The snapshot file is deleted.
 */
export async function heapUsedAfterGc(server: ServerProcess): Promise<number> {
  const snapshots = async (): Promise<string[]> =>
    (await readdir(server.cwd)).filter((name) => name.endsWith('.heapsnapshot'));
  const before = new Set(await snapshots());
  server.signal('SIGUSR2');
  const deadline = Date.now() + 30_000;
  let written: string | undefined;
  while (written === undefined) {
    if (Date.now() > deadline) throw new Error('the server wrote no heap snapshot');
    await new Promise((resolve) => setTimeout(resolve, 20));
    written = (await snapshots()).find((name) => !before.has(name));
  }
  const used = metric(await scrape(server.baseUrl), 'nodejs_heap_size_used_bytes');
  await rm(join(server.cwd, written), { force: true });
  return used;
}
