/**
 * Lets frames through at no more than `framerate`, for sources whose rate camfeed cannot set (a
 * remote stream, a webcam's own JPEGs): the rest are dropped before anyone pays for them. Small
 * timing jitter is tolerated so 30 fps in at a 15 fps cap gives 15 fps out, not 10.
 */
export class FrameRateLimiter {
  private readonly intervalMs: number;
  private nextDue = Number.NEGATIVE_INFINITY;

  constructor(framerate: number) {
    this.intervalMs = 1000 / framerate;
  }

  accept(nowMs: number): boolean {
    if (nowMs < this.nextDue - this.intervalMs * 0.25) return false;
    // From the schedule (steady rate), but never from the past (no burst after a pause).
    this.nextDue = Math.max(this.nextDue, nowMs) + this.intervalMs;
    return true;
  }
}
