import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isPlaceholder } from '../src/drawing/placeholder-frame';
import { readJpegDimensions } from '../src/jpeg/jpeg-dimensions';
import {
  cameraStatus,
  camerasOf,
  startEdge,
  startNode,
  waitForCameras,
  waitForRunning,
} from './utils/cluster-nodes';
import { writeSelfSignedCertificate } from './utils/certificates';
import { decodedSizes, startsWithKeyframe } from './utils/h264';
import { decodedSize, jpegFolder, noiseJpeg } from './utils/jpeg-fixtures';
import { type MjpegPart, MjpegReader } from './utils/mjpeg-reader';
import { NatsServer } from './utils/nats-server';
import { ServerProcess } from './utils/server-process';
import { sendJson } from './utils/test-app';
import { childProcesses } from './utils/processes';
import { scrape, valueOf } from './utils/prometheus';
import { startApp } from './utils/test-app';
import { delay, waitFor } from './utils/wait-for';
import { WhepClient } from './utils/whep-client';

/*
 * A real nats-server and three camfeed processes: a camera node with the emulated camera and
 * simulated IR LEDs, and two edges without cameras of their own.
 */
const IDLE_TIMEOUT_S = 2;
const CAMERA_ENV = {
  CAMERA: 'emulated',
  CAMERA_WIDTH: '320',
  CAMERA_HEIGHT: '240',
  CAMERA_FRAMERATE: '15',
  CAMERA_IDLE_TIMEOUT: String(IDLE_TIMEOUT_S),
  IR_LED_DRIVER: 'simulated',
  IR_LED_GPIO: '17',
  // A keyframe every 10 s: only a GOP sent across can start a joining WebRTC viewer at once.
  CAMERA_KEYFRAME_INTERVAL: '10',
};

let nats: NatsServer;
let owner: ServerProcess;
let edgeA: ServerProcess;
let edgeB: ServerProcess;
const readers: MjpegReader[] = [];

async function watch(node: ServerProcess, keep = 120): Promise<MjpegReader> {
  const reader = await MjpegReader.open(`${node.baseUrl}/cameras/default/video_feed`, { keep });
  readers.push(reader);
  return reader;
}

/** Waits until GET /cameras and the camera's status say `expected` clients on every one of `nodes`. */
async function waitForClients(nodes: ServerProcess[], expected: number): Promise<void> {
  const clients = async (): Promise<number[]> =>
    (
      await Promise.all(
        nodes.map(async (node) => [
          (await camerasOf(node))[0].clients,
          (await cameraStatus(node, 'default')).clients,
        ]),
      )
    ).flat();
  const deadline = Date.now() + 10_000;
  let seen = await clients();
  while (seen.some((count) => count !== expected) && Date.now() < deadline) {
    await delay(250);
    seen = await clients();
  }
  expect(seen).toEqual(new Array(2 * nodes.length).fill(expected));
}

const live = (parts: readonly MjpegPart[]): MjpegPart[] =>
  parts.filter((part) => !isPlaceholder(part.body));

beforeAll(async () => {
  nats = await NatsServer.start();
  [owner, edgeA, edgeB] = await Promise.all([
    startNode(nats, 'camera-node', CAMERA_ENV),
    startEdge(nats, 'edge-a'),
    startEdge(nats, 'edge-b'),
  ]);
  for (const node of [owner, edgeA, edgeB]) await waitForCameras(node, ['default']);
}, 30_000);

afterEach(() => {
  for (const reader of readers.splice(0)) reader.close();
});

afterAll(async () => {
  await Promise.all([owner, edgeA, edgeB].map(async (node) => node?.stop()));
  await nats?.stop();
});

describe('a cluster of one camera node and two edges', () => {
  it('lists the same cameras on every node, each marked local or remote', async () => {
    const lists = await Promise.all([owner, edgeA, edgeB].map(camerasOf));
    const shared = lists.map((cameras) =>
      cameras.map(({ id, name, driver, node, urls }) => ({
        id,
        name,
        driver,
        node,
        urls,
      })),
    );
    expect(shared[0]).toEqual([
      expect.objectContaining({ id: 'default', driver: 'emulated', node: 'camera-node' }),
    ]);
    expect(shared[1]).toEqual(shared[0]);
    expect(shared[2]).toEqual(shared[0]);
    expect(lists.map((cameras) => cameras[0].local)).toEqual([true, false, false]);
  });

  it('serves the same cluster view of every node at GET /cluster', async () => {
    const view = async (node: ServerProcess) =>
      (await (await fetch(`${node.baseUrl}/cluster`)).json()) as {
        node: string;
        connected: boolean;
        nodes: Array<{ node: string; cameras: string[] }>;
      };
    const views = await Promise.all([owner, edgeA, edgeB].map(view));
    expect(views.map((entry) => entry.node)).toEqual(['camera-node', 'edge-a', 'edge-b']);
    for (const entry of views) {
      expect(entry.connected).toBe(true);
      expect(entry.nodes.map(({ node, cameras }) => ({ node, cameras }))).toEqual([
        { node: 'camera-node', cameras: ['default'] },
        { node: 'edge-a', cameras: [] },
        { node: 'edge-b', cameras: [] },
      ]);
    }
  });

  it('gives viewers on each edge the camera node’s JPEGs byte for byte, with their capture time', async () => {
    const [atOwner, atA, atB] = await Promise.all([watch(owner), watch(edgeA), watch(edgeB)]);
    await Promise.all([atOwner, atA, atB].map(async (reader) => reader.waitForParts(40, 20_000)));
    const byTimestamp = new Map(
      live(atOwner.parts).map((part) => [part.headers['x-timestamp'], part.body]),
    );
    // The list on an edge follows the camera's state as its node announces it.
    const listedUntil = Date.now() + 5000;
    while ((await camerasOf(edgeB))[0].state !== 'running') {
      if (Date.now() > listedUntil) throw new Error('the edge lists the camera as not running');
      await delay(100);
    }
    for (const edge of [atA, atB]) {
      const matched = live(edge.parts).filter((part) =>
        byTimestamp.has(part.headers['x-timestamp']),
      );
      // Both saw the same frames: the owner's capture time travels with each one.
      expect(matched.length).toBeGreaterThan(20);
      for (const part of matched) {
        expect(part.body.equals(byTimestamp.get(part.headers['x-timestamp']) as Buffer)).toBe(true);
      }
    }
  }, 30_000);

  it('captures only while a viewer watches somewhere, and idle-stops after the last one leaves an edge', async () => {
    await waitForRunning(owner, 'default', false, 15_000);
    const reader = await watch(edgeA);
    await reader.waitForParts(5);
    expect((await cameraStatus(owner, 'default')).running).toBe(true);
    reader.close();
    const left = Date.now();
    await delay(IDLE_TIMEOUT_S * 1000 - 700);
    // Still running within the idle timeout: a viewer coming back would not wait for it to start.
    expect((await cameraStatus(owner, 'default')).running).toBe(true);
    await waitForRunning(owner, 'default', false, 10_000);
    const stoppedAfterMs = Date.now() - left;
    console.log(`camera node idle-stopped ${stoppedAfterMs} ms after the last edge viewer left`);
    expect(stoppedAfterMs).toBeGreaterThanOrEqual(IDLE_TIMEOUT_S * 1000 - 100);
  }, 30_000);

  it('counts the viewers of every node in the camera’s clients, the same on every node', async () => {
    const watching = await Promise.all([watch(edgeA), watch(edgeA), watch(edgeB), watch(owner)]);
    await Promise.all(watching.map(async (reader) => reader.waitForParts(3)));
    await waitForClients([owner, edgeA, edgeB], 4);
    watching[0].close();
    watching[2].close();
    await waitForClients([owner, edgeA, edgeB], 2);
    for (const reader of watching) reader.close();
    await waitForClients([owner, edgeA, edgeB], 0);
  }, 40_000);

  it('applies a settings change sent to an edge on the camera node, and viewers of both edges get the new size without reconnecting', async () => {
    const [atA, atB] = await Promise.all([watch(edgeA, 30), watch(edgeB, 30)]);
    await Promise.all([atA.waitForParts(5), atB.waitForParts(5)]);
    const changed = await sendJson('POST', `${edgeA.baseUrl}/cameras/default/settings`, {
      width: 480,
      height: 272,
    });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ width: 480, height: 272 });
    // On the camera's own node, as stored and applied there.
    const settings = await sendJson('GET', `${owner.baseUrl}/cameras/default/settings`);
    expect(settings.body).toMatchObject({ width: 480, height: 272 });
    for (const reader of [atA, atB]) {
      await waitFor(
        () => {
          const newest = live(reader.parts).at(-1);
          const size = newest && readJpegDimensions(newest.body);
          return size?.width === 480 && size.height === 272;
        },
        'a frame of the new size',
        10_000,
      );
      expect(reader.ended).toBe(false);
      expect(await decodedSize(live(reader.parts).at(-1)?.body as Buffer)).toEqual({
        width: 480,
        height: 272,
      });
    }
  }, 30_000);

  it.each([
    ['a malformed value', { width: 'wide' }],
    ['a value outside the limits', { framerate: 5000 }],
    ['a size this camera cannot do', { width: 8000, height: 8000 }],
    ['an unknown field', { zoom: 2 }],
    ['nothing to change', {}],
  ])('answers %s sent to an edge exactly as the camera node does', async (_what, body) => {
    const atOwner = await sendJson('POST', `${owner.baseUrl}/cameras/default/settings`, body);
    const atEdge = await sendJson('POST', `${edgeB.baseUrl}/cameras/default/settings`, body);
    expect(atOwner.status).toBe(400);
    expect(atEdge.status).toBe(atOwner.status);
    expect(atEdge.body).toEqual(atOwner.body);
  });

  it('switches the camera node’s IR LEDs from an edge', async () => {
    const before = await sendJson<{ on: boolean }>(
      'GET',
      `${owner.baseUrl}/cameras/default/ir-led`,
    );
    const toggled = await sendJson<{ on: boolean }>(
      'POST',
      `${edgeA.baseUrl}/cameras/default/ir-led/toggle`,
    );
    expect(toggled.status).toBe(200);
    expect(toggled.body.on).toBe(!before.body.on);
    const after = await sendJson<{ on: boolean }>('GET', `${owner.baseUrl}/cameras/default/ir-led`);
    expect(after.body.on).toBe(!before.body.on);
    const set = await sendJson('PUT', `${edgeB.baseUrl}/cameras/default/ir-led`, { mode: 'off' });
    expect(set.body).toMatchObject({ on: false, mode: 'off' });
    const bad = await sendJson('PUT', `${edgeB.baseUrl}/cameras/default/ir-led`, { mode: 'dim' });
    const badAtOwner = await sendJson('PUT', `${owner.baseUrl}/cameras/default/ir-led`, {
      mode: 'dim',
    });
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual(badAtOwner.body);
  });

  it('takes a snapshot on an edge from the camera node, with its capture time', async () => {
    await waitForRunning(owner, 'default', false, 15_000);
    const response = await fetch(`${edgeB.baseUrl}/cameras/default/snapshot.jpg`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/jpeg');
    const stamp = Number(response.headers.get('x-timestamp'));
    expect(Math.abs(stamp * 1000 - Date.now())).toBeLessThan(5000);
    const jpeg = Buffer.from(await response.arrayBuffer());
    expect(isPlaceholder(jpeg)).toBe(false);
    expect(await decodedSize(jpeg)).toEqual({ width: 480, height: 272 });
  });

  it('serves the first camera of the cluster at /video_feed on an edge', async () => {
    const reader = await MjpegReader.open(`${edgeA.baseUrl}/video_feed`);
    readers.push(reader);
    expect(reader.statusCode).toBe(200);
    await reader.waitForParts(3);
  });

  it('reports the cluster in /health and /metrics', async () => {
    const health = await sendJson<{ status: string; details: Record<string, { status: string }> }>(
      'GET',
      `${edgeA.baseUrl}/health`,
    );
    expect(health.body.details.cluster).toMatchObject({ status: 'up', node: 'edge-a', nodes: 3 });
    const atOwner = await scrape(owner.baseUrl);
    expect(valueOf(atOwner, 'camfeed_cluster_connected')).toBe(1);
    expect(valueOf(atOwner, 'camfeed_cluster_nodes')).toBe(3);
    expect(
      valueOf(atOwner, 'camfeed_cluster_frames_published_total', { camera: 'default' }),
    ).toBeGreaterThan(0);
    const atEdge = await scrape(edgeA.baseUrl);
    // What the edge received of the camera, as frames captured for its viewers.
    expect(valueOf(atEdge, 'camfeed_frames_captured_total', { camera: 'default' })).toBeGreaterThan(
      0,
    );
    expect(valueOf(atEdge, 'camfeed_cluster_frames_lost_total', { camera: 'default' })).toBe(0);
  });

  it('answers the camera node’s status and capabilities on an edge', async () => {
    const [ownerStatus, edgeStatus] = await Promise.all(
      [owner, edgeB].map(async (node) =>
        sendJson('GET', `${node.baseUrl}/cameras/default/capabilities`),
      ),
    );
    expect(edgeStatus.body).toEqual(ownerStatus.body);
    const status = await sendJson('GET', `${edgeA.baseUrl}/cameras/default/status`);
    expect(status.body).toMatchObject({ driver: 'emulated', settings: { width: 480 } });
  });
});

describe('H.264 across the cluster', () => {
  const players: WhepClient[] = [];
  const play = async (node: ServerProcess, record = false): Promise<WhepClient> => {
    const player = new WhepClient(`${node.baseUrl}/cameras/default/whep`);
    players.push(player);
    if (record) player.record();
    const reply = await player.play();
    expect(reply.status).toBe(201);
    return player;
  };
  const encodersUnder = (node: ServerProcess): number =>
    childProcesses(node.pid).filter((child) => child.command.includes('libx264')).length;

  afterAll(async () => {
    for (const player of players.splice(0)) await player.disconnect().catch(() => 0);
  });

  it('gives a WebRTC viewer on an edge the camera node’s H.264, starting on a keyframe in the middle of a GOP', async () => {
    const local = await play(owner);
    await waitFor(() => local.stats.pictures > 0, 'pictures on the camera node', 20_000);
    // Well inside the 10 s GOP.
    await delay(1500);
    const remote = await play(edgeA, true);
    // Well before the next keyframe: pictures of the GOP, then what follows it.
    await waitFor(() => remote.stats.pictures >= 30, 'pictures on the edge', 6_000);
    // Long before the next keyframe: the GOP came across with the stream.
    expect(remote.stats.firstPacketAt - remote.offeredAt).toBeLessThan(5000);
    expect(startsWithKeyframe(remote.recording())).toBe(true);
    const sizes = await decodedSizes(remote.recording());
    expect(sizes.length).toBeGreaterThan(5);
    const settings = await sendJson<{ width: number; height: number }>(
      'GET',
      `${owner.baseUrl}/cameras/default/settings`,
    );
    expect(new Set(sizes)).toEqual(new Set([`${settings.body.width}x${settings.body.height}`]));
    // Encoded once, on the camera's node: the edge runs no encoder.
    expect(encodersUnder(owner)).toBe(1);
    expect(encodersUnder(edgeA)).toBe(0);
    // Two WebRTC viewers, one on each node, whatever carries their pictures.
    await waitForClients([owner, edgeA, edgeB], 2);
  }, 60_000);

  it('starts a viewer on a second edge at once too, while the stream already crosses', async () => {
    const later = await play(edgeB, true);
    await waitFor(() => later.stats.pictures >= 30, 'pictures on the second edge', 6_000);
    expect(later.stats.firstPacketAt - later.offeredAt).toBeLessThan(5000);
    expect(startsWithKeyframe(later.recording())).toBe(true);
    expect((await decodedSizes(later.recording())).length).toBeGreaterThan(0);
    expect(encodersUnder(owner)).toBe(1);
  }, 60_000);
});

describe('frames larger than the NATS server’s max_payload', () => {
  const MAX_PAYLOAD = 16 * 1024;
  let small: NatsServer;
  let cameraNode: ServerProcess;
  let edge: ServerProcess;
  let frames: Buffer[];

  beforeAll(async () => {
    small = await NatsServer.start({ maxPayload: MAX_PAYLOAD });
    // Noise compresses badly: each frame is several times max_payload.
    frames = await Promise.all([1, 2, 3].map(async () => noiseJpeg(320, 240)));
    const folder = await jpegFolder(frames);
    [cameraNode, edge] = await Promise.all([
      startNode(small, 'big-frames', {
        CAMERA: 'images',
        CAMERA_SOURCE: folder,
        CAMERA_FRAMERATE: '10',
      }),
      startEdge(small, 'edge-small'),
    ]);
    await waitForCameras(edge, ['default']);
  }, 30_000);

  afterAll(async () => {
    await Promise.all([cameraNode, edge].map(async (node) => node?.stop()));
    await small?.stop();
  });

  it('still delivers every frame whole, split into pieces and joined again', async () => {
    expect((await small.varz()).max_payload).toBe(MAX_PAYLOAD);
    const view = (await (await fetch(`${edge.baseUrl}/cluster`)).json()) as { maxPayload: number };
    expect(view.maxPayload).toBe(MAX_PAYLOAD);
    for (const frame of frames) expect(frame.length).toBeGreaterThan(2 * MAX_PAYLOAD);
    const reader = await MjpegReader.open(`${edge.baseUrl}/cameras/default/video_feed`, {
      keep: 30,
    });
    readers.push(reader);
    await reader.waitForParts(15, 20_000);
    const received = live(reader.parts);
    expect(received.length).toBeGreaterThan(10);
    for (const part of received) {
      expect(frames.some((frame) => frame.equals(part.body))).toBe(true);
    }
    reader.close();
  }, 30_000);
});

describe('without NATS_URL', () => {
  it('loads nothing of the cluster: no /cluster, no cluster fields, no cluster metrics', async () => {
    const server = await startApp({});
    try {
      expect((await fetch(`${server.baseUrl}/cluster`)).status).toBe(404);
      const cameras = await sendJson<{ cameras: Array<Record<string, unknown>> }>(
        'GET',
        `${server.baseUrl}/cameras`,
      );
      expect(Object.keys(cameras.body.cameras[0])).not.toEqual(expect.arrayContaining(['node']));
      expect(cameras.body.cameras[0]).not.toHaveProperty('local');
      const metrics = await (await fetch(`${server.baseUrl}/metrics`)).text();
      expect(metrics).not.toMatch(/camfeed_cluster_/);
      const health = await sendJson<{ details: Record<string, unknown> }>(
        'GET',
        `${server.baseUrl}/health`,
      );
      expect(health.body.details).not.toHaveProperty('cluster');
    } finally {
      await server.close();
    }
  });
});

describe('NATS credentials', () => {
  const PASSWORD = 'n4ts-s3cret-pw';
  let guarded: NatsServer;
  const started: ServerProcess[] = [];

  beforeAll(async () => {
    guarded = await NatsServer.start({ auth: { user: 'camfeed', password: PASSWORD } });
  });

  afterAll(async () => {
    await Promise.all(started.map(async (node) => node.stop()));
    await guarded?.stop();
  });

  it('signs in with a password in NATS_URL or NATS_USER/NATS_PASSWORD, and never shows it', async () => {
    const inUrl = await startNode(
      `nats://camfeed:${PASSWORD}@127.0.0.1:${guarded.port}`,
      'in-url',
      CAMERA_ENV,
    );
    started.push(inUrl);
    const byVariables = await startEdge(guarded.url, 'by-vars', {
      NATS_USER: 'camfeed',
      NATS_PASSWORD: PASSWORD,
    });
    started.push(byVariables);
    await waitForCameras(byVariables, ['default']);
    for (const node of [inUrl, byVariables]) {
      for (const path of [
        '/cluster',
        '/cameras',
        '/metrics',
        '/health',
        '/cameras/default/status',
      ]) {
        const text = await (await fetch(`${node.baseUrl}${path}`)).text();
        expect(text).not.toContain(PASSWORD);
      }
      expect(node.output).not.toContain(PASSWORD);
    }
  }, 30_000);

  it('stops at start, naming the variable, when NATS_CREDS_FILE cannot be read', async () => {
    const node = new ServerProcess({
      NATS_URL: guarded.url,
      NATS_CREDS_FILE: '/nonexistent/camfeed.creds',
      DATA_DIR: mkdtempSync(join(tmpdir(), 'camfeed-creds-')),
    });
    started.push(node);
    expect((await node.exited).code).toBe(1);
    expect(node.output).toMatch(/NATS_CREDS_FILE cannot be read \(ENOENT\)/);
  });

  it('says in its log that NATS refused it, without the password, and keeps trying', async () => {
    const wrong = `${PASSWORD}-wrong`;
    const refused = await startNode(
      `nats://camfeed:${wrong}@127.0.0.1:${guarded.port}`,
      'refused',
      CAMERA_ENV,
    );
    started.push(refused);
    await waitFor(
      () => /Cannot connect to NATS/.test(refused.output),
      'the refusal logged',
      10_000,
    );
    expect(refused.output).toMatch(/Authorization Violation/i);
    expect(refused.output).not.toContain(wrong);
    const cluster = await sendJson<{ connected: boolean; server: string | null }>(
      'GET',
      `${refused.baseUrl}/cluster`,
    );
    expect(cluster.body).toMatchObject({ connected: false, server: null });
    // Its own camera works all the same.
    const reader = await MjpegReader.open(`${refused.baseUrl}/video_feed`);
    readers.push(reader);
    await reader.waitForParts(2);
  }, 30_000);
});

describe('one camera id announced by two nodes, one node name taken by two processes', () => {
  let bus: NatsServer;
  const started: ServerProcess[] = [];
  let nodeA: ServerProcess;
  let nodeB: ServerProcess;
  let edge: ServerProcess;

  beforeAll(async () => {
    bus = await NatsServer.start();
    // Two nodes set up alike (a copied SD card): both call their camera "default".
    [nodeA, nodeB, edge] = await Promise.all([
      startNode(bus, 'node-a', CAMERA_ENV),
      startNode(bus, 'node-b', CAMERA_ENV),
      startEdge(bus, 'edge-c'),
    ]);
    started.push(nodeA, nodeB, edge);
    await waitFor(
      () => /Camera id "default" is announced by 2 nodes \(node-a, node-b\)/.test(edge.output),
      'the conflict logged on the edge',
      10_000,
    );
  }, 30_000);

  afterAll(async () => {
    await Promise.all(started.map(async (node) => node.stop()));
    await bus?.stop();
  });

  it('reports the conflict on every node instead of merging the cameras', async () => {
    for (const node of [nodeA, nodeB, edge]) {
      const [camera] = await camerasOf(node);
      expect(camera.conflict).toEqual(['node-a', 'node-b']);
    }
    const cluster = await sendJson<{ conflicts: Record<string, string[]> }>(
      'GET',
      `${edge.baseUrl}/cluster`,
    );
    expect(cluster.body.conflicts).toEqual({ default: ['node-a', 'node-b'] });
    expect(nodeA.output).toMatch(/Camera id "default" is announced by 2 nodes/);
  });

  it('serves each node its own camera, and answers 409 naming both nodes elsewhere', async () => {
    for (const node of [nodeA, nodeB]) {
      const reader = await MjpegReader.open(`${node.baseUrl}/cameras/default/video_feed`);
      readers.push(reader);
      await reader.waitForParts(2);
    }
    const stream = await fetch(`${edge.baseUrl}/cameras/default/video_feed`);
    expect(stream.status).toBe(409);
    // The URLs without a camera, which mean the cluster's first on an edge, too.
    for (const path of ['/video_feed', '/snapshot.jpg', '/camera/settings']) {
      expect((await fetch(`${edge.baseUrl}${path}`)).status).toBe(409);
    }
    expect(((await stream.json()) as { message: string }).message).toMatch(/node-a and node-b/);
    const settings = await sendJson('POST', `${edge.baseUrl}/cameras/default/settings`, {
      framerate: 10,
    });
    expect(settings.status).toBe(409);
  });

  it('logs two processes that call themselves by one node name', async () => {
    const twin = await startEdge(bus, 'node-a');
    started.push(twin);
    await waitFor(
      () => /Two camfeed processes call themselves node "node-a"/.test(edge.output),
      'the clash logged',
      10_000,
    );
    // When the twin stops (and says so), node-a stays: the others say which one left.
    twin.signal('SIGTERM');
    await twin.exited;
    await waitFor(
      () =>
        /A second process named node-a \(instance \w+\) left the cluster; node node-a stays/.test(
          edge.output,
        ),
      'the twin’s leaving logged',
      10_000,
    );
    expect(edge.output).not.toMatch(/Node node-a left the cluster/);
    expect((await camerasOf(edge))[0].conflict).toEqual(['node-a', 'node-b']);
  }, 30_000);
});

describe('the API token across nodes', () => {
  let bus: NatsServer;
  let cameraNode: ServerProcess;
  let edge: ServerProcess;

  beforeAll(async () => {
    bus = await NatsServer.start();
    [cameraNode, edge] = await Promise.all([
      startNode(bus, 'token-camera', { ...CAMERA_ENV, API_TOKEN: 'camera-node-token' }),
      startEdge(bus, 'token-edge', { API_TOKEN: 'edge-node-token' }),
    ]);
    await waitForCameras(edge, ['default']);
  }, 30_000);

  afterAll(async () => {
    await Promise.all([cameraNode, edge].map(async (node) => node?.stop()));
    await bus?.stop();
  });

  it('is checked where a call arrives, and the camera node carries out what its edge let through', async () => {
    const url = `${edge.baseUrl}/cameras/default/settings`;
    const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
    expect((await sendJson('POST', url, { framerate: 10 })).status).toBe(401);
    expect(
      (await sendJson('POST', url, { framerate: 10 }, bearer('camera-node-token'))).status,
    ).toBe(401);
    const allowed = await sendJson('POST', url, { framerate: 10 }, bearer('edge-node-token'));
    expect(allowed.status).toBe(200);
    const there = await sendJson('GET', `${cameraNode.baseUrl}/cameras/default/settings`);
    expect(there.body).toMatchObject({ framerate: 10 });
  });
});

describe('NATS over TLS', () => {
  let secure: NatsServer;
  let plain: NatsServer;
  let ca: string;
  const started: ServerProcess[] = [];

  beforeAll(async () => {
    const folder = mkdtempSync(join(tmpdir(), 'camfeed-nats-tls-'));
    // The NATS client checks a server given by IP address as "localhost": real setups name it.
    writeSelfSignedCertificate(folder, 'nats', ['DNS:localhost', 'IP:127.0.0.1']);
    ca = join(folder, 'cert.pem');
    [secure, plain] = await Promise.all([
      NatsServer.start({ tls: { cert: ca, key: join(folder, 'key.pem') } }),
      NatsServer.start(),
    ]);
  });

  afterAll(async () => {
    await Promise.all(started.map(async (node) => node.stop()));
    await Promise.all([secure, plain].map(async (server) => server?.stop()));
  });

  it('carries the cluster over TLS, the server checked against NATS_TLS_CA', async () => {
    const url = `tls://127.0.0.1:${secure.port}`;
    const cameraNode = await startNode(url, 'tls-camera', { ...CAMERA_ENV, NATS_TLS_CA: ca });
    const edge = await startEdge(url, 'tls-edge', { NATS_TLS_CA: ca });
    started.push(cameraNode, edge);
    await waitForCameras(edge, ['default']);
    const reader = await MjpegReader.open(`${edge.baseUrl}/cameras/default/video_feed`);
    readers.push(reader);
    await reader.waitForParts(5);
  }, 30_000);

  it('refuses a server it cannot verify, and a tls:// server that offers no TLS', async () => {
    const unverified = await startEdge(`tls://127.0.0.1:${secure.port}`, 'no-ca');
    const downgraded = await startEdge(`tls://127.0.0.1:${plain.port}`, 'no-tls', {
      NATS_TLS_CA: ca,
    });
    started.push(unverified, downgraded);
    for (const node of [unverified, downgraded]) {
      await waitFor(() => /Cannot connect to NATS/.test(node.output), 'the refusal logged', 10_000);
      const cluster = await sendJson<{ connected: boolean }>('GET', `${node.baseUrl}/cluster`);
      expect(cluster.body.connected).toBe(false);
    }
  }, 30_000);
});
