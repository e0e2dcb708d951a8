import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { sleep } from '../common/abortable-sleep';
import { CameraConfig } from '../config/app-config';
import { CAMERA_DRIVER } from './camera.constants';
import type { CameraDriver, CameraSettings } from './camera-driver.interface';
import { epochMs } from './clock';
import type { Frame } from './frame';
import { FrameHub, FrameWaiter } from './frame-waiter';
import { readJpegDimensions } from './jpeg/jpeg-dimensions';
import { RateMeter } from './rate-meter';

export type CameraState = 'idle' | 'starting' | 'running' | 'retrying' | 'stopping';

export interface CameraStatus {
  readonly driver: string;
  readonly state: CameraState;
  readonly running: boolean;
  readonly clients: number;
  readonly settings: CameraSettings;
  /** Size of the newest frame, which is what viewers actually get. */
  readonly frameSize: { width: number; height: number } | null;
  readonly measuredFps: number;
  readonly framesCaptured: number;
  readonly lastFrameAt: string | null;
  readonly restarts: number;
  readonly lastError: string | null;
  readonly lastErrorAt: string | null;
}

interface CaptureRun {
  readonly abort: AbortController;
  readonly done: Promise<void>;
}

const RETRY_MIN_MS = 500;
const RETRY_MAX_MS = 10_000;
const SHUTDOWN_WAIT_MS = 2_000;

const describe = (error: unknown): string =>
  error instanceof Error ? error.message : String(error);
const isoOrNull = (ms: number): string | null => (ms > 0 ? new Date(ms).toISOString() : null);

/**
 * The one capture loop of the camera, shared by every viewer.
 *
 * The driver runs only while someone consumes frames: the first `subscribe()` starts it, and it
 * stops `CAMERA_IDLE_TIMEOUT` after the last consumer leaves. A start never overlaps the previous
 * run's shutdown, so the device is always released before it is opened again. A driver that
 * throws or ends is restarted with exponential backoff while consumers keep waiting.
 */
@Injectable()
export class FrameProducerService implements OnModuleDestroy {
  private readonly logger = new Logger(FrameProducerService.name);
  private readonly hub = new FrameHub();
  private readonly fps = new RateMeter();
  private settings: CameraSettings;
  private consumers = 0;
  private run: CaptureRun | undefined;
  private previousRunDone: Promise<void> = Promise.resolve();
  private idleTimer: NodeJS.Timeout | undefined;
  private state: CameraState = 'idle';
  private destroyed = false;
  private seq = 0;
  private framesCaptured = 0;
  private framesRejected = 0;
  private restarts = 0;
  private lastFrameAt = 0;
  private lastError: string | null = null;
  private lastErrorAt = 0;

  constructor(
    @Inject(CAMERA_DRIVER) private readonly driver: CameraDriver,
    private readonly config: CameraConfig,
  ) {
    this.settings = config.defaults;
  }

  /** Registers a consumer (starting the camera if needed) and returns its waiter. */
  subscribe(): FrameWaiter {
    this.consumers += 1;
    this.cancelIdleStop();
    if (this.run === undefined && !this.destroyed) this.startCapture();
    return new FrameWaiter(this.hub, () => this.release());
  }

  get consumerCount(): number {
    return this.consumers;
  }

  /** The newest frame, if the camera has produced one since it started; does not start it. */
  get latestFrame(): Frame | undefined {
    return this.hub.latest;
  }

  /** Consumers currently parked until the next frame (diagnostics and leak checks). */
  get waitingCount(): number {
    return this.hub.waitingCount;
  }

  get isRunning(): boolean {
    return this.run !== undefined;
  }

  get currentSettings(): CameraSettings {
    return this.settings;
  }

  /**
   * Captures with `settings` from now on. A running driver is restarted with them; viewers stay
   * connected and get frames of the new kind as soon as the driver delivers them.
   */
  applySettings(settings: CameraSettings): void {
    this.settings = settings;
    if (this.run === undefined || this.destroyed) return;
    void this.stopCapture('settings changed', { keepLatestFrame: true });
    this.startCapture();
  }

  /**
   * A fresh frame for a one-off reader: the newest one if the camera is live, otherwise it starts
   * the camera and waits up to `timeoutMs` for the next. Undefined if none comes in time.
   */
  async snapshot(timeoutMs: number): Promise<Frame | undefined> {
    const latest = this.hub.latest;
    const maxAgeMs = 1000 + 2000 / this.settings.framerate;
    if (this.state === 'running' && latest && epochMs() - latest.capturedAt < maxAgeMs) {
      return latest;
    }
    const waiter = this.subscribe();
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(new Error('snapshot timed out')), timeoutMs);
    try {
      return await waiter.next(abort.signal);
    } catch {
      return undefined;
    } finally {
      clearTimeout(timer);
      waiter.close();
    }
  }

  status(): CameraStatus {
    const latest = this.hub.latest;
    return {
      driver: this.driver.name,
      state: this.state,
      running: this.run !== undefined,
      clients: this.consumers,
      settings: this.settings,
      frameSize: latest ? { width: latest.width, height: latest.height } : null,
      measuredFps: this.run ? Math.round(this.fps.rate(epochMs()) * 10) / 10 : 0,
      framesCaptured: this.framesCaptured,
      lastFrameAt: isoOrNull(this.lastFrameAt),
      restarts: this.restarts,
      lastError: this.lastError,
      lastErrorAt: isoOrNull(this.lastErrorAt),
    };
  }

  async onModuleDestroy(): Promise<void> {
    this.destroyed = true;
    this.cancelIdleStop();
    const done = this.stopCapture('shutdown');
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        this.logger.warn(`Camera driver did not stop within ${SHUTDOWN_WAIT_MS} ms`);
        resolve();
      }, SHUTDOWN_WAIT_MS);
    });
    await Promise.race([done, timeout]);
    clearTimeout(timer);
  }

  private release(): void {
    this.consumers -= 1;
    if (this.consumers > 0 || this.destroyed || this.run === undefined) return;
    this.cancelIdleStop();
    this.idleTimer = setTimeout(() => {
      this.idleTimer = undefined;
      if (this.consumers === 0) {
        this.logger.log(
          `No viewers for ${this.config.idleTimeoutMs / 1000} s: stopping the camera`,
        );
        void this.stopCapture('idle');
      }
    }, this.config.idleTimeoutMs);
    this.idleTimer.unref();
  }

  private cancelIdleStop(): void {
    if (this.idleTimer === undefined) return;
    clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
  }

  private startCapture(): void {
    const abort = new AbortController();
    const previous = this.previousRunDone;
    this.state = 'starting';
    this.fps.reset();
    const done = previous
      .then(async () => this.captureLoop(abort.signal))
      .catch((error: unknown) => this.logger.error(`Capture loop crashed: ${describe(error)}`))
      .finally(() => {
        if (this.run === undefined && this.previousRunDone === done) this.state = 'idle';
      });
    this.run = { abort, done };
    this.previousRunDone = done;
  }

  private async stopCapture(reason: string, options = { keepLatestFrame: false }): Promise<void> {
    const run = this.run;
    if (run === undefined) return this.previousRunDone;
    this.run = undefined;
    this.state = 'stopping';
    run.abort.abort(new Error(reason));
    // Viewers of a restarting camera keep the last picture; a stopped camera must show nothing old.
    if (!options.keepLatestFrame) this.hub.clear();
    return run.done;
  }

  private isCurrent(signal: AbortSignal): boolean {
    return this.run?.abort.signal === signal;
  }

  private setState(signal: AbortSignal, state: CameraState): void {
    if (this.isCurrent(signal)) this.state = state;
  }

  private async captureLoop(signal: AbortSignal): Promise<void> {
    let retryMs = RETRY_MIN_MS;
    while (!signal.aborted) {
      this.setState(signal, 'starting');
      const settings = this.settings;
      let frames = 0;
      let failure: unknown;
      try {
        for await (const jpeg of this.driver.frames(settings, signal)) {
          if (signal.aborted) break;
          if (!this.publish(jpeg)) continue;
          frames += 1;
          if (frames === 1) this.setState(signal, 'running');
        }
        failure = new Error('the driver stopped producing frames');
      } catch (error) {
        failure = error;
      }
      if (signal.aborted) return;
      if (frames > 0) retryMs = RETRY_MIN_MS;
      this.restarts += 1;
      this.lastError = describe(failure);
      this.lastErrorAt = Date.now();
      this.logger.warn(
        `Camera driver "${this.driver.name}" failed: ${this.lastError}; retrying in ${retryMs / 1000} s`,
      );
      this.setState(signal, 'retrying');
      if (!(await sleep(retryMs, signal))) return;
      retryMs = Math.min(retryMs * 2, RETRY_MAX_MS);
    }
  }

  private publish(jpeg: Buffer): boolean {
    const size = readJpegDimensions(jpeg);
    if (size === undefined) {
      this.framesRejected += 1;
      if ((this.framesRejected & (this.framesRejected - 1)) === 0) {
        this.logger.warn(`Dropped ${this.framesRejected} frame(s) that were not valid JPEG images`);
      }
      return false;
    }
    const capturedAt = epochMs();
    this.seq += 1;
    this.framesCaptured += 1;
    this.lastFrameAt = capturedAt;
    this.fps.record(capturedAt);
    this.hub.publish({ seq: this.seq, jpeg, capturedAt, width: size.width, height: size.height });
    return true;
  }
}
