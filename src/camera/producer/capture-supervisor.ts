import { sleep } from '../../common/abortable-sleep';
import type { CameraDriver, CaptureOutputs, SourceFrame } from '../drivers/camera-driver.interface';
import type { CameraSettings } from '../settings/camera-settings.model';

const RETRY_MIN_MS = 500;
const RETRY_MAX_MS = 10_000;

/** What the supervisor reports while it runs a driver. */
export interface CaptureEvents {
  /** A frame from the driver; false if it was refused (not a valid JPEG). */
  frame(frame: Buffer | SourceFrame): boolean;
  /** The driver is being started (again). */
  starting(): void;
  /** The driver delivered its first frame of this attempt. */
  running(): void;
  /** The driver failed, ended or stalled; it is started again after `retryInMs`. */
  failed(error: unknown, retryInMs: number): void;
}

export interface SupervisorOptions {
  readonly driver: CameraDriver;
  /** Read at each (re)start, so a restart picks up the settings of the moment. */
  readonly settings: () => CameraSettings;
  readonly stallTimeoutMs: number;
  /** Handed to every run of the driver: what else it gives from the same capture. */
  readonly outputs?: CaptureOutputs;
}

/**
 * Runs a driver until `signal` aborts: a driver that throws, ends or gives no frame for the stall
 * timeout (at least three frame intervals) is aborted, which makes it release its device, and
 * started again with exponential backoff (0.5 s doubling to 10 s or the driver's retryMaxMs, back to
 * 0.5 s once it delivers).
 */
export async function superviseCapture(
  options: SupervisorOptions,
  events: CaptureEvents,
  signal: AbortSignal,
): Promise<void> {
  let retryMs = RETRY_MIN_MS;
  while (!signal.aborted) {
    events.starting();
    const { frames, failure } = await runOnce(options, events, signal);
    if (signal.aborted) return;
    if (frames > 0) retryMs = RETRY_MIN_MS;
    events.failed(failure, retryMs);
    if (!(await pause(options.driver, retryMs, signal))) return;
    retryMs = Math.min(retryMs * 2, options.driver.retryMaxMs ?? RETRY_MAX_MS);
  }
}

/** The backoff, cut short when the driver says its source is back; false if `signal` aborted. */
async function pause(driver: CameraDriver, ms: number, signal: AbortSignal): Promise<boolean> {
  if (driver.ready === undefined) return sleep(ms, signal);
  const done = new AbortController();
  const stop = (): void => done.abort();
  signal.addEventListener('abort', stop, { once: true });
  try {
    await Promise.race([sleep(ms, done.signal), driver.ready(done.signal)]);
  } finally {
    signal.removeEventListener('abort', stop);
    done.abort();
  }
  return !signal.aborted;
}

async function runOnce(
  options: SupervisorOptions,
  events: CaptureEvents,
  signal: AbortSignal,
): Promise<{ frames: number; failure: unknown }> {
  const settings = options.settings();
  const attempt = new AbortController();
  const forwardAbort = (): void => attempt.abort(signal.reason);
  signal.addEventListener('abort', forwardAbort, { once: true });
  const stallMs = Math.max(options.stallTimeoutMs, 3000 / settings.framerate);
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
    for await (const frame of options.driver.frames(settings, attempt.signal, options.outputs)) {
      if (attempt.signal.aborted) break;
      if (!events.frame(frame)) continue;
      lastProgress = Date.now();
      frames += 1;
      if (frames === 1) events.running();
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
