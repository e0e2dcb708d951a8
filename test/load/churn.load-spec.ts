import net from 'node:net';
import { LoadGenerator } from '../bench/load-generator';
import { heapUsedAfterGc, metric, openFileCount, scrape } from '../utils/server-probe';
import type { ServerProcess } from '../utils/server-process';
import { getJson } from '../utils/test-app';
import { delay } from '../utils/wait-for';
import { portOf, startStreamServer } from './stream-server';

const MB = 1024 * 1024;
const CYCLES = 10_000;
const CONCURRENCY = 100;

/** The ways a viewer leaves: before any answer, after the headers, after a frame, capped by ?fps. */
type Leave = 'at-once' | 'after-headers' | 'after-frame' | 'capped-after-frame';
const LEAVES: Leave[] = ['at-once', 'after-headers', 'after-frame', 'capped-after-frame'];

/** One viewer that connects, asks for the stream, leaves as `leave` says, and is gone. */
async function visit(port: number, leave: Leave): Promise<void> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const path = leave === 'capped-after-frame' ? '/video_feed?fps=2' : '/video_feed';
    let received = 0;
    socket.once('connect', () => {
      socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`);
      if (leave === 'at-once') socket.destroy();
    });
    socket.on('data', (chunk: Buffer) => {
      received += chunk.length;
      // ~50 KB frames: 20 KB in, the first part has certainly started arriving.
      if (leave === 'after-headers' || received > 20_000) socket.destroy();
    });
    socket.on('error', () => undefined);
    socket.once('close', () => resolve());
  });
}

async function churn(port: number, cycles: number): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < cycles) {
        const index = next++;
        await visit(port, LEAVES[index % LEAVES.length]);
      }
    }),
  );
}

interface Resources {
  files: number;
  heap: number;
  sockets: number;
  timers: number;
  consumers: number;
}

async function resources(server: ServerProcess): Promise<Resources> {
  const heap = await heapUsedAfterGc(server);
  const metrics = await scrape(server.baseUrl);
  const status = await getJson<{ clients: number }>(`${server.baseUrl}/camera/status`);
  return {
    files: await openFileCount(server.pid),
    heap,
    sockets: metric(metrics, 'nodejs_active_resources', { type: 'TCPSocketWrap' }),
    timers: metric(metrics, 'nodejs_active_resources', { type: 'Timeout' }),
    consumers: status.body.clients,
  };
}

describe('connect/disconnect churn', () => {
  let server: ServerProcess;
  let load: LoadGenerator;

  beforeAll(async () => {
    server = await startStreamServer({ CAMERA_IDLE_TIMEOUT: '60' });
    load = LoadGenerator.start(1);
  });

  afterAll(async () => {
    await load.stop();
    await server.stop();
  });

  it(`${CYCLES} viewers coming and going leak no sockets, files, timers, consumers or heap`, async () => {
    const port = portOf(server);
    // One viewer stays throughout, so the camera keeps running and the steady state is the same
    // before and after.
    expect(await load.connect(port, '/video_feed', 1)).toBe(1);
    expect(await load.waitReceiving(1, 10_000)).toBe(1);
    // Warm-up: lazily created things (JIT code, pools, caches) exist before the baseline.
    await churn(port, 3000);
    const settle = async (): Promise<void> => {
      const deadline = Date.now() + 10_000;
      while (metric(await scrape(server.baseUrl), 'camfeed_stream_clients') !== 1) {
        if (Date.now() > deadline) throw new Error('viewers did not all leave');
        await delay(100);
      }
      await delay(500);
    };
    await settle();
    const before = await resources(server);

    await load.mark();
    await churn(port, CYCLES);
    await settle();
    const after = await resources(server);
    const [steady] = await load.report();

    console.log(
      `${CYCLES} stream visits: files ${before.files} → ${after.files}, sockets ${before.sockets} → ` +
        `${after.sockets}, timers ${before.timers} → ${after.timers}, camera consumers ` +
        `${before.consumers} → ${after.consumers}, heap after GC ${(before.heap / MB).toFixed(2)} → ` +
        `${(after.heap / MB).toFixed(2)} MB`,
    );
    expect(after.consumers).toBe(1);
    expect(after.sockets).toBe(before.sockets);
    expect(after.timers).toBeLessThanOrEqual(before.timers);
    expect(after.files).toBeLessThanOrEqual(before.files);
    // 10 000 cycles: a leak of even 100 bytes each would show as 1 MB.
    expect(after.heap - before.heap).toBeLessThan(1 * MB);
    expect(server.output).not.toMatch(/MaxListenersExceeded|memory leak/i);
    // The viewer who stayed was never dropped and kept receiving meanwhile.
    expect(steady.disconnects).toBe(0);
    expect(steady.frames[0]).toBeGreaterThan(0);
  });
});
