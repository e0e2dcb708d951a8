import type { Response } from 'express';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Frame } from '../camera/producer/frame';
import type { FrameWaiter } from '../camera/producer/frame-hub';
import type { MjpegFraming } from './mjpeg-part';

/** Counters shared by all clients of one server; the per-frame path only increments them. */
export interface StreamCounters {
  framesSent: number;
  framesDropped: number;
  bytesSent: number;
}

export interface MjpegClientHost {
  /** The encoded part of `frame` in `framing`, built once and shared by every client. */
  partFor(frame: Frame, framing: MjpegFraming): Buffer;
  clientClosed(client: MjpegClient): void;
}

/**
 * One viewer of /video_feed.
 *
 * It never queues: it writes a frame only when its socket has drained the previous one, and then
 * writes the newest frame there is (µStreamer's rule). Frames published while it was busy are
 * skipped and counted as dropped. Per client it holds a few numbers, never a frame of its own.
 */
export class MjpegClient {
  readonly openedAt = Date.now();
  framesSent = 0;
  framesDropped = 0;
  /** performance.now() when the socket last refused more data, 0 while it is drained. */
  private busySince = 0;
  private lastSentAt = 0;
  private lastSentSeq = 0;
  private nextDueAt = 0;
  private capTimer: NodeJS.Timeout | undefined;
  private closed = false;
  closeReason = 'client disconnected';

  constructor(
    private readonly res: Response,
    private readonly socket: Socket,
    private readonly waiter: FrameWaiter,
    private readonly host: MjpegClientHost,
    /** The counters of this viewer's camera: the per-frame path only increments them. */
    private readonly counters: StreamCounters,
    readonly cameraId: string,
    /** 0 = as fast as the camera; else the minimum time between two frames (?fps=). */
    private readonly minIntervalMs: number,
    readonly remoteAddress: string,
    readonly framing: MjpegFraming,
    readonly session?: string,
  ) {}

  start(): void {
    this.socket.on('drain', this.onDrain);
    this.waitForFrame();
  }

  /** Bytes written but not yet taken by the kernel: at most about one part, by design. */
  get bufferedBytes(): number {
    return this.socket.writableLength;
  }

  get maxFps(): number | null {
    return this.minIntervalMs > 0 ? 1000 / this.minIntervalMs : null;
  }

  /** How long the socket has refused data, in ms (0 when it is keeping up). */
  busyFor(now: number): number {
    return this.busySince === 0 ? 0 : now - this.busySince;
  }

  /**
   * Sends the newest frame again if the viewer has seen nothing for `quietMs`. A still picture
   * (a stalled camera, the "no signal" frame) otherwise stays unpainted in Chromium, which shows a
   * part only once the next one starts (crbug 527446).
   */
  refreshIfQuiet(now: number, quietMs: number): void {
    if (this.closed || this.busySince !== 0 || !this.waiter.isArmed) return;
    if (now - this.lastSentAt < Math.max(quietMs, this.minIntervalMs)) return;
    const frame = this.waiter.latest;
    if (frame === undefined || frame.seq !== this.lastSentSeq) return;
    this.waiter.disarm();
    this.write(this.host.partFor(frame, this.framing), now);
  }

  /** Ends the response cleanly (server shutdown). */
  end(reason: string): void {
    if (this.closed) return;
    this.closeReason = reason;
    this.res.end();
    this.cleanup();
  }

  /** Drops the connection at once (a client that stopped reading). */
  destroy(reason: string): void {
    if (this.closed) return;
    this.closeReason = reason;
    this.res.destroy();
    this.cleanup();
  }

  /**
   * Frames dropped so far, including those skipped while the socket is still busy: a viewer that
   * never drains shows its losses at once, not only when it catches up.
   */
  droppedCount(): number {
    return this.framesDropped + Math.max(0, this.pendingDrops() - 1);
  }

  /** Called when the response closes for any reason. */
  cleanup(): void {
    if (this.closed) return;
    this.closed = true;
    const pending = this.pendingDrops();
    this.framesDropped += pending;
    this.counters.framesDropped += pending;
    if (this.capTimer !== undefined) clearTimeout(this.capTimer);
    this.capTimer = undefined;
    this.socket.off('drain', this.onDrain);
    this.waiter.close();
    this.host.clientClosed(this);
  }

  /** Frames published since the last one this busy viewer got (it may still get the newest). */
  private pendingDrops(): number {
    const latest = this.waiter.latest;
    if (this.busySince === 0 || this.minIntervalMs > 0 || latest === undefined) return 0;
    return Math.max(0, latest.seq - this.lastSentSeq);
  }

  private readonly onFrame = (frame: Frame): void => {
    if (this.closed) return;
    const skipped = frame.seq - this.lastSentSeq - 1;
    if (this.lastSentSeq !== 0 && skipped > 0 && this.minIntervalMs === 0) {
      this.framesDropped += skipped;
      this.counters.framesDropped += skipped;
    }
    this.lastSentSeq = frame.seq;
    this.write(this.host.partFor(frame, this.framing), performance.now());
  };

  private readonly onDrain = (): void => {
    if (this.busySince === 0 || this.closed) return;
    this.busySince = 0;
    this.becomeReady(performance.now());
  };

  private readonly waitForFrame = (): void => {
    this.capTimer = undefined;
    if (!this.closed) this.waiter.arm(this.onFrame);
  };

  private write(part: Buffer, now: number): void {
    const drained = this.socket.write(part);
    this.framesSent += 1;
    this.lastSentAt = now;
    const counters = this.counters;
    counters.framesSent += 1;
    counters.bytesSent += part.length;
    if (drained) this.becomeReady(now);
    else this.busySince = now;
  }

  private becomeReady(now: number): void {
    if (this.minIntervalMs > 0) {
      // Schedule-based, so the long-run rate is exactly the cap; after a pause (no frames, a busy
      // socket) the schedule restarts instead of allowing a burst.
      this.nextDueAt = Math.max(this.nextDueAt + this.minIntervalMs, now + this.minIntervalMs / 2);
      const wait = this.nextDueAt - now;
      if (wait > 1) {
        this.capTimer = setTimeout(this.waitForFrame, wait);
        return;
      }
    }
    this.waitForFrame();
  }
}
