import type { LoggerService } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { sleep } from '../../common/abortable-sleep';
import { type Redact, redactUrls } from '../../common/redact-secrets';
import type { AccessUnit } from '../../h264/avc';
import { findFfmpeg } from '../drivers/ffmpeg-binary';
import type { Frame } from '../producer/frame';
import type { FrameProducer } from '../producer/frame-producer';
import { H264Fanout, type H264Viewer } from './h264-fanout';
import { encodeJpegFrames, findH264Encoder, type H264EncoderTool } from './h264-encoder';

export const H264_STATES = ['idle', 'starting', 'running', 'retrying', 'unavailable'] as const;
export type H264State = (typeof H264_STATES)[number];

/** What GET /cameras/:id/status says of the camera's H.264 stream (WebRTC). */
export class H264Status {
  @ApiProperty({ enum: H264_STATES }) readonly state!: H264State;
  @ApiProperty({
    nullable: true,
    enum: ['libx264', 'h264_v4l2m2m', 'passthrough'],
    description:
      'What encodes it: an encoder of the JPEGs, or `passthrough` where the camera sends H.264 itself and it is passed on untouched',
  })
  readonly encoder!: string | null;
  @ApiProperty({ description: 'WebRTC viewers of this camera' }) readonly viewers!: number;
  @ApiProperty() readonly keyframes!: number;
  @ApiProperty({ description: 'Times the encoder failed and was started again' })
  readonly restarts!: number;
  @ApiProperty({ nullable: true }) readonly lastError!: string | null;
}

export type { H264Viewer };

/** Where WebRTC viewers get a camera's H.264: this node's encoder, or a camera node's over NATS. */
export interface H264Source {
  /** Adds a viewer, which gets the current GOP at once and then every new picture. */
  subscribe(viewer: H264Viewer): { close(): void; resync(): void };
  status(): H264Status;
}

export interface H264StreamOptions {
  readonly producer: FrameProducer;
  readonly ffmpegPath?: string;
  /** Read at each encoder start: the settings of the moment. */
  readonly settings: () => {
    readonly framerate: number;
    readonly bitrate: number;
    readonly keyframeInterval: number;
  };
  readonly idleTimeoutMs: number;
  readonly logger: LoggerService;
  readonly redact?: Redact;
}

const RETRY_MIN_MS = 500;
const RETRY_MAX_MS = 10_000;

const describe = (error: unknown): string =>
  error instanceof Error ? error.message : String(error);

/**
 * One camera's H.264, encoded once from its own frames and shared by every WebRTC viewer: one
 * capture feeds MJPEG and H.264 alike, so the device is never opened twice. It runs while someone
 * watches and stops the idle timeout after the last viewer leaves (and so lets the camera stop).
 * The pictures since the last keyframe are kept, so a viewer who joins gets a decodable picture at
 * once instead of waiting for the next keyframe.
 *
 * A camera that sends H.264 itself (a driver whose `h264Passthrough()` is true) is not encoded:
 * its pictures come from the capture, untouched, and no encoder process runs.
 */
export class H264Stream implements H264Source {
  private readonly fanout = new H264Fanout({
    joined: () => {
      this.cancelIdleStop();
      if (this.run === undefined && !this.destroyed) this.start();
    },
    left: () => this.scheduleIdleStop(),
  });
  private readonly redact: Redact;
  private run: { abort: AbortController; done: Promise<void> } | undefined;
  private previousRun: Promise<void> = Promise.resolve();
  private idleTimer: NodeJS.Timeout | undefined;
  private tool: Promise<H264EncoderTool | undefined> | undefined;
  private state: H264State = 'idle';
  private encoder: string | null = null;
  private restarts = 0;
  private lastError: string | null = null;
  private destroyed = false;
  /** Subscriptions to the camera's frames this stream holds (its encoder's or passthrough's). */
  private frameHolds = 0;

  constructor(private readonly options: H264StreamOptions) {
    this.redact = options.redact ?? redactUrls;
  }

  get viewerCount(): number {
    return this.fanout.viewerCount;
  }

  /** Whether it keeps the camera's capture running: a consumer of frames that is no viewer. */
  get holdsCamera(): boolean {
    return this.frameHolds > 0;
  }

  /**
   * Adds a viewer: it gets the current GOP at once (a keyframe with its parameter sets and what
   * followed), then every new picture. `close()` of the result removes it again.
   */
  subscribe(viewer: H264Viewer): { close(): void; resync(): void } {
    return this.fanout.subscribe(viewer);
  }

  status(): H264Status {
    return {
      state: this.state,
      encoder: this.encoder,
      viewers: this.fanout.viewerCount,
      keyframes: this.fanout.keyframes,
      restarts: this.restarts,
      lastError: this.lastError,
    };
  }

  /** New settings (size, rate, bitrate, keyframe interval): a running encoder starts again. */
  restart(): void {
    if (this.run === undefined || this.destroyed) return;
    void this.stop();
    this.start();
  }

  async destroy(): Promise<void> {
    this.destroyed = true;
    this.cancelIdleStop();
    await this.stop();
  }

  private scheduleIdleStop(): void {
    if (this.fanout.viewerCount > 0 || this.run === undefined || this.destroyed) return;
    this.cancelIdleStop();
    this.idleTimer = setTimeout(() => {
      this.idleTimer = undefined;
      if (this.fanout.viewerCount === 0) void this.stop();
    }, this.options.idleTimeoutMs);
    this.idleTimer.unref();
  }

  private cancelIdleStop(): void {
    if (this.idleTimer !== undefined) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
  }

  private start(): void {
    const abort = new AbortController();
    const done = this.previousRun
      .then(async () => this.loop(abort.signal))
      .catch((error: unknown) => {
        this.options.logger.error(this.redact(`H.264 loop crashed: ${describe(error)}`));
      });
    this.run = { abort, done };
    this.previousRun = done;
    this.state = 'starting';
  }

  private async stop(): Promise<void> {
    const run = this.run;
    if (run === undefined) return this.previousRun;
    this.run = undefined;
    run.abort.abort(new Error('stopped'));
    this.fanout.restart();
    await run.done;
    if (this.run === undefined && this.state !== 'unavailable') this.state = 'idle';
  }

  private async encoderTool(): Promise<H264EncoderTool | undefined> {
    this.tool ??= (async () => {
      const ffmpeg = await findFfmpeg(this.options.ffmpegPath);
      return findH264Encoder(ffmpeg.path);
    })().catch((error: unknown) => {
      this.tool = undefined;
      throw error;
    });
    return this.tool;
  }

  private async loop(signal: AbortSignal): Promise<void> {
    let retryMs = RETRY_MIN_MS;
    while (!signal.aborted) {
      let pictures = 0;
      try {
        if (await this.options.producer.h264Passthrough()) {
          this.encoder = 'passthrough';
          // Returns only when stopped: the capture's failures are the producer's to retry.
          await this.passThrough(signal);
          return;
        }
        const tool = await this.encoderTool();
        if (tool === undefined) {
          this.state = 'unavailable';
          this.lastError = 'this ffmpeg has no H.264 encoder (libx264 or h264_v4l2m2m)';
          this.options.logger.warn(`WebRTC for this camera is off: ${this.lastError}`);
          return;
        }
        this.encoder = tool.encoder;
        pictures = await this.encodeOnce(tool, signal);
      } catch (error) {
        if (signal.aborted) return;
        this.lastError = this.redact(describe(error));
      }
      if (signal.aborted) return;
      if (pictures > 0) retryMs = RETRY_MIN_MS;
      this.restarts += 1;
      this.state = 'retrying';
      this.options.logger.warn(
        `H.264 encoder stopped${this.lastError ? `: ${this.lastError}` : ''}; retrying in ${retryMs / 1000} s`,
      );
      if (!(await sleep(retryMs, signal))) return;
      retryMs = Math.min(retryMs * 2, RETRY_MAX_MS);
    }
  }

  /**
   * The camera's own H.264 from the running capture, until stop. Subscribing keeps the capture
   * running (and starts it), as for an encoder; its failures and restarts are the producer's.
   * Nothing here can ask the camera for a keyframe: the GOP kept by `publish` is what lets a
   * joining viewer start at once, and a viewer who comes before the first keyframe waits for the
   * camera's next one (its keyframe interval, often 1–4 s).
   */
  private async passThrough(signal: AbortSignal): Promise<void> {
    const waiter = this.options.producer.subscribe();
    this.frameHolds += 1;
    let pictures = 0;
    const release = this.options.producer.takeH264((unit) => {
      if (signal.aborted) return;
      pictures += 1;
      if (pictures === 1) {
        this.state = 'running';
        this.lastError = null;
      }
      this.publish(unit);
    });
    try {
      await new Promise<void>((resolve) => {
        if (signal.aborted) resolve();
        else signal.addEventListener('abort', () => resolve(), { once: true });
      });
    } finally {
      release();
      waiter.close();
      this.frameHolds -= 1;
      this.fanout.restart();
    }
  }

  /** One encoder process, fed from the camera, until it fails, the picture changes size, or stop. */
  private async encodeOnce(tool: H264EncoderTool, signal: AbortSignal): Promise<number> {
    const attempt = new AbortController();
    const forward = (): void => attempt.abort(signal.reason);
    signal.addEventListener('abort', forward, { once: true });
    const waiter = this.options.producer.subscribe();
    this.frameHolds += 1;
    let size: string | undefined;
    // x264 cannot change size mid-stream: a new size (a settings change) starts a new encoder.
    const accept = (frame: Frame): boolean => {
      const current = `${frame.width}x${frame.height}`;
      size ??= current;
      if (current === size) return true;
      attempt.abort(new Error(`the picture changed size to ${current}`));
      return false;
    };
    const settings = this.options.settings();
    let pictures = 0;
    try {
      for await (const unit of encodeJpegFrames(
        {
          tool,
          bitrateKbps: settings.bitrate,
          keyframeIntervalS: settings.keyframeInterval,
          framerate: settings.framerate,
          waiter,
          logger: this.options.logger,
          accept,
        },
        attempt.signal,
      )) {
        if (attempt.signal.aborted) break;
        pictures += 1;
        if (pictures === 1) {
          this.state = 'running';
          this.lastError = null;
        }
        this.publish(unit);
      }
      if (!attempt.signal.aborted) throw new Error('the encoder ended');
    } catch (error) {
      if (!attempt.signal.aborted || signal.aborted) throw error;
    } finally {
      signal.removeEventListener('abort', forward);
      waiter.close();
      this.frameHolds -= 1;
      this.fanout.restart();
    }
    return pictures;
  }

  private publish(unit: AccessUnit): void {
    this.fanout.publish(unit);
  }
}
