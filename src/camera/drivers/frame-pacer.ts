import { performance } from 'node:perf_hooks';
import { sleep } from '../../common/abortable-sleep';

/**
 * Paces a capture loop to a frame rate against a schedule rather than "sleep one interval after
 * each frame", so the time spent producing a frame does not lower the rate. A producer that falls
 * more than a frame behind restarts the schedule instead of bursting to catch up.
 */
export class FramePacer {
  private readonly intervalMs: number;
  private due = performance.now();

  constructor(framerate: number) {
    this.intervalMs = 1000 / framerate;
  }

  /** Waits for the next frame slot; false if `signal` aborted meanwhile. */
  async next(signal: AbortSignal): Promise<boolean> {
    this.due += this.intervalMs;
    const wait = this.due - performance.now();
    if (wait < -this.intervalMs) {
      this.due = performance.now();
      return !signal.aborted;
    }
    return sleep(wait, signal);
  }
}
