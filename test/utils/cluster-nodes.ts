import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NatsServer } from './nats-server';
import { ServerProcess } from './server-process';
import { waitFor } from './wait-for';

export interface ClusterCamera {
  readonly id: string;
  readonly name: string;
  readonly driver: string;
  readonly node: string;
  readonly local: boolean;
  readonly state: string;
  readonly clients: number;
  readonly conflict?: string[];
  readonly frameSize: { width: number; height: number } | null;
  readonly urls: Record<string, string>;
}

/** A camfeed node of a test cluster: the built server in its own process, its own DATA_DIR. */
export async function startNode(
  nats: NatsServer | string,
  name: string,
  env: Record<string, string> = {},
): Promise<ServerProcess> {
  const node = new ServerProcess({
    NATS_URL: typeof nats === 'string' ? nats : nats.url,
    CLUSTER_NODE_NAME: name,
    DATA_DIR: mkdtempSync(join(tmpdir(), `camfeed-${name}-`)),
    ...env,
  });
  await node.listening();
  return node;
}

/** A node without cameras of its own: it serves the cameras of the others. */
export async function startEdge(
  nats: NatsServer | string,
  name: string,
  env: Record<string, string> = {},
): Promise<ServerProcess> {
  const folder = mkdtempSync(join(tmpdir(), `camfeed-${name}-`));
  const file = join(folder, 'cameras.yaml');
  writeFileSync(file, 'cameras: []\n');
  return startNode(nats, name, { CAMERAS_FILE: file, ...env });
}

export async function camerasOf(node: ServerProcess): Promise<ClusterCamera[]> {
  const response = await fetch(`${node.baseUrl}/cameras`);
  return ((await response.json()) as { cameras: ClusterCamera[] }).cameras;
}

/** Waits until `node` lists exactly the camera ids `ids` (in that order). */
export async function waitForCameras(
  node: ServerProcess,
  ids: string[],
  timeoutMs = 10_000,
): Promise<ClusterCamera[]> {
  let cameras: ClusterCamera[];
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    cameras = await camerasOf(node);
    if (cameras.map((camera) => camera.id).join() === ids.join()) return cameras;
    if (Date.now() > deadline) {
      throw new Error(
        `${node.baseUrl} lists ${JSON.stringify(cameras.map((camera) => camera.id))}, not ${JSON.stringify(ids)}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export async function cameraStatus(
  node: ServerProcess,
  id: string,
): Promise<{ state: string; running: boolean; clients: number; frameSize: unknown }> {
  const response = await fetch(`${node.baseUrl}/cameras/${id}/status`);
  return (await response.json()) as {
    state: string;
    running: boolean;
    clients: number;
    frameSize: unknown;
  };
}

/** Waits until the camera's node reports it running (or not). */
export async function waitForRunning(
  node: ServerProcess,
  id: string,
  running: boolean,
  timeoutMs = 10_000,
): Promise<void> {
  let last = !running;
  const deadline = Date.now() + timeoutMs;
  while (last !== running) {
    last = (await cameraStatus(node, id)).running;
    if (last === running) return;
    if (Date.now() > deadline)
      throw new Error(`camera ${id} is ${running ? 'not running' : 'still running'}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export { waitFor };
