import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { Request, Response } from 'express';
import { performance } from 'node:perf_hooks';
import type { Frame } from '../camera/producer/frame';
import type { Camera } from '../cameras/camera';
import { CameraRegistry } from '../cameras/camera-registry.service';
import { MjpegClient, type MjpegClientHost, type StreamCounters } from './mjpeg-client';
import { MJPEG_CONTENT_TYPE, type MjpegFraming, STREAM_PREAMBLES } from './mjpeg-part';
import { MjpegPartCache } from './mjpeg-part-cache';
import { StreamConfig } from './stream.config';
import { ViewerBudget, type ViewerSource } from './viewer-budget';

const STREAM_HEADERS = {
  'Content-Type': MJPEG_CONTENT_TYPE,
  'Cache-Control': 'no-cache, no-store, must-revalidate, no-transform, max-age=0',
  Pragma: 'no-cache',
  Expires: '0',
  // Tells nginx not to buffer the stream (it would add latency and hold frames back).
  'X-Accel-Buffering': 'no',
};

/** What a refused viewer is told (Retry-After) when the stream is full. */
const RETRY_AFTER_SECONDS = 10;
/** Refusals are summed up in the log at most this often, so a flood of viewers cannot flood it. */
const REFUSAL_LOG_INTERVAL_MS = 10_000;

/** How often stalled viewers are looked for and quiet viewers refreshed. */
const SWEEP_INTERVAL_MS = 1000;
/** A viewer that got no frame for this long is sent the newest one again (see refreshIfQuiet). */
const QUIET_REFRESH_MS = 1500;

export interface StreamClientInfo {
  readonly camera: string;
  readonly remoteAddress: string;
  readonly connectedAt: string;
  readonly framesSent: number;
  readonly framesDropped: number;
  readonly bufferedBytes: number;
  /** How long the viewer's socket has refused data, in ms. */
  readonly stalledMs: number;
  readonly maxFps: number | null;
  readonly framing: MjpegFraming;
}

export interface StreamOptions {
  /** Caps this one viewer's frame rate (?fps=N); undefined = the camera's rate. */
  readonly maxFps?: number;
  /** The page's name for this connection (?session=), to ask later if it is still open. */
  readonly session?: string;
  /** How parts are framed for this client (see mjpeg-part.ts); default content-length. */
  readonly framing?: MjpegFraming;
}

/** One camera's share of the stream: its viewers and what they were sent. */
interface CameraViewers {
  readonly clients: Set<MjpegClient>;
  readonly counters: StreamCounters;
  refused: number;
}

/**
 * Serves the MJPEG streams of every camera: each viewer gets the same pre-built part per frame,
 * written straight to its socket. One timer, running only while someone watches, drops viewers
 * whose socket has not drained for STREAM_DRAIN_TIMEOUT and refreshes viewers of a still picture.
 * MAX_CLIENTS bounds the viewers of all cameras together, a camera's maxClients its own.
 */
@Injectable()
export class MjpegStreamService
  implements MjpegClientHost, ViewerSource, OnModuleInit, OnModuleDestroy
{
  private readonly logger = new Logger('Stream');
  private readonly clients = new Set<MjpegClient>();
  private readonly sessions = new Map<string, MjpegClient>();
  private readonly byCamera = new Map<string, CameraViewers>();
  private readonly parts = new MjpegPartCache();
  private sweeper: NodeJS.Timeout | undefined;
  private refused = 0;
  private refusedLogged = 0;
  private lastRefusalLog = 0;
  private closing = false;
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly registry: CameraRegistry,
    private readonly config: StreamConfig,
    private readonly budget: ViewerBudget,
  ) {
    budget.register(this);
  }

  get viewerCount(): number {
    return this.clients.size;
  }

  viewerCountOf(cameraId: string): number {
    return this.clientCountOf(cameraId);
  }

  onModuleInit(): void {
    this.unsubscribe = this.registry.onChange((event) => {
      if (event.kind === 'removed') this.endCamera(event.camera.id, 'camera removed');
    });
  }

  get clientCount(): number {
    return this.clients.size;
  }

  /** Viewers refused because of MAX_CLIENTS or a camera's maxClients, since the start. */
  get refusedCount(): number {
    return this.refused;
  }

  /** Counters of every camera that has had viewers, for metrics. */
  cameraCounters(): Array<{
    camera: string;
    clients: number;
    refused: number;
    counters: StreamCounters;
    framesDropped: number;
  }> {
    return [...this.byCamera.entries()].map(([camera, viewers]) => {
      let pending = 0;
      for (const client of viewers.clients) pending += client.droppedCount() - client.framesDropped;
      return {
        camera,
        clients: viewers.clients.size,
        refused: viewers.refused,
        counters: viewers.counters,
        framesDropped: viewers.counters.framesDropped + pending,
      };
    });
  }

  /** Viewers of one camera now. */
  clientCountOf(cameraId: string): number {
    return this.byCamera.get(cameraId)?.clients.size ?? 0;
  }

  describeClients(): StreamClientInfo[] {
    const now = performance.now();
    return [...this.clients].map((client) => this.describe(client, now));
  }

  private describe(client: MjpegClient, now: number): StreamClientInfo {
    return {
      camera: client.cameraId,
      remoteAddress: client.remoteAddress,
      connectedAt: new Date(client.openedAt).toISOString(),
      framesSent: client.framesSent,
      framesDropped: client.droppedCount(),
      bufferedBytes: client.bufferedBytes,
      stalledMs: Math.round(client.busyFor(now)),
      maxFps: client.maxFps,
      framing: client.framing,
    };
  }

  open(camera: Camera, req: Request, res: Response, options: StreamOptions = {}): void {
    const viewers = this.viewersOf(camera.id);
    const refusal = this.budget.refusal(camera.id, camera.maxClients);
    if (refusal !== undefined) {
      this.refuse(res, viewers, refusal);
      return;
    }
    // Close-delimited instead of chunked: one write per part and no chunk framing per frame. The
    // stream never ends by itself, so the connection is not reusable anyway.
    res.useChunkedEncodingByDefault = false;
    res.writeHead(200, STREAM_HEADERS);
    if (req.method === 'HEAD' || this.closing) {
      res.end();
      return;
    }
    res.flushHeaders();
    const socket = res.socket;
    if (socket === null || socket.destroyed) return;
    const framing = options.framing ?? 'content-length';
    socket.write(STREAM_PREAMBLES[framing]);

    const minIntervalMs = options.maxFps ? 1000 / options.maxFps : 0;
    const remote = req.ip ?? socket.remoteAddress ?? 'unknown';
    const client = new MjpegClient(
      res,
      socket,
      camera.producer.subscribe(),
      this,
      viewers.counters,
      camera.id,
      minIntervalMs,
      remote,
      framing,
      options.session,
    );
    this.clients.add(client);
    viewers.clients.add(client);
    if (options.session !== undefined) this.sessions.set(options.session, client);
    res.once('close', () => client.cleanup());
    this.startSweeper();
    client.start();
  }

  /** Full: a 503 that tells the browser when to try again; existing viewers are not touched. */
  private refuse(res: Response, viewers: CameraViewers, message: string): void {
    this.refused += 1;
    viewers.refused += 1;
    const now = Date.now();
    if (now - this.lastRefusalLog >= REFUSAL_LOG_INTERVAL_MS) {
      this.lastRefusalLog = now;
      this.logger.warn(`${message}: refused ${this.refused - this.refusedLogged} viewer(s)`);
      this.refusedLogged = this.refused;
    }
    res.setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
    res.setHeader('Cache-Control', 'no-store');
    res.status(503).json({
      statusCode: 503,
      error: 'Service Unavailable',
      message: `${message}; try again in ${RETRY_AFTER_SECONDS} s`,
    });
  }

  partFor(frame: Frame, framing: MjpegFraming): Buffer {
    return this.parts.partFor(frame, framing);
  }

  /** The open stream a page named `session` (of `cameraId`, if given), if it is still open. */
  session(session: string, cameraId?: string): StreamClientInfo | undefined {
    const client = this.sessions.get(session);
    if (client === undefined || (cameraId !== undefined && client.cameraId !== cameraId))
      return undefined;
    return this.describe(client, performance.now());
  }

  clientClosed(client: MjpegClient): void {
    if (!this.clients.delete(client)) return;
    this.byCamera.get(client.cameraId)?.clients.delete(client);
    if (client.session !== undefined && this.sessions.get(client.session) === client)
      this.sessions.delete(client.session);
    const endedAt = Date.now();
    const seconds = ((endedAt - client.openedAt) / 1000).toFixed(1);
    // The one access line of a viewing session: never one per frame.
    this.logger.log({
      msg:
        `stream ${client.remoteAddress} of ${client.cameraId} ended (${client.closeReason}): ` +
        `${client.framesSent} frames sent, ${client.framesDropped} dropped, ${seconds} s`,
      event: 'stream',
      camera: client.cameraId,
      remote: client.remoteAddress,
      session: client.session,
      startedAt: new Date(client.openedAt).toISOString(),
      endedAt: new Date(endedAt).toISOString(),
      durationMs: endedAt - client.openedAt,
      framesSent: client.framesSent,
      framesDropped: client.framesDropped,
      maxFps: client.maxFps,
      framing: client.framing,
      reason: client.closeReason,
    });
    if (this.clients.size === 0) this.stopSweeper();
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
    this.closing = true;
    for (const client of [...this.clients]) client.end('server shutting down');
    this.stopSweeper();
  }

  /** Ends every viewer of a camera cleanly (it left the cameras file). */
  private endCamera(cameraId: string, reason: string): void {
    const viewers = this.byCamera.get(cameraId);
    if (viewers === undefined) return;
    for (const client of [...viewers.clients]) client.end(reason);
    this.byCamera.delete(cameraId);
  }

  private viewersOf(cameraId: string): CameraViewers {
    let viewers = this.byCamera.get(cameraId);
    if (viewers === undefined) {
      viewers = {
        clients: new Set(),
        counters: { framesSent: 0, framesDropped: 0, bytesSent: 0 },
        refused: 0,
      };
      this.byCamera.set(cameraId, viewers);
    }
    return viewers;
  }

  private startSweeper(): void {
    if (this.sweeper !== undefined) return;
    this.sweeper = setInterval(() => this.sweep(), SWEEP_INTERVAL_MS);
    this.sweeper.unref();
  }

  private stopSweeper(): void {
    if (this.sweeper === undefined) return;
    clearInterval(this.sweeper);
    this.sweeper = undefined;
  }

  private sweep(): void {
    const now = performance.now();
    for (const client of this.clients) {
      if (client.busyFor(now) > this.config.drainTimeoutMs) {
        client.destroy(`not reading for ${this.config.drainTimeoutMs / 1000} s`);
      } else {
        client.refreshIfQuiet(now, QUIET_REFRESH_MS);
      }
    }
  }
}
