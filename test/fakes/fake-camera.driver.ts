import type {
  DriverCapabilities,
  CameraDriver,
  CameraSettings,
} from '../../src/camera/drivers/camera-driver.interface';

type Step = { kind: 'frame'; jpeg: Buffer } | { kind: 'fail'; error: Error } | { kind: 'end' };

/**
 * A camera driver the test drives by hand: push frames, make it fail or end. It honours the
 * CameraDriver contract (stops on abort, releases in finally) and records how it was used, so
 * tests can prove the producer never runs two captures at once.
 */
export class FakeCameraDriver implements CameraDriver {
  readonly name = 'fake';
  starts = 0;
  stops = 0;
  activeRuns = 0;
  maxActiveRuns = 0;
  readonly settingsSeen: CameraSettings[] = [];
  /** Milliseconds the "device" takes to release in finally, to widen start/stop races. */
  releaseDelayMs = 0;
  capabilitiesValue: DriverCapabilities = {
    sizes: { kind: 'range', width: { min: 16, max: 4096 }, height: { min: 16, max: 4096 } },
    framerate: { min: 0.1, max: 120 },
    quality: { min: 1, max: 100 },
    rotations: [0, 90, 180, 270],
    flips: true,
  };
  private steps: Step[] = [];
  private wake: (() => void) | undefined;

  async capabilities(): Promise<DriverCapabilities> {
    return Promise.resolve(this.capabilitiesValue);
  }

  push(jpeg: Buffer): void {
    this.enqueue({ kind: 'frame', jpeg });
  }

  fail(message: string): void {
    this.enqueue({ kind: 'fail', error: new Error(message) });
  }

  end(): void {
    this.enqueue({ kind: 'end' });
  }

  async *frames(settings: CameraSettings, signal: AbortSignal): AsyncGenerator<Buffer> {
    this.starts += 1;
    this.activeRuns += 1;
    this.maxActiveRuns = Math.max(this.maxActiveRuns, this.activeRuns);
    this.settingsSeen.push(settings);
    const onAbort = (): void => this.wake?.();
    signal.addEventListener('abort', onAbort);
    try {
      while (!signal.aborted) {
        const step = this.steps.shift();
        if (step === undefined) {
          await new Promise<void>((resolve) => (this.wake = resolve));
          this.wake = undefined;
          continue;
        }
        if (step.kind === 'fail') throw step.error;
        if (step.kind === 'end') return;
        yield step.jpeg;
      }
    } finally {
      signal.removeEventListener('abort', onAbort);
      if (this.releaseDelayMs > 0)
        await new Promise((resolve) => setTimeout(resolve, this.releaseDelayMs));
      this.activeRuns -= 1;
      this.stops += 1;
    }
  }

  private enqueue(step: Step): void {
    this.steps.push(step);
    this.wake?.();
  }
}
