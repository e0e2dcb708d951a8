import { readFileSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { isPlaceholder, readPlaceholderComment } from '../src/drawing/placeholder-frame';
import {
  camerasOf,
  startEdge,
  startNode,
  waitForCameras,
  waitForRunning,
} from './utils/cluster-nodes';
import { cameraLikeFrames } from './utils/jpeg-fixtures';
import { MjpegReader } from './utils/mjpeg-reader';
import { NatsServer } from './utils/nats-server';
import type { ServerProcess } from './utils/server-process';
import { sendJson } from './utils/test-app';
import { delay, waitFor } from './utils/wait-for';

/*
 * The faults of a cluster, each on a cluster of its own: a real nats-server, a camera node and
 * edges in their own processes. Each test prints what it measured (recovery times), which
 * docs/benchmarks.md records.
 */
const CAMERA_ENV = {
  CAMERA: 'emulated',
  CAMERA_WIDTH: '320',
  CAMERA_HEIGHT: '240',
  CAMERA_FRAMERATE: '15',
  CAMERA_IDLE_TIMEOUT: '5',
};
/** What "bounded" means here: a node's resident memory after the fault, whatever happened. */
const RSS_LIMIT_MB = 300;

const nodes: ServerProcess[] = [];
const servers: NatsServer[] = [];
const readers: MjpegReader[] = [];

async function node(
  nats: NatsServer,
  name: string,
  kind: 'camera' | 'edge',
  env: Record<string, string> = CAMERA_ENV,
): Promise<ServerProcess> {
  const started =
    kind === 'camera' ? await startNode(nats, name, env) : await startEdge(nats, name);
  nodes.push(started);
  return started;
}

/** A camera node and edges on `bus`, once every edge lists the camera. */
async function startCluster(
  bus: NatsServer,
  edgeNames: string[],
  env: Record<string, string> = CAMERA_ENV,
): Promise<{ owner: ServerProcess; edges: ServerProcess[] }> {
  const owner = await node(bus, 'camera-node', 'camera', env);
  const edges = await Promise.all(edgeNames.map(async (name) => node(bus, name, 'edge')));
  for (const edge of edges) await waitForCameras(edge, ['default']);
  return { owner, edges };
}

async function nats(options: Parameters<typeof NatsServer.start>[0] = {}): Promise<NatsServer> {
  const server = await NatsServer.start(options);
  servers.push(server);
  return server;
}

async function watch(at: ServerProcess): Promise<MjpegReader> {
  // Every part of a test's length at 30 fps: gaps are measured over all of them.
  const reader = await MjpegReader.open(`${at.baseUrl}/cameras/default/video_feed`, {
    keep: 1000,
  });
  readers.push(reader);
  await waitFor(
    () => liveSince(reader, 0) !== undefined,
    `a live frame from ${at.baseUrl}`,
    15_000,
  );
  return reader;
}

/** When the first camera frame (not a "no signal" picture) after `since` arrived. */
function liveSince(reader: MjpegReader, since: number): number | undefined {
  return reader.parts.find((part) => part.receivedAt > since && !isPlaceholder(part.body))
    ?.receivedAt;
}

function placeholderSince(reader: MjpegReader, since: number): number | undefined {
  return reader.parts.find((part) => part.receivedAt > since && isPlaceholder(part.body))
    ?.receivedAt;
}

/** The longest time between two parts a viewer received in [from, to]. */
function longestGap(reader: MjpegReader, from: number, to: number): number {
  const times = reader.parts
    .map((part) => part.receivedAt)
    .filter((time) => time >= from && time <= to);
  let gap = times.length === 0 ? to - from : times[0] - from;
  for (let i = 1; i < times.length; i++) gap = Math.max(gap, times[i] - times[i - 1]);
  return Math.max(gap, times.length === 0 ? 0 : to - times[times.length - 1]);
}

function rssMb(process: ServerProcess): number {
  const status = readFileSync(`/proc/${process.pid}/status`, 'utf8');
  return Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? 0) / 1024;
}

function expectBoundedMemory(...processes: ServerProcess[]): void {
  const sizes = processes.map(rssMb);
  console.log(`[cluster fault] nodes' RSS after the fault: ${sizes.map(Math.round).join(', ')} MB`);
  for (const size of sizes) expect(size).toBeLessThan(RSS_LIMIT_MB);
}

const report = (what: string, ms: number): void =>
  console.log(`[cluster fault] ${what}: ${Math.round(ms)} ms`);

afterEach(async () => {
  for (const reader of readers.splice(0)) reader.close();
  await Promise.all(nodes.splice(0).map(async (started) => started.stop()));
  await Promise.all(servers.splice(0).map(async (server) => server.stop()));
});

describe('cluster faults', () => {
  it('keeps viewers connected through a NATS restart, showing "no signal", and resumes by itself', async () => {
    const bus = await nats();
    const {
      owner,
      edges: [edge],
    } = await startCluster(bus, ['edge-a']);
    const viewer = await watch(edge);

    const down = Date.now();
    await bus.stop();
    await waitFor(
      () => placeholderSince(viewer, down) !== undefined,
      'the "no signal" picture',
      10_000,
    );
    report(
      'NATS down → "no signal" on an edge viewer',
      (placeholderSince(viewer, down) ?? 0) - down,
    );
    await delay(3000);
    const cluster = await sendJson<{ connected: boolean }>('GET', `${edge.baseUrl}/cluster`);
    expect(cluster.body.connected).toBe(false);

    await bus.start();
    const up = Date.now();
    await waitFor(() => liveSince(viewer, up) !== undefined, 'live frames again', 20_000);
    report('NATS back → live frames on the same edge viewer', (liveSince(viewer, up) ?? 0) - up);
    expect(viewer.ended).toBe(false);
    expect(viewer.error).toBeUndefined();
    await waitForCameras(edge, ['default']);
    expectBoundedMemory(owner, edge);
  }, 60_000);

  it('starts while NATS is unreachable, serves its own cameras, and joins once NATS is up', async () => {
    const bus = await NatsServer.prepare();
    servers.push(bus);
    const owner = await node(bus, 'camera-node', 'camera');
    const edge = await node(bus, 'edge-a', 'edge');
    // Its own camera works without the bus.
    const local = await watch(owner);
    expect(local.statusCode).toBe(200);
    expect((await camerasOf(owner)).map((camera) => camera.id)).toEqual(['default']);
    expect((await camerasOf(edge)).map((camera) => camera.id)).toEqual([]);
    // No server has spoken yet: nothing of one is shown.
    expect(await (await fetch(`${edge.baseUrl}/cluster`)).json()).toMatchObject({
      connected: false,
      server: null,
      maxPayload: null,
    });

    await bus.start();
    const up = Date.now();
    await waitForCameras(edge, ['default'], 15_000);
    report('NATS up after the nodes → camera listed on the edge', Date.now() - up);
    const viewer = await watch(edge);
    expect(viewer.statusCode).toBe(200);
  }, 60_000);

  it('stops at once on SIGTERM while a NATS server that does not answer holds its connection attempt', async () => {
    // Takes connections and never says a word: the client waits for its connect timeout.
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as AddressInfo;
    try {
      const owner = await startNode(`nats://127.0.0.1:${port}`, 'camera-node', CAMERA_ENV);
      nodes.push(owner);
      await delay(500);
      const asked = Date.now();
      owner.signal('SIGTERM');
      const exit = await owner.exited;
      report('SIGTERM with a silent NATS server → exit', Date.now() - asked);
      expect(exit.signal).toBe('SIGTERM');
      expect(Date.now() - asked).toBeLessThan(2000);
    } finally {
      silent.close();
    }
  }, 30_000);

  it('leaves the other edge and the camera node unaffected when an edge is killed', async () => {
    const bus = await nats();
    const {
      owner,
      edges: [edgeA, edgeB],
    } = await startCluster(bus, ['edge-a', 'edge-b']);
    await watch(edgeA);
    const survivor = await watch(edgeB);

    const killed = Date.now();
    await edgeA.stop();
    // Past the killed edge's demand expiring (3 heartbeats): the camera must keep running for B.
    await delay(5000);
    const now = Date.now();
    const gap = longestGap(survivor, killed, now);
    const frames = survivor.parts.filter(
      (part) => part.receivedAt >= killed && !isPlaceholder(part.body),
    ).length;
    report('edge killed → longest gap on the other edge’s viewer', gap);
    expect(gap).toBeLessThan(1000);
    expect(frames).toBeGreaterThan(5 * 10);
    expect(
      (await sendJson<{ running: boolean }>('GET', `${owner.baseUrl}/cameras/default/status`)).body
        .running,
    ).toBe(true);
    expect((await camerasOf(edgeB)).map((camera) => camera.node)).toEqual(['camera-node']);
    const cluster = await sendJson<{ nodes: Array<{ node: string }> }>(
      'GET',
      `${edgeB.baseUrl}/cluster`,
    );
    expect(cluster.body.nodes.map((entry) => entry.node)).toEqual(['camera-node', 'edge-b']);
    expectBoundedMemory(owner, edgeB);
  }, 60_000);

  it('shows "no signal" to viewers of a killed camera node’s camera, drops it from the directory, and resumes when the node returns', async () => {
    const bus = await nats();
    const {
      owner,
      edges: [edgeA, edgeB],
    } = await startCluster(bus, ['edge-a', 'edge-b']);
    const viewer = await watch(edgeA);

    const killed = Date.now();
    await owner.stop();
    await waitForCameras(edgeB, [], 10_000);
    report('camera node killed → its camera leaves the directory', Date.now() - killed);
    await waitFor(
      () => placeholderSince(viewer, killed) !== undefined,
      'the "no signal" picture',
      10_000,
    );
    report(
      'camera node killed → "no signal" on an edge viewer',
      (placeholderSince(viewer, killed) ?? 0) - killed,
    );
    // A call for the camera is a clear 503 naming its node, not a hang.
    const refused = await sendJson<{ message: string }>(
      'POST',
      `${edgeA.baseUrl}/cameras/default/settings`,
      { framerate: 10 },
    );
    expect(refused.status).toBe(503);
    expect(refused.body.message).toMatch(/camera-node/);
    // Monitoring still sees the camera its viewers watch, and why they see no picture; the edge
    // without viewers no longer reports it.
    const cameraHealth = async (edge: ServerProcess) =>
      (
        (await (await fetch(`${edge.baseUrl}/health`)).json()) as {
          details: Record<string, { status: string; reason?: string }>;
        }
      ).details['camera:default'];
    let health = await cameraHealth(edgeA);
    const deadline = Date.now() + 15_000;
    while (health?.status !== 'degraded' && Date.now() < deadline) {
      await delay(250);
      health = await cameraHealth(edgeA);
    }
    expect(health).toMatchObject({
      status: 'degraded',
      reason: expect.stringMatching(/left the cluster/) as string,
    });
    expect(await cameraHealth(edgeB)).toBeUndefined();

    const restarted = await node(bus, 'camera-node', 'camera');
    const back = Date.now();
    await waitFor(() => liveSince(viewer, back) !== undefined, 'live frames again', 20_000);
    report(
      'camera node back → live frames on the same edge viewer',
      (liveSince(viewer, back) ?? 0) - back,
    );
    expect(viewer.ended).toBe(false);
    await waitForCameras(edgeB, ['default']);
    expectBoundedMemory(restarted, edgeA, edgeB);
  }, 60_000);

  it('says goodbye when a camera node stops normally: its camera leaves the list at once, its viewers elsewhere see "no signal" and why, never an end', async () => {
    const bus = await nats();
    const {
      owner,
      edges: [edge],
    } = await startCluster(bus, ['edge-a']);
    const viewer = await watch(edge);

    const stopping = Date.now();
    owner.signal('SIGTERM');
    await waitForCameras(edge, [], 5_000);
    report(
      'camera node stopped (SIGTERM) → its camera leaves the directory',
      Date.now() - stopping,
    );
    await waitFor(
      () => placeholderSince(viewer, stopping) !== undefined,
      'the "no signal" picture',
      10_000,
    );
    expect((await owner.exited).signal).toBe('SIGTERM');
    expect(viewer.ended).toBe(false);
    expect(edge.output).not.toMatch(/was removed/);
    // Longer than the stall timeout (10 s): the picture still says why, not "no frame for 10 s".
    await delay(11_000);
    const newest = viewer.parts.filter((part) => isPlaceholder(part.body)).at(-1);
    expect(readPlaceholderComment(newest?.body ?? Buffer.alloc(0))).toMatchObject({
      title: 'NO SIGNAL',
      reason: 'the node of camera default left the cluster',
    });

    const restarted = await node(bus, 'camera-node', 'camera');
    const back = Date.now();
    await waitFor(() => liveSince(viewer, back) !== undefined, 'live frames again', 20_000);
    expect(viewer.ended).toBe(false);
    expectBoundedMemory(restarted, edge);
  }, 60_000);

  it('has a slow edge dropped by NATS as a slow consumer, and it recovers while the others carry on', async () => {
    // Little patience for a client that stops reading (config/nats-server.conf's setting): NATS
    // drops it instead of buffering for it.
    const bus = await nats({ writeDeadline: '2s' });
    const {
      owner,
      edges: [slow, healthy],
    } = await startCluster(bus, ['edge-slow', 'edge-ok'], {
      CAMERA: 'images',
      CAMERA_SOURCE: await cameraLikeFrames(640, 480, 50),
      CAMERA_FRAMERATE: '30',
      CAMERA_IDLE_TIMEOUT: '5',
    });
    const slowViewer = await watch(slow);
    const healthyViewer = await watch(healthy);
    const before = (await bus.varz()).slow_consumers;

    const stopped = Date.now();
    slow.signal('SIGSTOP');
    await delay(8000);
    const during = Date.now();
    slow.signal('SIGCONT');
    const resumed = Date.now();

    const gap = longestGap(healthyViewer, stopped, during);
    report('slow edge stopped 8 s → longest gap on the healthy edge’s viewer', gap);
    expect((await bus.varz()).slow_consumers).toBeGreaterThan(before);
    expect(gap).toBeLessThan(1000);
    await waitFor(() => liveSince(slowViewer, resumed) !== undefined, 'live frames again', 20_000);
    report(
      'slow edge dropped, resumed → live frames on its viewer',
      (liveSince(slowViewer, resumed) ?? 0) - resumed,
    );
    await waitForRunning(owner, 'default', true);
    expectBoundedMemory(owner, slow, healthy);
  }, 90_000);
});
