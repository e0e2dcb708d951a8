/*
 * One load-generating process of the benchmark. It opens stream connections with node:net, frames
 * each multipart part by its Content-Length (body bytes are counted, never copied or scanned) and
 * measures capture-to-delivery latency from X-Timestamp. Driven by bench.ts over IPC.
 *
 * Reads go into one static buffer per process (net's `onread`), so reading allocates nothing: the
 * load generator must stay cheaper than the server it measures.
 */
import net from 'node:net';
import { performance } from 'node:perf_hooks';

export type WorkerCommand =
  | { cmd: 'connect'; host: string; port: number; path: string; count: number }
  | { cmd: 'ready' }
  | { cmd: 'status'; since: number }
  | { cmd: 'mark' }
  | { cmd: 'report' }
  | { cmd: 'close' };

export interface WorkerReport {
  frames: number[];
  /** Latency histogram in 0.1 ms buckets; the last bucket collects everything above. */
  latency: number[];
  bytes: number;
  disconnects: number;
  cpuMs: number;
}

export interface WorkerStatus {
  /** Connections still open. */
  open: number;
  /** Open connections whose newest camera frame (not a placeholder) was captured at or after `since`. */
  liveSince: number;
  /** Connections closed by the server after they had received frames, since the worker started. */
  closedByServer: number;
  /** Parts received, all connections together, since the worker started. */
  parts: number;
  placeholders: number;
}

export const LATENCY_BUCKETS = 20_000; // 0–2 s in 0.1 ms steps

const READ_BUFFER = Buffer.allocUnsafe(256 * 1024);
const HEADER_LIMIT = 2048;
/*
 * camfeed marks its "no signal" picture with a JPEG comment right after the JFIF header, so the
 * first bytes of a body tell a placeholder from a camera frame without scanning the image.
 */
const PLACEHOLDER_MARK = Buffer.from('camfeed:placeholder', 'latin1');
const PROBE_BYTES = 128;
const nowMs = (): number => performance.timeOrigin + performance.now();
const latency = new Uint32Array(LATENCY_BUCKETS);
let bytes = 0;
let totalParts = 0;
let totalPlaceholders = 0;
let closedByServer = 0;

const enum State {
  ResponseHeaders,
  PartHeaders,
  Body,
  Trailer,
}

const PREAMBLE = '--frame\r\n'.length;
const TRAILER = '\r\n--frame\r\n'.length;

class StreamConnection {
  frames = 0;
  placeholders = 0;
  /** Capture time (epoch ms) of the newest camera frame received. */
  lastLiveAt = 0;
  open = true;
  private readonly probe = Buffer.allocUnsafe(PROBE_BYTES);
  private probed = 0;
  private state = State.ResponseHeaders;
  private header = '';
  private left = 0;
  private timestamp = 0;

  /** Consumes `length` bytes of READ_BUFFER. */
  consume(length: number): void {
    bytes += length;
    let pos = 0;
    while (pos < length) {
      if (this.state === State.Body || this.state === State.Trailer) {
        const take = Math.min(this.left, length - pos);
        if (this.state === State.Body && this.probed < PROBE_BYTES) {
          const copy = Math.min(take, PROBE_BYTES - this.probed);
          READ_BUFFER.copy(this.probe, this.probed, pos, pos + copy);
          this.probed += copy;
        }
        this.left -= take;
        pos += take;
        if (this.left > 0) continue;
        if (this.state === State.Body) {
          this.onPart();
          this.state = State.Trailer;
          this.left = TRAILER;
        } else {
          this.state = State.PartHeaders;
        }
        continue;
      }
      // Headers are short: collect them as text up to the blank line.
      const end = READ_BUFFER.indexOf('\r\n\r\n', pos, 'latin1');
      const stop = end >= 0 && end < length ? end + 4 : length;
      this.header += READ_BUFFER.toString('latin1', pos, stop);
      pos = stop;
      const blank = this.header.indexOf('\r\n\r\n');
      if (blank < 0) {
        if (this.header.length > HEADER_LIMIT) throw new Error('header section too long');
        continue;
      }
      const head = this.header.slice(0, blank);
      const rest = this.header.length - (blank + 4);
      this.header = '';
      pos -= rest;
      if (this.state === State.ResponseHeaders) {
        this.state = State.Trailer; // skip the preamble like a trailer
        this.left = PREAMBLE;
        continue;
      }
      const lengthMatch = /Content-Length: (\d+)/i.exec(head);
      if (lengthMatch === null) throw new Error(`part without Content-Length: ${head}`);
      const stamp = /X-Timestamp: ([\d.]+)/i.exec(head);
      this.timestamp = stamp ? Number(stamp[1]) * 1000 : 0;
      this.left = Number(lengthMatch[1]);
      this.probed = 0;
      this.state = State.Body;
    }
  }

  private onPart(): void {
    this.frames += 1;
    totalParts += 1;
    if (this.probe.subarray(0, this.probed).includes(PLACEHOLDER_MARK)) {
      this.placeholders += 1;
      totalPlaceholders += 1;
    } else {
      this.lastLiveAt = this.timestamp;
    }
    if (this.timestamp > 0) {
      const bucket = Math.round((nowMs() - this.timestamp) * 10);
      latency[Math.min(LATENCY_BUCKETS - 1, Math.max(0, bucket))] += 1;
    }
  }
}

const connections: StreamConnection[] = [];
const sockets: net.Socket[] = [];
let disconnects = 0;
let connectErrors = 0;
let marks: number[] = [];
let cpuMark = process.cpuUsage();

async function open(host: string, port: number, path: string): Promise<void> {
  return new Promise<void>((resolve) => {
    const connection = new StreamConnection();
    const socket = net.connect({
      host,
      port,
      noDelay: true,
      onread: {
        buffer: READ_BUFFER,
        callback: (length: number): boolean => {
          connection.consume(length);
          return true;
        },
      },
    });
    socket.once('connect', () => {
      socket.write(`GET ${path} HTTP/1.1\r\nHost: ${host}\r\n\r\n`);
      connections.push(connection);
      sockets.push(socket);
      resolve();
    });
    socket.on('error', () => {
      if (!connection.open) return;
      connectErrors += 1;
      resolve();
    });
    socket.on('close', () => {
      if (connection.open && connection.frames > 0) {
        disconnects += 1;
        closedByServer += 1;
      }
      connection.open = false;
    });
  });
}

async function connect(command: Extract<WorkerCommand, { cmd: 'connect' }>): Promise<void> {
  const batch = 50;
  for (let opened = 0; opened < command.count; opened += batch) {
    const size = Math.min(batch, command.count - opened);
    await Promise.all(
      Array.from({ length: size }, async () => open(command.host, command.port, command.path)),
    );
  }
}

// A parent that died (a benchmark interrupted, a test that timed out) must not leave viewers behind.
process.on('disconnect', () => process.exit(0));

process.on('message', (message: WorkerCommand) => {
  const reply = (value: unknown): boolean => process.send?.(value) ?? false;
  switch (message.cmd) {
    case 'connect':
      void connect(message).then(() =>
        reply({ connected: connections.length, errors: connectErrors }),
      );
      break;
    case 'ready':
      reply({ receiving: connections.filter((connection) => connection.frames > 0).length });
      break;
    case 'status': {
      const open = connections.filter((connection) => connection.open);
      const status: WorkerStatus = {
        open: open.length,
        liveSince: open.filter((connection) => connection.lastLiveAt >= message.since).length,
        closedByServer,
        parts: totalParts,
        placeholders: totalPlaceholders,
      };
      reply(status);
      break;
    }
    case 'mark':
      latency.fill(0);
      bytes = 0;
      disconnects = 0;
      marks = connections.map((connection) => connection.frames);
      cpuMark = process.cpuUsage();
      reply({ ok: true });
      break;
    case 'report': {
      const cpu = process.cpuUsage(cpuMark);
      const report: WorkerReport = {
        frames: connections.map((connection, index) => connection.frames - (marks[index] ?? 0)),
        latency: Array.from(latency),
        bytes,
        disconnects,
        cpuMs: (cpu.user + cpu.system) / 1000,
      };
      reply(report);
      break;
    }
    case 'close':
      for (const connection of connections) connection.open = false;
      for (const socket of sockets) socket.destroy();
      connections.length = 0;
      sockets.length = 0;
      reply({ ok: true });
      break;
  }
});
