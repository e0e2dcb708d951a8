/*
 * npm run bench -- [N ...] [--duration S] [--warmup S] [--workers W] [--fps F]
 *                   [--camera images|emulated] [--size WxH] [--frame-kb K] [--target camfeed|baseline]
 *                   [--profile DIR] [--trace S] [--cameras K] [--webrtc N]
 *                   [--cluster E [--probes P]]
 *
 * Starts the real server (dist/main.js; by default the `images` driver at 640×480 and 30 fps with
 * ~50 KB frames, or the emulated camera rendering and encoding live at --size), opens
 * N concurrent /video_feed clients from load-generator processes for a fixed time, and prints what
 * was delivered and what it cost the server. Each N is measured after a warm-up, on a fresh set
 * of connections, against the same server process.
 *
 * --cameras K serves K cameras of the same kind from one cameras file and spreads the viewers
 * evenly over them (/cameras/cam1/video_feed …), to compare with one camera and the same total.
 *
 * --trace S prints the delivered rate and the server's RSS every S seconds of the window, and the
 * RSS growth over it: `npm run soak` uses it for a long run at 1000 viewers.
 *
 * --webrtc N adds N WebRTC (WHEP) viewers next to the first count's MJPEG viewers of the emulated
 * camera, and measures CPU per viewer, the H.264 encoder's CPU, bitrate and glass-to-glass
 * latency per kind (see webrtc-bench.ts).
 *
 * --cluster E runs a nats-server, a camera node with the camera and E edges without cameras of
 * their own, and measures each N on the edges against the same N on the camera node itself: CPU
 * per delivered frame of an edge and of a local camera, the camera node's and nats-server's CPU,
 * and the latency the hop adds (see cluster-bench.ts; P viewers of the camera node, 10 by
 * default, are its latency reference).
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { cameraLikeFrames } from '../utils/jpeg-fixtures';
import { npmStartNodeFlags, SERVER_MAIN } from '../utils/server-process';
import { clusterBench } from './cluster-bench';
import { LoadGenerator } from './load-generator';
import { LATENCY_BUCKETS, type WorkerReport } from './load-worker';
import {
  cpuTicks,
  machineLine,
  median,
  percentile,
  rssMb,
  sleep,
  TICKS_PER_SECOND,
} from './measure';
import { webrtcBench } from './webrtc-bench';

interface Options {
  counts: number[];
  durationS: number;
  warmupS: number;
  workers: number | undefined;
  fps: number;
  frameKb: number;
  camera: 'images' | 'emulated';
  /** Writes a V8 CPU profile of the server to this folder (--cpu-prof). */
  profileDir: string | undefined;
  /** `baseline` measures test/bench/baseline-server.ts instead of camfeed, with the same frames. */
  target: 'camfeed' | 'baseline';
  width: number;
  height: number;
  traceS: number | undefined;
  cameras: number;
  /** WebRTC viewers next to the MJPEG ones; undefined = MJPEG only, as before. */
  webrtc: number | undefined;
  /** Edges of a cluster over NATS; undefined = one server, as before. */
  cluster: number | undefined;
  /** In cluster mode, viewers of the camera node next to the edges' viewers. */
  probes: number;
}

function parseArgs(argv: string[]): Options {
  const options: Options = {
    counts: [],
    durationS: 10,
    warmupS: 3,
    workers: undefined,
    fps: 30,
    frameKb: 50,
    camera: 'images',
    target: 'camfeed',
    profileDir: undefined,
    width: 640,
    height: 480,
    traceS: undefined,
    cameras: 1,
    webrtc: undefined,
    cluster: undefined,
    probes: 10,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = (): number => Number(argv[++i]);
    if (arg === '--duration') options.durationS = value();
    else if (arg === '--warmup') options.warmupS = value();
    else if (arg === '--workers') options.workers = value();
    else if (arg === '--fps') options.fps = value();
    else if (arg === '--frame-kb') options.frameKb = value();
    else if (arg === '--camera') options.camera = argv[++i] === 'emulated' ? 'emulated' : 'images';
    else if (arg === '--profile') options.profileDir = resolve(argv[++i]);
    else if (arg === '--target') options.target = argv[++i] === 'baseline' ? 'baseline' : 'camfeed';
    else if (arg === '--trace') options.traceS = value();
    else if (arg === '--cameras') options.cameras = Math.max(1, value());
    else if (arg === '--webrtc') options.webrtc = Math.max(1, value());
    else if (arg === '--cluster') options.cluster = Math.max(1, value());
    else if (arg === '--probes') options.probes = Math.max(1, value());
    else if (arg === '--size') [options.width, options.height] = argv[++i].split('x').map(Number);
    else if (/^\d+$/.test(arg)) options.counts.push(Number(arg));
    else throw new Error(`unknown argument ${arg}`);
  }
  if (options.webrtc !== undefined) {
    // The latency probes read the clock only the emulated camera paints.
    options.camera = 'emulated';
    options.cameras = 1;
    if (options.counts.length === 0) options.counts = [10];
  }
  if (options.cluster !== undefined && options.counts.length === 0) options.counts = [100, 300];
  if (options.counts.length === 0) options.counts = [1, 100, 1000];
  return options;
}

interface Trace {
  atS: number;
  fpsPerClient: number;
  open: number;
  rssMean: number;
  rssMax: number;
}

/** The --trace table, and how much the RSS grew from the first interval to the last. */
function printTrace(count: number, trace: Trace[]): void {
  console.log(`\n${count} viewers over time:\n`);
  console.log('| at s | viewers open | fps/client | RSS MB mean | RSS MB max |');
  console.log('|---|---|---|---|---|');
  for (const step of trace) {
    console.log(
      `| ${step.atS.toFixed(0)} | ${step.open} | ${step.fpsPerClient.toFixed(1)} | ` +
        `${step.rssMean.toFixed(1)} | ${step.rssMax.toFixed(1)} |`,
    );
  }
  const first = trace[0];
  const last = trace[trace.length - 1];
  const growth = ((last.rssMean - first.rssMean) / first.rssMean) * 100;
  const peak = Math.max(...trace.map((step) => step.rssMax));
  console.log(
    `\nRSS growth over the window: ${first.rssMean.toFixed(1)} MB (first ${first.atS.toFixed(0)} s) → ` +
      `${last.rssMean.toFixed(1)} MB (last interval): ${growth >= 0 ? '+' : ''}${growth.toFixed(1)} %; ` +
      `peak ${peak.toFixed(1)} MB`,
  );
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const folder = await cameraLikeFrames(options.width, options.height, options.frameKb);
  const sizes = [1, 2, 3, 4].map((n) => readFileSync(join(folder, `${n}.jpg`)).length);
  const frames =
    options.camera === 'images'
      ? `frames of ${sizes.map((size) => (size / 1024).toFixed(0)).join('/')} KB`
      : 'rendered and JPEG-encoded live';
  const extraNodeFlags = (process.env.BENCH_SERVER_NODE_OPTIONS ?? '').split(' ').filter(Boolean);

  if (options.cluster !== undefined) {
    console.log(`cluster benchmark — ${new Date().toISOString()}`);
    console.log(machineLine());
    console.log(
      `camera: ${options.camera} driver on the camera node, ${options.width}×${options.height} at ` +
        `${options.fps} fps, ${frames}; ${options.cluster} edge${options.cluster > 1 ? 's' : ''}; ` +
        `windows of ${options.durationS} s after ${options.warmupS} s warm-up\n`,
    );
    await clusterBench({
      edges: options.cluster,
      counts: options.counts,
      probes: options.probes,
      durationS: options.durationS,
      warmupS: options.warmupS,
      workers: options.workers,
      cameraEnv: {
        CAMERA: options.camera,
        CAMERA_SOURCE: folder,
        CAMERA_WIDTH: String(options.width),
        CAMERA_HEIGHT: String(options.height),
        CAMERA_FRAMERATE: String(options.fps),
      },
      nodeArgs: [...extraNodeFlags, ...npmStartNodeFlags()],
      profileDir: options.profileDir,
    });
    return;
  }

  const command =
    options.target === 'baseline'
      ? ['--import', 'tsx', resolve(__dirname, 'baseline-server.ts'), folder, String(options.fps)]
      : // As `npm start` runs it, so the bench measures the server exactly as users run it.
        [...npmStartNodeFlags(), SERVER_MAIN];
  if (options.profileDir) command.unshift('--cpu-prof', `--cpu-prof-dir=${options.profileDir}`);
  command.unshift(...extraNodeFlags);
  // K cameras: one cameras file; each camera reads the same frames, at the same size and rate.
  let camerasFile: string | undefined;
  if (options.cameras > 1) {
    camerasFile = join(await mkdtemp(join(os.tmpdir(), 'camfeed-bench-')), 'cameras.json');
    const cameras = Array.from({ length: options.cameras }, (_, index) => ({
      id: `cam${index + 1}`,
      driver: options.camera,
      source: options.camera === 'images' ? folder : undefined,
      width: options.width,
      height: options.height,
      framerate: options.fps,
    }));
    await writeFile(camerasFile, JSON.stringify({ cameras }));
  }
  const streamPaths =
    camerasFile === undefined
      ? ['/video_feed']
      : Array.from(
          { length: options.cameras },
          (_, index) => `/cameras/cam${index + 1}/video_feed`,
        );
  const server = spawn(process.execPath, command, {
    env: {
      ...(camerasFile === undefined ? {} : { CAMERAS_FILE: camerasFile }),
      PATH: process.env.PATH ?? '',
      HOST: '127.0.0.1',
      PORT: '0',
      CAMERA: options.camera,
      CAMERA_SOURCE: folder,
      CAMERA_WIDTH: String(options.width),
      CAMERA_HEIGHT: String(options.height),
      CAMERA_FRAMERATE: String(options.fps),
      STREAM_DRAIN_TIMEOUT: '60',
      // The limit stays on, as users run it, just above the largest count measured.
      MAX_CLIENTS: String(Math.max(...options.counts) + (options.webrtc ?? 0) + 10),
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let log = '';
  server.stdout?.on('data', (chunk: Buffer) => (log += chunk.toString()));
  const pid = server.pid ?? 0;
  let port = 0;
  for (let waited = 0; port === 0; waited += 50) {
    const match = /listening on https?:\/\/[\d.]+:(\d+) \(/.exec(log);
    if (match) port = Number(match[1]);
    else if (waited > 15_000) throw new Error(`server did not start:\n${log}`);
    else await sleep(50);
  }
  server.stdout?.removeAllListeners('data');
  server.stdout?.resume();

  console.log(`${options.target} benchmark — ${new Date().toISOString()}`);
  console.log(machineLine());
  console.log(
    `camera: ${options.cameras > 1 ? `${options.cameras} cameras, each ` : ''}${options.camera} driver, ` +
      `${options.width}×${options.height} at ${options.fps} fps, ${frames}; ` +
      `window ${options.durationS} s after ${options.warmupS} s warm-up\n`,
  );
  if (options.webrtc !== undefined) {
    // Also when it fails: a server left behind would load the next run.
    process.once('exit', () => server.kill('SIGKILL'));
    await webrtcBench({
      port,
      pid,
      mjpegViewers: options.counts[0],
      webrtcViewers: options.webrtc,
      width: options.width,
      height: options.height,
      durationS: options.durationS,
      warmupS: options.warmupS,
      workers: options.workers,
    });
    server.kill('SIGTERM');
    await new Promise((resolve) => server.once('exit', resolve));
    return;
  }
  const header = [
    'clients',
    'fps total',
    'fps/client p50',
    'fps/client min',
    'server CPU %',
    'CPU µs/frame',
    'RSS MB mean',
    'RSS MB max',
    'latency p50 ms',
    'latency p99 ms',
    'load gen CPU %',
    'disconnects',
  ];
  console.log(`| ${header.join(' | ')} |`);
  console.log(`|${header.map(() => '---').join('|')}|`);

  for (const count of options.counts) {
    const load = LoadGenerator.start(options.workers ?? (count >= 200 ? 2 : 1));
    let connected = 0;
    for (const [index, path] of streamPaths.entries()) {
      const share =
        Math.floor(count / streamPaths.length) + (index < count % streamPaths.length ? 1 : 0);
      // Each call answers how many viewers the workers hold in all.
      connected = await load.connect(port, path, share);
    }
    if (connected < count) console.log(`  (only ${connected} of ${count} clients could connect)`);
    await load.waitReceiving(connected, 30_000);
    await sleep(options.warmupS * 1000);

    await load.mark();
    const ticksBefore = cpuTicks(pid);
    const startedAt = performance.now();
    const rssSamples: number[] = [];
    const sampler = setInterval(() => rssSamples.push(rssMb(pid)), 250);
    const trace: Trace[] = [];
    if (options.traceS) {
      const stepMs = options.traceS * 1000;
      let parts = (await load.status()).parts;
      while (performance.now() - startedAt < options.durationS * 1000 - stepMs / 2) {
        const from = rssSamples.length;
        await sleep(stepMs);
        const status = await load.status();
        const window = rssSamples.slice(from);
        trace.push({
          atS: (performance.now() - startedAt) / 1000,
          fpsPerClient: (status.parts - parts) / options.traceS / Math.max(1, status.open),
          open: status.open,
          rssMean: window.reduce((sum, value) => sum + value, 0) / Math.max(1, window.length),
          rssMax: Math.max(...window),
        });
        parts = status.parts;
      }
    } else {
      await sleep(options.durationS * 1000);
    }
    clearInterval(sampler);
    const ticksAfter = cpuTicks(pid);
    const elapsedS = (performance.now() - startedAt) / 1000;
    const reports: WorkerReport[] = await load.report();
    const rssMean = rssSamples.reduce((sum, value) => sum + value, 0) / rssSamples.length;
    const rssMax = Math.max(...rssSamples);

    const perClient = reports.flatMap((report) => report.frames).map((frames) => frames / elapsedS);
    const totalFrames = reports.reduce(
      (sum, report) => sum + report.frames.reduce((a, b) => a + b, 0),
      0,
    );
    const latency = new Array<number>(LATENCY_BUCKETS).fill(0);
    for (const report of reports) report.latency.forEach((n, bucket) => (latency[bucket] += n));
    const cpuSeconds = (ticksAfter - ticksBefore) / TICKS_PER_SECOND;
    const disconnects = reports.reduce((sum, report) => sum + report.disconnects, 0);
    const row = [
      count,
      (totalFrames / elapsedS).toFixed(0),
      median(perClient).toFixed(1),
      Math.min(...perClient).toFixed(1),
      ((cpuSeconds / elapsedS) * 100).toFixed(0),
      totalFrames > 0 ? ((cpuSeconds * 1e6) / totalFrames).toFixed(1) : '-',
      rssMean.toFixed(0),
      rssMax.toFixed(0),
      percentile(latency, 0.5).toFixed(1),
      percentile(latency, 0.99).toFixed(1),
      ((reports.reduce((sum, report) => sum + report.cpuMs, 0) / 1000 / elapsedS) * 100).toFixed(0),
      disconnects,
    ];
    console.log(`| ${row.join(' | ')} |`);
    if (trace.length > 0) printTrace(count, trace);

    await load.stop();
    await sleep(1000);
  }
  server.kill('SIGTERM');
  await new Promise((resolve) => server.once('exit', resolve));
  if (options.profileDir) console.log(`\nCPU profile written to ${options.profileDir}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
