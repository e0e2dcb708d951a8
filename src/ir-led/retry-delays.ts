/**
 * The waits between attempts: doubling from `firstMs`, at most `maxMs` each, adding up to
 * exactly `totalMs`, so the last attempt comes when the time is up.
 */
export function retryDelays(totalMs: number, firstMs: number, maxMs = 1000): number[] {
  const delays: number[] = [];
  let left = totalMs;
  let next = Math.max(1, firstMs);
  while (left > 0) {
    const delay = Math.min(next, maxMs, left);
    delays.push(delay);
    left -= delay;
    next *= 2;
  }
  return delays;
}
