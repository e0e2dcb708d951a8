/*
 * `npm run bench -- M --webrtc N`: WebRTC (WHEP) viewers next to MJPEG viewers of the same
 * emulated camera, in three windows on one server process:
 *
 *   1. one MJPEG probe only (the camera running, one viewer);
 *   2. the probe and M MJPEG viewers from the load generators;
 *   3. the same and N WHEP viewers in this process (node-datachannel, receive-only H.264).
 *
 * Server CPU comes from /proc/<pid>/stat of the server alone, the H.264 encoder's from its
 * ffmpeg child (found by its libx264 arguments), so the increments per viewer and the encoder's
 * fixed cost are told apart. Latency is read from the clock the emulated camera paints into each
 * picture: one MJPEG viewer decodes every JPEG with libvips, one WHEP viewer depacketizes and
 * decodes every picture with an ffmpeg child, both in this process, never in the server.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { cleanup } from 'node-datachannel';
import { findFfmpeg } from '../../src/camera/drivers/ffmpeg-binary';
import { WhepClient } from './whep-peer';
import {
  H264ClockProbe,
  H264Depacketizer,
  MjpegClockProbe,
  quantile,
  snapshot,
  type ProbeTotals,
} from './glass-to-glass';
import { LoadGenerator } from './load-generator';

export interface WebRtcBenchOptions {
  readonly port: number;
  readonly pid: number;
  readonly mjpegViewers: number;
  readonly webrtcViewers: number;
  readonly width: number;
  readonly height: number;
  readonly durationS: number;
  readonly warmupS: number;
  readonly workers: number | undefined;
}

const TICKS_PER_SECOND = 100; // getconf CLK_TCK on Linux

const sleep = async (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, ms));

function cpuTicks(pid: number): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return Number(fields[11]) + Number(fields[12]); // utime + stime
  } catch {
    return undefined; // The process is gone.
  }
}

/** The server's ffmpeg children that run libx264: its H.264 encoders. */
function encoderPids(serverPid: number): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const parent = Number(
        readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1].split(' ')[1],
      );
      if (parent !== serverPid) continue;
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').includes('libx264'))
        pids.push(Number(entry));
    } catch {
      // Gone meanwhile.
    }
  }
  return pids;
}

interface Window {
  readonly elapsedS: number;
  readonly serverPercent: number;
  readonly encoderPercent: number;
  /** This process's event-loop delay p99 (ms): the probes' receive times are only this exact. */
  readonly loopDelayP99: number;
}

/** Measures one window of `seconds`: the server's and the encoders' CPU. */
async function measure(pid: number, encoders: number[], seconds: number): Promise<Window> {
  const ticks = (): number[] => [pid, ...encoders].map((each) => cpuTicks(each) ?? NaN);
  const loop = monitorEventLoopDelay({ resolution: 5 });
  loop.enable();
  const before = ticks();
  const startedAt = performance.now();
  await sleep(seconds * 1000);
  const after = ticks();
  loop.disable();
  const elapsedS = (performance.now() - startedAt) / 1000;
  const percent = (ticks: number): number => (ticks / TICKS_PER_SECOND / elapsedS) * 100;
  const encoderTicks = encoders.reduce(
    (sum, _, index) => sum + after[index + 1] - before[index + 1],
    0,
  );
  return {
    elapsedS,
    serverPercent: percent(after[0] - before[0]),
    encoderPercent: percent(encoderTicks),
    loopDelayP99: loop.percentile(99) / 1e6,
  };
}

const fixed = (value: number, digits = 1): string =>
  Number.isFinite(value) ? value.toFixed(digits) : '-';

function latencyColumns(totals: ProbeTotals): string[] {
  const arrival = totals.samples.map((sample) => sample.arrivedAt - sample.paintedAt);
  const decoded = totals.samples.map((sample) => sample.decodedAt - sample.paintedAt);
  const decode = totals.samples.map((sample) => sample.decodedAt - sample.arrivedAt);
  return [
    `${fixed(quantile(arrival, 0.5), 0)} / ${fixed(quantile(arrival, 0.99), 0)}`,
    `${fixed(quantile(decoded, 0.5), 0)} / ${fixed(quantile(decoded, 0.99), 0)}`,
    fixed(quantile(decode, 0.5)),
    `${totals.samples.length} / ${totals.unreadable}`,
  ];
}

const median = (values: number[]): number => quantile(values, 0.5);

export async function webrtcBench(options: WebRtcBenchOptions): Promise<void> {
  const { port, pid, width, height, durationS, warmupS } = options;
  const base = `http://127.0.0.1:${port}`;
  const probe = await MjpegClockProbe.open(`${base}/video_feed`, width, height);
  await sleep(warmupS * 1000);

  // 1. The camera and one viewer.
  probe.mark();
  const alone = await measure(pid, [], durationS);

  // 2. And M MJPEG viewers.
  let load: LoadGenerator | undefined;
  if (options.mjpegViewers > 0) {
    load = LoadGenerator.start(options.workers ?? (options.mjpegViewers >= 200 ? 2 : 1));
    const connected = await load.connect(port, '/video_feed', options.mjpegViewers);
    if (connected < options.mjpegViewers)
      console.log(`  (only ${connected} of ${options.mjpegViewers} MJPEG viewers could connect)`);
    await load.waitReceiving(connected, 30_000);
  }
  await sleep(warmupS * 1000);
  await load?.mark();
  probe.mark();
  const mjpeg = await measure(pid, [], durationS);
  const mjpegProbe = snapshot(probe.totals);
  const mjpegFps = (await load?.report())
    ?.flatMap((report) => report.frames)
    .map((frames) => frames / mjpeg.elapsedS) ?? [mjpegProbe.pictures / mjpeg.elapsedS];

  // 3. And N WebRTC viewers; the first one decodes.
  const ffmpeg = (await findFfmpeg()).path;
  const decoder = new H264ClockProbe(ffmpeg, width, height);
  const depacketizer = new H264Depacketizer();
  const clients: WhepClient[] = [];
  // node-datachannel's side sometimes fails to apply the server's answer ("Got a remote candidate
  // without ICE transport", its ICE transport already closed), or connects and never gets a
  // packet: that attempt's session is deleted and the viewer offers again, as a player would.
  // How often is printed.
  let failedOffers = 0;
  for (let index = 0; index < options.webrtcViewers; index++) {
    for (let attempt = 1; ; attempt++) {
      const client = new WhepClient(`${base}/whep`);
      if (index === 0) {
        client.onRtp = (packet) => {
          const arrivedAt = Date.now();
          const picture = depacketizer.push(packet);
          if (picture) decoder.write(picture, arrivedAt);
        };
      }
      try {
        const reply = await client.connect();
        if (reply.status !== 201)
          throw new Error(`WHEP offer answered ${reply.status}: ${reply.body}`);
        for (let waited = 0; client.stats.pictures === 0; waited += 50) {
          if (waited > 5000) throw new Error('a WebRTC viewer received no picture in 5 s');
          await sleep(50);
        }
        clients.push(client);
        break;
      } catch (error) {
        failedOffers += 1;
        await client.disconnect().catch(() => undefined);
        if (attempt === 5) throw error;
      }
    }
  }
  await sleep(warmupS * 1000);
  const encoders = encoderPids(pid);
  await load?.mark();
  probe.mark();
  decoder.mark();
  const before = clients.map((client) => ({ ...client.stats }));
  const both = await measure(pid, encoders, durationS);
  const after = clients.map((client) => ({ ...client.stats }));
  const bothProbe = snapshot(probe.totals);
  const h264Probe = snapshot(decoder.totals);
  const bothMjpegFps = (await load?.report())
    ?.flatMap((report) => report.frames)
    .map((frames) => frames / both.elapsedS) ?? [bothProbe.pictures / both.elapsedS];
  const webrtcFps = after.map(
    (stats, index) => (stats.pictures - before[index].pictures) / both.elapsedS,
  );
  const webrtcMbps = after.map(
    (stats, index) => ((stats.bytes - before[index].bytes) * 8) / both.elapsedS / 1e6,
  );
  const stray = after.reduce((sum, stats) => sum + stats.strayPackets, 0);

  for (const client of clients) await client.disconnect().catch(() => undefined);
  // libdatachannel's threads would keep the process alive after many peer connections.
  cleanup();
  decoder.stop();
  probe.stop();
  await load?.stop();

  const M = options.mjpegViewers;
  const N = options.webrtcViewers;
  console.log(
    '| window | MJPEG viewers | WebRTC viewers | server CPU % | encoder CPU % | server + encoder % | added per viewer: server % | added per viewer: server + encoder % | bench loop delay p99 ms |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|');
  const perMjpeg = M > 0 ? (mjpeg.serverPercent - alone.serverPercent) / M : NaN;
  const perWebrtc = (both.serverPercent - mjpeg.serverPercent) / N;
  const perWebrtcAll = (both.serverPercent + both.encoderPercent - mjpeg.serverPercent) / N;
  for (const [name, m, n, window, added, addedAll] of [
    ['camera + 1 probe', 1, 0, alone, NaN, NaN],
    ['+ MJPEG', M + 1, 0, mjpeg, perMjpeg, perMjpeg],
    ['+ WebRTC', M + 1, N, both, perWebrtc, perWebrtcAll],
  ] as const) {
    console.log(
      `| ${name} | ${m} | ${n} | ${fixed(window.serverPercent)} | ${fixed(window.encoderPercent)} | ` +
        `${fixed(window.serverPercent + window.encoderPercent)} | ${fixed(added, 2)} | ${fixed(addedAll, 2)} | ${fixed(window.loopDelayP99)} |`,
    );
  }
  console.log(
    `\nencoder processes: ${encoders.length} (pids ${encoders.join(', ') || 'none'}); ` +
      `stray RTP packets: ${stray}; offers the client failed to apply (retried): ${failedOffers}\n`,
  );
  console.log(
    '| kind (window) | viewers | Mbit/s per viewer | fps/viewer p50 | fps/viewer min | latency on arrival p50 / p99 ms | glass-to-glass p50 / p99 ms | decode ms p50 | pictures read / unreadable |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|');
  const mbps = (totals: ProbeTotals, window: Window): number =>
    (totals.bytes * 8) / window.elapsedS / 1e6;
  const rows: string[][] = [
    [
      'MJPEG (+ MJPEG)',
      String(M + 1),
      fixed(mbps(mjpegProbe, mjpeg), 2),
      fixed(median(mjpegFps)),
      fixed(Math.min(...mjpegFps)),
      ...latencyColumns(mjpegProbe),
    ],
    [
      'MJPEG (+ WebRTC)',
      String(M + 1),
      fixed(mbps(bothProbe, both), 2),
      fixed(median(bothMjpegFps)),
      fixed(Math.min(...bothMjpegFps)),
      ...latencyColumns(bothProbe),
    ],
    [
      'WebRTC (+ WebRTC)',
      String(N),
      fixed(webrtcMbps.reduce((sum, value) => sum + value, 0) / N, 2),
      fixed(median(webrtcFps)),
      fixed(Math.min(...webrtcFps)),
      ...latencyColumns(h264Probe),
    ],
  ];
  for (const row of rows) console.log(`| ${row.join(' | ')} |`);
}
