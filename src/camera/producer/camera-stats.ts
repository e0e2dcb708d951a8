import { RateMeter } from './rate-meter';

/**
 * What one camera has done: frames, failures, the measured rate. Plain counters, incremented on
 * the capture path and read by status, health and metrics.
 */
export class CameraStats {
  framesCaptured = 0;
  framesRejected = 0;
  restarts = 0;
  lastFrameAt = 0;
  lastError: string | null = null;
  lastErrorAt = 0;
  private readonly fps = new RateMeter();

  frameCaptured(at: number): void {
    this.framesCaptured += 1;
    this.lastFrameAt = at;
    this.fps.record(at);
  }

  /** Counts a frame that was not a valid JPEG; true when the count is worth a log line (1, 2, 4…). */
  frameRejected(): boolean {
    this.framesRejected += 1;
    return (this.framesRejected & (this.framesRejected - 1)) === 0;
  }

  failed(message: string, at: number): void {
    this.restarts += 1;
    this.lastError = message;
    this.lastErrorAt = at;
  }

  runStarted(): void {
    this.fps.reset();
  }

  fpsAt(now: number): number {
    return this.fps.rate(now);
  }
}
