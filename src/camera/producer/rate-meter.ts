/**
 * Measures an event rate from the timestamps of the last few events, so a status call costs O(1)
 * and the figure follows changes within a second or two.
 */
export class RateMeter {
  private readonly times: Float64Array;
  private count = 0;
  private next = 0;

  constructor(
    private readonly window = 32,
    /** After this long without an event the rate reads as 0. */
    private readonly staleAfterMs = 2000,
  ) {
    this.times = new Float64Array(window);
  }

  record(nowMs: number): void {
    this.times[this.next] = nowMs;
    this.next = (this.next + 1) % this.window;
    if (this.count < this.window) this.count += 1;
  }

  reset(): void {
    this.count = 0;
    this.next = 0;
  }

  /** Events per second over the remembered window. */
  rate(nowMs: number): number {
    if (this.count < 2) return 0;
    const newest = this.times[(this.next - 1 + this.window) % this.window];
    if (nowMs - newest > this.staleAfterMs) return 0;
    const oldest = this.times[(this.next - this.count + this.window) % this.window];
    const span = newest - oldest;
    return span > 0 ? ((this.count - 1) * 1000) / span : 0;
  }
}
