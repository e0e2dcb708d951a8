/*
 * `npm run bench -- N ... --cluster E`: a cluster over NATS on this machine — a real
 * nats-server, one camera node with the bench's camera (CLUSTER_NODE_NAME=camera) and E edges
 * without cameras of their own (`cameras: []`), each camfeed process run as `npm start` runs it,
 * on 127.0.0.1, with its own DATA_DIR. Then, one after the other on the same processes:
 *
 *   0. the camera node's P probe viewers alone: the camera running, nothing published;
 *   and for each N:
 *   1. "local": N viewers of the camera node itself — a local camera's cost per delivered frame;
 *   2. "cluster": N viewers spread evenly over the edges (/cameras/default/video_feed on each),
 *      and the P probes on the camera node again, in the same window.
 *
 * CPU comes from /proc/<pid>/stat of each process alone (camfeed processes and nats-server), over
 * the window; an edge's CPU per delivered frame is its CPU divided by the frames its own viewers
 * received. Each group of viewers (each edge's, the probes, the local ones) has its own
 * load-generator processes, so fps and latency (receive time − X-Timestamp, the capture time on
 * the camera node, one clock on one machine) are per group. What must hold: an edge costs per
 * viewer what a local camera does, and the camera node's CPU does not grow with the edges'
 * viewers (it publishes each frame once).
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { NatsServer, type NatsVarz } from '../utils/nats-server';
import { childProcesses } from '../utils/processes';
import { ServerProcess } from '../utils/server-process';
import { LoadGenerator } from './load-generator';
import { LATENCY_BUCKETS } from './load-worker';
import {
  cpuTicks,
  machineTicks,
  median,
  percentile,
  rssMb,
  sleep,
  TICKS_PER_SECOND,
} from './measure';

export interface ClusterBenchOptions {
  readonly edges: number;
  readonly counts: readonly number[];
  /** Viewers of the camera node in each cluster window: the latency without the hop. */
  readonly probes: number;
  readonly durationS: number;
  readonly warmupS: number;
  readonly workers: number | undefined;
  /** The camera node's camera (CAMERA, CAMERA_SOURCE, …). */
  readonly cameraEnv: Readonly<Record<string, string>>;
  /** Node flags of every camfeed process: those of `npm start`, and BENCH_SERVER_NODE_OPTIONS. */
  readonly nodeArgs: readonly string[];
  /** Writes a V8 CPU profile of each camfeed process to this folder (<node>.cpuprofile). */
  readonly profileDir: string | undefined;
}

const STREAM_PATH = '/cameras/default/video_feed';
/** A viewer "keeps up" at this rate or more (the camera's is 30). */
const FULL_RATE = 29;

interface Node {
  readonly name: string;
  readonly server: ServerProcess;
  readonly port: number;
}

/** Viewers of one node, in load-generator processes of their own. */
interface GroupSpec {
  readonly name: string;
  readonly node: Node;
  readonly count: number;
}

interface GroupResult {
  readonly name: string;
  readonly requested: number;
  readonly connected: number;
  /** Frames per second of each viewer that connected, over the window. */
  readonly fps: number[];
  readonly framesPerS: number;
  readonly latency: number[];
  readonly loadGenPercent: number;
}

interface ProcessResult {
  readonly cpuPercent: number;
  readonly rssMean: number;
}

interface WindowResult {
  readonly elapsedS: number;
  readonly groups: Map<string, GroupResult>;
  readonly processes: Map<string, ProcessResult>;
  /** Frames each edge took from NATS per second (its camfeed_frames_captured_total). */
  readonly receivedFps: Map<string, number>;
  /** The camera node's frames captured, and put on NATS, per second. */
  readonly cameraFps: { captured: number; published: number };
  readonly nats: { msgsIn: number; msgsOut: number; mbOut: number; slowConsumers: number };
  /**
   * CPU % of everything else on the machine in the window: all processes' but the measured
   * ones, the load generators and the bench's own. Anything above a few % disturbed the window.
   */
  readonly otherPercent: number;
}

type Varz = NatsVarz & { readonly in_bytes: number; readonly out_bytes: number };

const fixed = (value: number, digits = 1): string =>
  Number.isFinite(value) ? value.toFixed(digits) : '-';
const pair = (a: number, b: number, digits = 1): string =>
  `${fixed(a, digits)} / ${fixed(b, digits)}`;
const sum = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0);

/** The sample of `metric` for the camera `default` on `node` (NaN if it has none). */
async function metric(node: Node, name: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${node.port}/metrics`)).text();
  const match = new RegExp(`^${name}\\{[^}]*camera="default"[^}]*\\} (\\S+)$`, 'm').exec(text);
  return match ? Number(match[1]) : NaN;
}
/** Load-generator processes for `count` viewers: as the plain bench, two from 200 viewers. */
function workersFor(count: number, total: number, options: ClusterBenchOptions): number {
  const all = options.workers ?? (total >= 200 ? 2 : 1);
  return Math.max(1, Math.round((all * count) / Math.max(1, total)));
}

/**
 * Opens the groups of viewers, waits for their frames and the warm-up, then measures one window:
 * each group's frames and latency, each process's CPU and RSS, NATS's counters.
 */
async function measureWindow(
  specs: readonly GroupSpec[],
  processes: ReadonlyMap<string, number>,
  camera: Node,
  edges: readonly Node[],
  nats: NatsServer,
  options: ClusterBenchOptions,
): Promise<WindowResult> {
  const total = sum(specs.map((spec) => spec.count));
  const loads: LoadGenerator[] = [];
  try {
    const connected: number[] = [];
    for (const spec of specs) {
      const load = LoadGenerator.start(workersFor(spec.count, total, options));
      loads.push(load);
      connected.push(await load.connect(spec.node.port, STREAM_PATH, spec.count));
    }
    for (const [index, load] of loads.entries()) {
      const receiving = await load.waitReceiving(connected[index], 30_000);
      if (receiving < specs[index].count)
        console.error(
          `  ${specs[index].name}: ${receiving} of ${specs[index].count} viewers receiving`,
        );
    }
    await sleep(options.warmupS * 1000);

    // Each count is divided by the time between its own two readings (their midpoints): an
    // edge delivers in bursts, so a window a few ms longer than the CPU's would show > 30 fps.
    const timed = async <T>(read: () => Promise<T>): Promise<{ value: T; at: number }> => {
      const before = performance.now();
      const value = await read();
      return { value, at: (before + performance.now()) / 2000 };
    };
    const readCounters = async (): Promise<{ value: [number[], number[], Varz]; at: number }> =>
      timed(async () =>
        Promise.all([
          Promise.all(edges.map(async (edge) => metric(edge, 'camfeed_frames_captured_total'))),
          Promise.all(
            ['camfeed_frames_captured_total', 'camfeed_cluster_frames_published_total'].map(
              async (name) => metric(camera, name),
            ),
          ),
          nats.varz() as Promise<Varz>,
        ]),
      );
    const countersBefore = await readCounters();
    const marked = await timed(async () => Promise.all(loads.map(async (load) => load.mark())));
    const pids = [...processes.entries()];
    const ticksBefore = pids.map(([, pid]) => cpuTicks(pid));
    const machineBefore = machineTicks();
    const selfBefore = process.cpuUsage();
    const startedAt = performance.now();
    const rss = pids.map((): number[] => []);
    const sampler = setInterval(
      () => pids.forEach(([, pid], index) => rss[index].push(rssMb(pid))),
      250,
    );
    await sleep(options.durationS * 1000);
    clearInterval(sampler);
    const ticksAfter = pids.map(([, pid]) => cpuTicks(pid));
    const machineAfter = machineTicks();
    const self = process.cpuUsage(selfBefore);
    const elapsedS = (performance.now() - startedAt) / 1000;
    const reported = await timed(async () => Promise.all(loads.map(async (load) => load.report())));
    const reports = reported.value;
    const framesS = reported.at - marked.at;
    const countersAfter = await readCounters();
    const countersS = countersAfter.at - countersBefore.at;
    const [receivedBefore, cameraBefore, varzBefore] = countersBefore.value;
    const [receivedAfter, cameraAfter, varzAfter] = countersAfter.value;

    const groups = new Map<string, GroupResult>();
    for (const [index, spec] of specs.entries()) {
      const fps = reports[index].flatMap((report) => report.frames).map((n) => n / framesS);
      const latency = new Array<number>(LATENCY_BUCKETS).fill(0);
      for (const report of reports[index])
        report.latency.forEach((n, bucket) => (latency[bucket] += n));
      groups.set(spec.name, {
        name: spec.name,
        requested: spec.count,
        connected: connected[index],
        fps,
        framesPerS: sum(fps),
        latency,
        loadGenPercent: (sum(reports[index].map((report) => report.cpuMs)) / 1000 / framesS) * 100,
      });
    }
    const processResults = new Map<string, ProcessResult>();
    pids.forEach(([name], index) =>
      processResults.set(name, {
        cpuPercent: ((ticksAfter[index] - ticksBefore[index]) / TICKS_PER_SECOND / elapsedS) * 100,
        rssMean: sum(rss[index]) / Math.max(1, rss[index].length),
      }),
    );
    const measuredS =
      sum(ticksAfter.map((ticks, index) => ticks - ticksBefore[index])) / TICKS_PER_SECOND +
      sum(reports.flat().map((report) => report.cpuMs)) / 1000 +
      (self.user + self.system) / 1e6;
    return {
      elapsedS,
      otherPercent:
        (((machineAfter - machineBefore) / TICKS_PER_SECOND - measuredS) / elapsedS) * 100,
      groups,
      processes: processResults,
      receivedFps: new Map(
        edges.map((edge, index) => [
          edge.name,
          (receivedAfter[index] - receivedBefore[index]) / countersS,
        ]),
      ),
      cameraFps: {
        captured: (cameraAfter[0] - cameraBefore[0]) / countersS,
        published: (cameraAfter[1] - cameraBefore[1]) / countersS,
      },
      nats: {
        msgsIn: (varzAfter.in_msgs - varzBefore.in_msgs) / countersS,
        msgsOut: (varzAfter.out_msgs - varzBefore.out_msgs) / countersS,
        mbOut: (varzAfter.out_bytes - varzBefore.out_bytes) / countersS / 1e6,
        slowConsumers: varzAfter.slow_consumers - varzBefore.slow_consumers,
      },
    };
  } finally {
    for (const load of loads) await load.stop();
    await sleep(1000);
  }
}

/** N viewers over E edges: the first N mod E edges take one more. */
function shares(count: number, edges: number): number[] {
  return Array.from(
    { length: edges },
    (_, index) => Math.floor(count / edges) + (index < count % edges ? 1 : 0),
  );
}

const keepingUp = (group: GroupResult): number =>
  group.fps.filter((fps) => fps >= FULL_RATE).length;

export async function clusterBench(options: ClusterBenchOptions): Promise<void> {
  const root = join(os.tmpdir(), `camfeed-cluster-bench-${process.pid}`);
  mkdirSync(root, { recursive: true });
  const started: ServerProcess[] = [];
  let nats: NatsServer | undefined;
  // Also when the bench fails or is interrupted: nothing may be left to load the next run.
  const killAll = (): void => {
    for (const server of started) void server.stop();
    void nats?.stop();
  };
  process.once('exit', killAll);
  const interrupted = (): void => process.exit(130);
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);

  const maxClients = String(Math.max(...options.counts) + options.probes + 10);
  const startCamfeed = async (
    natsUrl: string,
    name: string,
    env: Record<string, string>,
  ): Promise<Node> => {
    const dataDir = join(root, name);
    mkdirSync(dataDir, { recursive: true });
    const nodeArgs = [...options.nodeArgs];
    if (options.profileDir !== undefined)
      nodeArgs.unshift(
        '--cpu-prof',
        `--cpu-prof-dir=${options.profileDir}`,
        `--cpu-prof-name=${name}.cpuprofile`,
      );
    const server = new ServerProcess(
      {
        NATS_URL: natsUrl,
        CLUSTER_NODE_NAME: name,
        DATA_DIR: dataDir,
        STREAM_DRAIN_TIMEOUT: '60',
        // The limit stays on, as users run it, just above the largest count measured.
        MAX_CLIENTS: maxClients,
        ...env,
      },
      dataDir,
      nodeArgs,
    );
    started.push(server);
    const url = await server.listening();
    return { name, server, port: Number(new URL(url).port) };
  };

  try {
    const natsServer = await NatsServer.start();
    nats = natsServer;
    const natsPid = childProcesses().find((child) =>
      child.command.includes(natsServer.configFile),
    )?.pid;
    if (natsPid === undefined) throw new Error('cannot find the nats-server process');
    const camera = await startCamfeed(natsServer.url, 'camera', { ...options.cameraEnv });
    const edgeCameras = join(root, 'edge-cameras.yaml');
    writeFileSync(edgeCameras, 'cameras: []\n');
    const edges = await Promise.all(
      Array.from({ length: options.edges }, async (_, index) =>
        startCamfeed(natsServer.url, `edge-${index + 1}`, { CAMERAS_FILE: edgeCameras }),
      ),
    );
    // Every edge lists the camera before it is watched.
    for (const edge of edges) {
      for (let waited = 0; ; waited += 100) {
        const response = await fetch(`http://127.0.0.1:${edge.port}/cameras`);
        const body = (await response.json()) as { cameras: { id: string }[] };
        if (body.cameras.some((listed) => listed.id === 'default')) break;
        if (waited > 15_000) throw new Error(`${edge.name} does not list the camera`);
        await sleep(100);
      }
    }
    const processes = new Map<string, number>([
      ['camera', camera.server.pid],
      ...edges.map((edge): [string, number] => [edge.name, edge.server.pid]),
      ['nats-server', natsPid],
    ]);
    const probes: GroupSpec = { name: 'probes', node: camera, count: options.probes };
    const measure = async (specs: GroupSpec[]): Promise<WindowResult> =>
      measureWindow(specs, processes, camera, edges, natsServer, options);

    console.error(`measuring: ${options.probes} viewers of the camera node alone`);
    const alone = await measure([probes]);
    const rows: { count: number; local: WindowResult; cluster: WindowResult }[] = [];
    for (const count of options.counts) {
      console.error(`measuring: ${count} viewers of the camera node`);
      const local = await measure([{ name: 'local', node: camera, count }]);
      console.error(`measuring: ${count} viewers over ${edges.length} edge(s), and the probes`);
      const cluster = await measure([
        ...edges.map((edge, index) => ({
          name: edge.name,
          node: edge,
          count: shares(count, edges.length)[index],
        })),
        probes,
      ]);
      rows.push({ count, local, cluster });
    }
    printTables(options, edges, alone, rows);

    // SIGTERM first, so the servers end as they would in use (and write their CPU profiles).
    for (const server of started) server.signal('SIGTERM');
    await Promise.race([Promise.all(started.map(async (server) => server.exited)), sleep(10_000)]);
    if (options.profileDir !== undefined)
      console.log(`\nCPU profiles written to ${options.profileDir}`);
  } catch (error) {
    for (const server of started) {
      const exit = await Promise.race([server.exited, sleep(0)]);
      if (exit !== undefined)
        console.error(`a camfeed process exited (${JSON.stringify(exit)}):\n${server.output}`);
    }
    throw error;
  } finally {
    await Promise.all(started.map(async (server) => server.stop()));
    await nats?.stop();
    process.removeListener('exit', killAll);
    process.removeListener('SIGINT', interrupted);
    process.removeListener('SIGTERM', interrupted);
    rmSync(root, { recursive: true, force: true });
  }
}

function printTables(
  options: ClusterBenchOptions,
  edges: readonly Node[],
  alone: WindowResult,
  rows: readonly { count: number; local: WindowResult; cluster: WindowResult }[],
): void {
  const cpu = (window: WindowResult, name: string): number =>
    window.processes.get(name)?.cpuPercent ?? NaN;
  const group = (window: WindowResult, name: string): GroupResult => {
    const result = window.groups.get(name);
    if (result === undefined) throw new Error(`no viewers named ${name}`);
    return result;
  };
  const edgeViewers = (window: WindowResult): GroupResult[] =>
    edges.map((edge) => group(window, edge.name));
  const latencyOf = (groups: GroupResult[]): number[] => {
    const latency = new Array<number>(LATENCY_BUCKETS).fill(0);
    for (const each of groups) each.latency.forEach((n, bucket) => (latency[bucket] += n));
    return latency;
  };
  const latencyPair = (latency: number[]): string =>
    pair(percentile(latency, 0.5), percentile(latency, 0.99));
  /** CPU per frame, or (given differences) per added frame: either may be negative. */
  const perFrameUs = (cpuPercent: number, framesPerS: number): number =>
    framesPerS !== 0 ? (cpuPercent / 100 / framesPerS) * 1e6 : NaN;
  const each = (values: number[], digits = 1): string =>
    values.map((value) => fixed(value, digits)).join(' / ');
  const table = (header: string[], body: string[][]): void => {
    console.log(`| ${header.join(' | ')} |`);
    console.log(`|${header.map(() => '---').join('|')}|`);
    for (const row of body) console.log(`| ${row.join(' | ')} |`);
  };

  const aloneProbes = group(alone, 'probes');
  console.log(
    `camera node alone, ${options.probes} viewers and no edge watching: camera node ` +
      `${fixed(cpu(alone, 'camera'))} % CPU, nats-server ${fixed(cpu(alone, 'nats-server'))} %, ` +
      `edges ${each(edges.map((edge) => cpu(alone, edge.name)))} % (idle); ` +
      `latency p50 / p99 ${latencyPair(aloneProbes.latency)} ms; other processes ` +
      `${fixed(alone.otherPercent, 0)} %\n`,
  );

  console.log(
    'Delivery and latency (local: the N viewers on the camera node; cluster: on edges)\n',
  );
  table(
    [
      'viewers',
      'edges',
      `local: viewers ≥ ${FULL_RATE} fps`,
      'local: fps/viewer p50 / min',
      `cluster: viewers ≥ ${FULL_RATE} fps`,
      'cluster: fps/viewer p50 / min',
      'camera node captured / published, fps',
      'edges took from NATS, fps',
      'latency p50 / p99 ms: local, N viewers',
      `camera node's ${options.probes} probes (cluster window)`,
      'edge viewers',
      'edge − probes p50 / p99 ms',
    ],
    rows.map(({ count, local, cluster }) => {
      const localViewers = group(local, 'local');
      const viewers = edgeViewers(cluster);
      const fps = viewers.flatMap((each) => each.fps);
      const edgeLatency = latencyOf(viewers);
      const probeLatency = group(cluster, 'probes').latency;
      return [
        String(count),
        String(edges.length),
        `${keepingUp(localViewers)} / ${count}`,
        pair(median(localViewers.fps), Math.min(...localViewers.fps)),
        `${sum(viewers.map(keepingUp))} / ${count}`,
        pair(median(fps), Math.min(...fps)),
        pair(cluster.cameraFps.captured, cluster.cameraFps.published),
        each(edges.map((edge) => cluster.receivedFps.get(edge.name) ?? NaN)),
        latencyPair(localViewers.latency),
        latencyPair(probeLatency),
        latencyPair(edgeLatency),
        pair(
          percentile(edgeLatency, 0.5) - percentile(probeLatency, 0.5),
          percentile(edgeLatency, 0.99) - percentile(probeLatency, 0.99),
        ),
      ];
    }),
  );

  console.log('\nCPU (% of one core; µs per frame delivered by that process to its viewers)\n');
  table(
    [
      'viewers',
      'local camera: CPU %',
      'local camera: µs/frame',
      'each edge: viewers',
      'each edge: CPU %',
      'each edge: µs/frame',
      'all edges: µs/frame',
      `camera node CPU % (${options.probes} probes + publishing)`,
      'nats-server CPU %',
      'NATS msgs/s in / out, MB/s out',
      'load gen CPU % local / cluster',
      'other processes CPU % local / cluster',
      'RSS MB: camera node / each edge',
    ],
    rows.map(({ count, local, cluster }) => {
      const localFps = group(local, 'local').framesPerS;
      const viewers = edgeViewers(cluster);
      const edgeCpu = edges.map((edge) => cpu(cluster, edge.name));
      const loadGen = (window: WindowResult): number =>
        sum([...window.groups.values()].map((each) => each.loadGenPercent));
      return [
        String(count),
        fixed(cpu(local, 'camera')),
        fixed(perFrameUs(cpu(local, 'camera'), localFps)),
        viewers.map((each) => each.connected).join(' / '),
        each(edgeCpu),
        each(edgeCpu.map((percent, index) => perFrameUs(percent, viewers[index].framesPerS))),
        fixed(perFrameUs(sum(edgeCpu), sum(viewers.map((each) => each.framesPerS)))),
        fixed(cpu(cluster, 'camera')),
        fixed(cpu(cluster, 'nats-server')),
        `${fixed(cluster.nats.msgsIn, 0)} / ${fixed(cluster.nats.msgsOut, 0)}, ${fixed(cluster.nats.mbOut)}` +
          (cluster.nats.slowConsumers > 0 ? ` (${cluster.nats.slowConsumers} slow consumers)` : ''),
        pair(loadGen(local), loadGen(cluster), 0),
        pair(local.otherPercent, cluster.otherPercent, 0),
        `${fixed(cluster.processes.get('camera')?.rssMean ?? NaN, 0)} / ` +
          each(
            edges.map((edge) => cluster.processes.get(edge.name)?.rssMean ?? NaN),
            0,
          ),
      ];
    }),
  );

  // Fixed costs (reading the camera; taking frames from NATS) differ between the two: the cost
  // of a viewer is the increase from one count to the next.
  if (rows.length < 2) return;
  console.log('\nAdded CPU per added delivered frame, from the previous count (µs)\n');
  table(
    ['viewers', 'local camera', 'edges (all)', 'camera node: CPU % change'],
    rows.slice(1).map(({ count, local, cluster }, index) => {
      const before = rows[index];
      const edgeCpu = (window: WindowResult): number =>
        sum(edges.map((edge) => cpu(window, edge.name)));
      const edgeFps = (window: WindowResult): number =>
        sum(edgeViewers(window).map((each) => each.framesPerS));
      const localFps = (window: WindowResult): number => group(window, 'local').framesPerS;
      const change = cpu(cluster, 'camera') - cpu(before.cluster, 'camera');
      return [
        `${before.count} → ${count}`,
        fixed(
          perFrameUs(
            cpu(local, 'camera') - cpu(before.local, 'camera'),
            localFps(local) - localFps(before.local),
          ),
        ),
        fixed(
          perFrameUs(
            edgeCpu(cluster) - edgeCpu(before.cluster),
            edgeFps(cluster) - edgeFps(before.cluster),
          ),
        ),
        `${change >= 0 ? '+' : ''}${fixed(change)}`,
      ];
    }),
  );
}
