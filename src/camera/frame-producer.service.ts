import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { sleep } from '../common/abortable-sleep';
import { type Redact, redactUrls } from '../common/redact-secrets';
import { CameraConfig } from '../config/app-config';
import { CAMERA_DRIVER } from './camera.constants';
import type { CameraDriver, CameraSettings } from './camera-driver.interface';
import { epochMs } from './clock';
import type { Frame } from './frame';
import { FrameHub, FrameWaiter } from './frame-waiter';
import { outputSize } from './camera-capabilities';
import { readDisplayDimensions } from './jpeg/jpeg-dimensions';
import { renderPlaceholder } from './placeholder-frame';
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

export interface CameraHealth {
  readonly degraded: boolean;
  readonly details: Record<string, unknown>;
}

interface CaptureRun {
  readonly abort: AbortController;
  readonly done: Promise<void>;
}

const RETRY_MIN_MS = 500;
const RETRY_MAX_MS = 10_000;
const SHUTDOWN_WAIT_MS = 2_000;
/** How often the "no signal" picture is redrawn (it shows the time) while the camera is down. */
const PLACEHOLDER_INTERVAL_MS = 1000;
/** A camera still starting after this long gets the placeholder too (an RTSP camera connecting). */
const SLOW_START_MS = 2000;

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
  /** Every text about the camera that leaves the producer (status, health, logs, placeholder). */
  private readonly redact: Redact;
  private settings: CameraSettings;
  private consumers = 0;
  private run: CaptureRun | undefined;
  private previousRunDone: Promise<void> = Promise.resolve();
  private idleTimer: NodeJS.Timeout | undefined;
  private state: CameraState = 'idle';
  private stateSince = Date.now();
  private runStartedAt = 0;
  /** When this run stopped delivering: its start until the first frame, then each failure. */
  private downSince = 0;
  /** Size of the newest live frame: sources that send their own size ignore the settings'. */
  private liveSize: { width: number; height: number } | undefined;
  private drawingPlaceholder = false;
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
    this.redact = driver.redact ?? redactUrls;
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

  /** The newest camera frame (never a placeholder), if there is one; does not start the camera. */
  get latestFrame(): Frame | undefined {
    const latest = this.hub.latest;
    return latest?.live ? latest : undefined;
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
    const before = outputSize(this.settings);
    const after = outputSize(settings);
    if (before.width !== after.width || before.height !== after.height) this.liveSize = undefined;
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
    if (this.state === 'running' && latest?.live && epochMs() - latest.capturedAt < maxAgeMs) {
      return latest;
    }
    const waiter = this.subscribe();
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(new Error('snapshot timed out')), timeoutMs);
    try {
      for (;;) {
        const frame = await waiter.next(abort.signal);
        if (frame.live) return frame;
      }
    } catch {
      return undefined;
    } finally {
      clearTimeout(timer);
      waiter.close();
    }
  }

  /**
   * Health for monitoring: an idle camera is healthy; a running one is degraded when it has given
   * no live frame for CAMERA_STALL_TIMEOUT (at least three frame intervals), with the reason.
   */
  health(): CameraHealth {
    const now = Date.now();
    const details = { driver: this.driver.name, state: this.state };
    if (this.run === undefined) return { degraded: false, details };
    const limitMs = Math.max(this.config.stallTimeoutMs, 3000 / this.settings.framerate);
    const lastLive = Math.max(this.lastFrameAt, this.runStartedAt);
    const silentMs = now - lastLive;
    const lastFrameAgeSeconds =
      this.lastFrameAt > 0 ? Math.round((now - this.lastFrameAt) / 100) / 10 : null;
    if (silentMs <= limitMs)
      return { degraded: false, details: { ...details, lastFrameAgeSeconds } };
    return {
      degraded: true,
      details: {
        ...details,
        lastFrameAgeSeconds,
        reason: this.lastError ?? `no frame from the camera for ${Math.round(silentMs / 1000)} s`,
      },
    };
  }

  /** Cheap readings for metrics, without building a status object. */
  get counters(): { framesCaptured: number; restarts: number; lastFrameAt: number; fps: number } {
    return {
      framesCaptured: this.framesCaptured,
      restarts: this.restarts,
      lastFrameAt: this.lastFrameAt,
      fps: this.run ? this.fps.rate(epochMs()) : 0,
    };
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
    this.enterState('starting');
    this.runStartedAt = Date.now();
    this.downSince = this.runStartedAt;
    this.fps.reset();
    const done = previous
      .then(async () => this.captureLoop(abort.signal))
      .catch((error: unknown) =>
        this.logger.error(this.redact(`Capture loop crashed: ${describe(error)}`)),
      )
      .finally(() => {
        if (this.run === undefined && this.previousRunDone === done) this.enterState('idle');
      });
    this.run = { abort, done };
    this.previousRunDone = done;
  }

  private async stopCapture(reason: string, options = { keepLatestFrame: false }): Promise<void> {
    const run = this.run;
    if (run === undefined) return this.previousRunDone;
    this.run = undefined;
    this.enterState('stopping');
    run.abort.abort(new Error(reason));
    // Viewers of a restarting camera keep the last picture; a stopped camera must show nothing old.
    if (!options.keepLatestFrame) this.hub.clear();
    return run.done;
  }

  private isCurrent(signal: AbortSignal): boolean {
    return this.run?.abort.signal === signal;
  }

  /** A change of state by the current run only: a stopped run must not overwrite the next's. */
  private setState(signal: AbortSignal, state: CameraState): void {
    if (this.isCurrent(signal)) this.enterState(state);
  }

  /** The one place that changes `state`, so `stateSince` always tells when it began. */
  private enterState(state: CameraState): void {
    if (this.state === state) return;
    this.state = state;
    this.stateSince = Date.now();
  }

  private async captureLoop(signal: AbortSignal): Promise<void> {
    const placeholder = setInterval(
      () => void this.showPlaceholderIfDown(signal),
      PLACEHOLDER_INTERVAL_MS,
    );
    try {
      await this.runDriverWithRetries(signal);
    } finally {
      clearInterval(placeholder);
    }
  }

  private async runDriverWithRetries(signal: AbortSignal): Promise<void> {
    let retryMs = RETRY_MIN_MS;
    while (!signal.aborted) {
      this.setState(signal, 'starting');
      const { frames, failure } = await this.runDriverOnce(signal);
      if (signal.aborted) return;
      if (frames > 0) retryMs = RETRY_MIN_MS;
      this.restarts += 1;
      this.lastError = this.redact(describe(failure));
      this.lastErrorAt = Date.now();
      if (this.downSince === 0) this.downSince = this.lastErrorAt;
      this.logger.warn(
        `Camera driver "${this.driver.name}" failed: ${this.lastError}; retrying in ${retryMs / 1000} s`,
      );
      this.setState(signal, 'retrying');
      void this.showPlaceholderIfDown(signal);
      if (!(await sleep(retryMs, signal))) return;
      retryMs = Math.min(retryMs * 2, RETRY_MAX_MS);
    }
  }

  /**
   * One run of the driver, until it fails, ends, stalls or the capture is stopped. A driver that
   * gives no frame for CAMERA_STALL_TIMEOUT (at least three frame intervals) is aborted, which
   * makes it release its device, and counts as failed.
   */
  private async runDriverOnce(signal: AbortSignal): Promise<{ frames: number; failure: unknown }> {
    const settings = this.settings;
    const attempt = new AbortController();
    const forwardAbort = (): void => attempt.abort(signal.reason);
    signal.addEventListener('abort', forwardAbort, { once: true });
    const stallMs = Math.max(this.config.stallTimeoutMs, 3000 / settings.framerate);
    let lastProgress = Date.now();
    const watchdog = setInterval(
      () => {
        if (Date.now() - lastProgress > stallMs) {
          attempt.abort(
            new Error(`no frame from the camera for ${Math.round(stallMs / 100) / 10} s`),
          );
        }
      },
      Math.min(1000, stallMs / 4),
    );
    let frames = 0;
    let failure: unknown;
    try {
      for await (const jpeg of this.driver.frames(settings, attempt.signal)) {
        if (attempt.signal.aborted) break;
        if (!this.publish(jpeg)) continue;
        lastProgress = Date.now();
        frames += 1;
        if (frames === 1) {
          this.downSince = 0;
          this.setState(signal, 'running');
        }
      }
      failure = attempt.signal.aborted
        ? attempt.signal.reason
        : new Error('the driver stopped producing frames');
    } catch (error) {
      failure = attempt.signal.aborted ? attempt.signal.reason : error;
    } finally {
      clearInterval(watchdog);
      signal.removeEventListener('abort', forwardAbort);
    }
    return { frames, failure };
  }

  /**
   * While the camera is down (failed, or slow to start), viewers get a "no signal" picture at the
   * stream's size, redrawn every second, instead of a frozen frame or a broken stream.
   */
  private async showPlaceholderIfDown(signal: AbortSignal): Promise<void> {
    const slowStart = this.state === 'starting' && Date.now() - this.stateSince > SLOW_START_MS;
    if (
      this.drawingPlaceholder ||
      !this.isCurrent(signal) ||
      (this.state !== 'retrying' && !slowStart)
    )
      return;
    this.drawingPlaceholder = true;
    try {
      const { width, height } = this.liveSize ?? outputSize(this.settings);
      const now = Date.now();
      const jpeg = await renderPlaceholder(width, height, {
        title: this.state === 'retrying' ? 'NO SIGNAL' : 'CONNECTING',
        reason:
          this.state === 'retrying'
            ? (this.lastError ?? 'the camera failed')
            : 'waiting for the camera',
        since: this.downSince || this.stateSince,
        now,
      });
      if (this.isCurrent(signal) && (this.state === 'retrying' || this.state === 'starting')) {
        this.hub.publish({
          seq: ++this.seq,
          jpeg,
          capturedAt: epochMs(),
          width,
          height,
          live: false,
        });
      }
    } catch (error) {
      this.logger.warn(this.redact(`Cannot draw the placeholder frame: ${describe(error)}`));
    } finally {
      this.drawingPlaceholder = false;
    }
  }

  private publish(jpeg: Buffer): boolean {
    const size = readDisplayDimensions(jpeg);
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
    this.liveSize = size;
    this.fps.record(capturedAt);
    this.hub.publish({
      seq: this.seq,
      jpeg,
      capturedAt,
      width: size.width,
      height: size.height,
      live: true,
    });
    return true;
  }
}
