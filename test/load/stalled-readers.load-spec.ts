import type net from 'node:net';
import { LoadGenerator } from '../bench/load-generator';
import { heapUsedAfterGc, metric, openFileCount, scrape } from '../utils/server-probe';
import type { ServerProcess } from '../utils/server-process';
import { delay } from '../utils/wait-for';
import { openStalledReader, portOf, startStreamServer } from './stream-server';

const MB = 1024 * 1024;
const FPS = 30;

/** Waits until the server reports every one of `stalled` viewers as skipping frames. */
async function waitUntilStalled(server: ServerProcess, stalled: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  let previous = metric(await scrape(server.baseUrl), 'camfeed_frames_dropped_total');
  for (;;) {
    await delay(1000);
    const dropped = metric(await scrape(server.baseUrl), 'camfeed_frames_dropped_total');
    // Each stalled viewer skips almost every frame once the kernel's buffers for it are full.
    if (dropped - previous >= stalled * FPS * 0.8) return;
    if (Date.now() > deadline)
      throw new Error(
        `the server never skipped frames for the stalled readers: it is buffering for them`,
      );
    previous = dropped;
  }
}

async function healthyRates(load: LoadGenerator, windowMs: number): Promise<number[]> {
  await load.mark();
  const startedAt = performance.now();
  await delay(windowMs);
  const reports = await load.report();
  const seconds = (performance.now() - startedAt) / 1000;
  return reports.flatMap((report) => report.frames).map((frames) => frames / seconds);
}

describe('viewers that stop reading', () => {
  let server: ServerProcess | undefined;
  let load: LoadGenerator | undefined;
  const stalled: net.Socket[] = [];

  afterEach(async () => {
    for (const socket of stalled.splice(0)) socket.destroy();
    await load?.stop();
    await server?.stop();
    load = undefined;
    server = undefined;
  });

  it('50 stalled readers leave 20 others at full rate, and the server memory stays flat', async () => {
    server = await startStreamServer({ STREAM_DRAIN_TIMEOUT: '300' });
    const port = portOf(server);
    load = LoadGenerator.start(1);
    expect(await load.connect(port, '/video_feed', 20)).toBe(20);
    expect(await load.waitReceiving(20, 10_000)).toBe(20);
    const alone = await healthyRates(load, 3000);
    const heapBefore = await heapUsedAfterGc(server);

    for (let i = 0; i < 50; i++) stalled.push(await openStalledReader(port));
    await waitUntilStalled(server, 50);
    const heapStalled = await heapUsedAfterGc(server);
    const rates = await healthyRates(load, 5000);
    // Time passes with 50 viewers still stalled: nothing may pile up for them.
    await delay(5000);
    const heapLater = await heapUsedAfterGc(server);
    const metrics = await scrape(server.baseUrl);

    console.log(
      `20 viewers alone: ≥ ${Math.min(...alone).toFixed(1)} fps; with 50 stalled: ` +
        `≥ ${Math.min(...rates).toFixed(1)} fps; heap after GC ${(heapBefore / MB).toFixed(1)} → ` +
        `${(heapStalled / MB).toFixed(1)} → ${(heapLater / MB).toFixed(1)} MB 5 s later`,
    );
    expect(Math.min(...alone)).toBeGreaterThanOrEqual(FPS * 0.9);
    expect(Math.min(...rates)).toBeGreaterThanOrEqual(FPS * 0.9);
    expect(metric(metrics, 'camfeed_stream_clients')).toBe(70);
    expect((await load.status()).closedByServer).toBe(0);
    // 50 viewers that hold on to nothing: their state is a few hundred bytes each, and the part
    // a socket could not take is the shared frame buffer, not a copy.
    expect(heapStalled - heapBefore).toBeLessThan(2 * MB);
    expect(heapLater - heapStalled).toBeLessThan(0.5 * MB);
  });

  it('drops viewers whose socket has not drained for STREAM_DRAIN_TIMEOUT, and no one else', async () => {
    const drainTimeoutS = 3;
    server = await startStreamServer({ STREAM_DRAIN_TIMEOUT: String(drainTimeoutS) });
    const port = portOf(server);
    load = LoadGenerator.start(1);
    expect(await load.connect(port, '/video_feed', 10)).toBe(10);
    expect(await load.waitReceiving(10, 10_000)).toBe(10);
    const filesBefore = await openFileCount(server.pid);

    // Like a peer that vanished without a FIN (power cut, Wi-Fi gone): the server's writes stop
    // draining and nothing else ever happens on the socket.
    for (let i = 0; i < 20; i++) stalled.push(await openStalledReader(port));
    const openedAt = Date.now();
    let clients = 30;
    while (clients > 10 && Date.now() - openedAt < 30_000) {
      await delay(250);
      clients = metric(await scrape(server.baseUrl), 'camfeed_stream_clients');
    }
    const droppedAfterMs = Date.now() - openedAt;
    const rates = await healthyRates(load, 3000);

    expect(clients).toBe(10);
    // Not before the timeout: first the kernel's buffers fill, then the timeout runs.
    expect(droppedAfterMs).toBeGreaterThanOrEqual(drainTimeoutS * 1000);
    expect((await load.status()).closedByServer).toBe(0);
    expect(Math.min(...rates)).toBeGreaterThanOrEqual(FPS * 0.9);
    expect(await openFileCount(server.pid)).toBeLessThanOrEqual(filesBefore);
  });
});
