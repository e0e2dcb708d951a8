import type { LoggerService } from '@nestjs/common';
import { type Redact, redactUrls } from '../../common/redact-secrets';
import { renderPlaceholder } from '../../drawing/placeholder-frame';
import { readDisplayDimensions } from '../../jpeg/jpeg-dimensions';
import { epochMs } from '../clock';
import type { AccessUnit } from '../../h264/avc';
import type { CameraDriver, SourceFrame } from '../drivers/camera-driver.interface';
import { outputSize } from '../settings/capabilities';
import type { CameraSettings } from '../settings/camera-settings.model';
import {
  type CameraCounters,
  type CameraHealth,
  type CameraState,
  type CameraStatus,
} from './camera-status';
import { CameraStats } from './camera-stats';
import { superviseCapture } from './capture-supervisor';
import type { Frame } from './frame';
import { FrameHub, FrameWaiter } from './frame-hub';
import { placeholderFor } from './placeholder-policy';

interface CaptureRun {
  readonly abort: AbortController;
  readonly done: Promise<void>;
}

export interface FrameProducerOptions {
  readonly driver: CameraDriver;
  readonly settings: CameraSettings;
  /** How long the camera keeps running after the last consumer leaves. */
  readonly idleTimeoutMs: number;
  readonly stallTimeoutMs: number;
  /** Names the camera in every line. */
  readonly logger: LoggerService;
  /** Masks the source's credentials in every text that leaves the producer. */
  readonly redact?: Redact;
}

const SHUTDOWN_WAIT_MS = 2_000;
/** How often the "no signal" picture is redrawn (it shows the time) while the camera is down. */
const PLACEHOLDER_INTERVAL_MS = 1000;

const describe = (error: unknown): string =>
  error instanceof Error ? error.message : String(error);
const isoOrNull = (ms: number): string | null => (ms > 0 ? new Date(ms).toISOString() : null);

/**
 * The one capture loop of one camera, shared by every viewer of it.
 *
 * The driver runs only while someone consumes frames: the first `subscribe()` starts it, and it
 * stops the idle timeout after the last consumer leaves. A start never overlaps the previous
 * run's shutdown, so the device is always released before it is opened again. Restarts with
 * backoff and the stall watchdog are the supervisor's; what viewers see while the camera is down
 * is the placeholder policy's; the counters are the stats'. State changes have one path.
 */
export class FrameProducer {
  private readonly hub = new FrameHub();
  private readonly stats = new CameraStats();
  private redact: Redact;
  private readonly logger: LoggerService;
  private driver: CameraDriver;
  private idleTimeoutMs: number;
  private stallTimeoutMs: number;
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
  /** Where the driver's own H.264 goes while someone takes it: the camera's H264Stream. */
  private h264Sink: ((unit: AccessUnit) => void) | undefined;
  private destroyed = false;
  private seq = 0;

  constructor(options: FrameProducerOptions) {
    this.driver = options.driver;
    this.settings = options.settings;
    this.logger = options.logger;
    this.redact = options.redact ?? options.driver.redact ?? redactUrls;
    this.idleTimeoutMs = options.idleTimeoutMs;
    this.stallTimeoutMs = options.stallTimeoutMs;
  }

  /** Registers a consumer (starting the camera if needed) and returns its waiter. */
  subscribe(): FrameWaiter {
    this.consumers += 1;
    this.cancelIdleStop();
    if (this.run === undefined && !this.destroyed) this.startCapture();
    return new FrameWaiter(this.hub, () => this.release());
  }

  /**
   * Whether this camera's driver gives its source's own H.264 along with the JPEGs (see
   * `CameraDriver.h264Passthrough`). Rejects when the source cannot be reached to tell.
   */
  async h264Passthrough(): Promise<boolean> {
    return (await this.driver.h264Passthrough?.()) ?? false;
  }

  /**
   * Takes the driver's H.264 pictures while the capture runs, until the returned function is
   * called. It does not start the camera: `subscribe()` does. One taker at a time, the camera's
   * H264Stream, which shares the pictures with its viewers.
   */
  takeH264(sink: (unit: AccessUnit) => void): () => void {
    this.h264Sink = sink;
    return () => {
      if (this.h264Sink === sink) this.h264Sink = undefined;
    };
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

  get driverName(): string {
    return this.driver.name;
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
    this.restartIfRunning('settings changed');
  }

  /**
   * Captures from another driver (the camera's description changed): a running camera restarts
   * with it, and viewers stay connected through the change, as through a settings change.
   */
  reconfigure(options: Omit<FrameProducerOptions, 'logger'>): void {
    this.driver = options.driver;
    this.redact = options.redact ?? options.driver.redact ?? redactUrls;
    this.idleTimeoutMs = options.idleTimeoutMs;
    this.stallTimeoutMs = options.stallTimeoutMs;
    this.liveSize = undefined;
    this.settings = options.settings;
    this.restartIfRunning('the camera was reconfigured');
  }

  /** How long ago, by this node's clock, the newest live frame arrived (Infinity: none yet). */
  get liveFrameAgeMs(): number {
    const at = this.stats.lastFrameAt;
    return at > 0 ? epochMs() - at : Infinity;
  }

  /**
   * A fresh frame for a one-off reader: the newest one if the camera is live, otherwise it starts
   * the camera and waits up to `timeoutMs` for the next. Undefined if none comes in time.
   */
  async snapshot(timeoutMs: number): Promise<Frame | undefined> {
    const latest = this.hub.latest;
    const maxAgeMs = 1000 + 2000 / this.settings.framerate;
    if (this.state === 'running' && latest?.live && this.liveFrameAgeMs < maxAgeMs) {
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
   * no live frame for the stall timeout (at least three frame intervals), with the reason.
   */
  health(): CameraHealth {
    const now = Date.now();
    const details = { driver: this.driver.name, state: this.state };
    if (this.run === undefined) return { degraded: false, details };
    const limitMs = Math.max(this.stallTimeoutMs, 3000 / this.settings.framerate);
    const lastLive = Math.max(this.stats.lastFrameAt, this.runStartedAt);
    const silentMs = now - lastLive;
    const lastFrameAgeSeconds =
      this.stats.lastFrameAt > 0 ? Math.round((now - this.stats.lastFrameAt) / 100) / 10 : null;
    if (silentMs <= limitMs)
      return { degraded: false, details: { ...details, lastFrameAgeSeconds } };
    return {
      degraded: true,
      details: {
        ...details,
        lastFrameAgeSeconds,
        reason:
          this.stats.lastError ?? `no frame from the camera for ${Math.round(silentMs / 1000)} s`,
      },
    };
  }

  get counters(): CameraCounters {
    return {
      framesCaptured: this.stats.framesCaptured,
      restarts: this.stats.restarts,
      lastFrameAt: this.stats.lastFrameAt,
      fps: this.run ? this.stats.fpsAt(epochMs()) : 0,
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
      measuredFps: this.run ? Math.round(this.stats.fpsAt(epochMs()) * 10) / 10 : 0,
      framesCaptured: this.stats.framesCaptured,
      lastFrameAt: isoOrNull(this.stats.lastFrameAt),
      restarts: this.stats.restarts,
      lastError: this.stats.lastError,
      lastErrorAt: isoOrNull(this.stats.lastErrorAt),
    };
  }

  /**
   * Releases the camera for good (shutdown, or the camera left the cameras file). Waits for the
   * driver to let go of its device, at most a couple of seconds.
   */
  async destroy(): Promise<void> {
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

  private restartIfRunning(reason: string): void {
    if (this.run === undefined || this.destroyed) return;
    void this.stopCapture(reason, { keepLatestFrame: true });
    this.startCapture();
  }

  private release(): void {
    this.consumers -= 1;
    if (this.consumers > 0 || this.destroyed || this.run === undefined) return;
    this.cancelIdleStop();
    this.idleTimer = setTimeout(() => {
      this.idleTimer = undefined;
      if (this.consumers === 0) {
        this.logger.log(`No viewers for ${this.idleTimeoutMs / 1000} s: stopping the camera`);
        void this.stopCapture('idle');
      }
    }, this.idleTimeoutMs);
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
    this.stats.runStarted();
    const done = previous
      .then(async () => this.captureLoop(abort.signal))
      .catch((error: unknown) => {
        this.logger.error(this.redact(`Capture loop crashed: ${describe(error)}`));
      })
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
      await superviseCapture(
        {
          driver: this.driver,
          settings: () => this.settings,
          stallTimeoutMs: this.stallTimeoutMs,
          // Always asked for, so the capture need not restart when a WebRTC viewer comes: the
          // copy costs ffmpeg no decode and no encode, and pictures nobody takes are dropped.
          outputs: { h264: (unit) => this.h264Sink?.(unit) },
        },
        {
          frame: (frame) => this.publish(frame),
          starting: () => this.setState(signal, 'starting'),
          running: () => {
            this.downSince = 0;
            this.setState(signal, 'running');
          },
          failed: (failure, retryMs) => {
            const at = Date.now();
            this.stats.failed(this.redact(describe(failure)), at);
            if (this.downSince === 0) this.downSince = at;
            this.logger.warn(
              `Camera driver "${this.driver.name}" failed: ${this.stats.lastError}; retrying in ${retryMs / 1000} s`,
            );
            this.setState(signal, 'retrying');
            void this.showPlaceholderIfDown(signal);
          },
        },
        signal,
      );
    } finally {
      clearInterval(placeholder);
    }
  }

  /**
   * While the camera is down (failed, or slow to start), viewers get a "no signal" picture at the
   * stream's size, redrawn every second, instead of a frozen frame or a broken stream.
   */
  private async showPlaceholderIfDown(signal: AbortSignal): Promise<void> {
    if (this.drawingPlaceholder || !this.isCurrent(signal)) return;
    const text = placeholderFor({
      state: this.state,
      stateSince: this.stateSince,
      downSince: this.downSince,
      lastError: this.stats.lastError,
      now: Date.now(),
    });
    if (text === undefined) return;
    this.drawingPlaceholder = true;
    try {
      const { width, height } = this.liveSize ?? outputSize(this.settings);
      const jpeg = await renderPlaceholder(width, height, text);
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

  private publish(frame: Buffer | SourceFrame): boolean {
    const { jpeg, capturedAt, live } = Buffer.isBuffer(frame)
      ? { jpeg: frame, capturedAt: epochMs(), live: true }
      : frame;
    const size = readDisplayDimensions(jpeg);
    if (size === undefined) {
      if (this.stats.frameRejected()) {
        this.logger.warn(
          `Dropped ${this.stats.framesRejected} frame(s) that were not valid JPEG images`,
        );
      }
      return false;
    }
    this.seq += 1;
    if (live) {
      // Health, rates and freshness go by this node's clock: a frame from another node keeps its
      // node's capture time (for X-Timestamp), and that node's clock may be off by any amount.
      this.stats.frameCaptured(epochMs());
      this.liveSize = size;
    }
    this.hub.publish({
      seq: this.seq,
      jpeg,
      capturedAt,
      width: size.width,
      height: size.height,
      live,
    });
    return true;
  }
}
