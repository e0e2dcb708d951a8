import { performance } from 'node:perf_hooks';

let offsetMs = Date.now() - performance.now();

/**
 * Wall-clock time in epoch milliseconds with sub-millisecond resolution (Date.now() has whole
 * milliseconds only). It follows steps of the system clock, such as the NTP correction a Pi
 * without a real-time clock gets minutes after boot, instead of drifting from it.
 */
export function epochMs(): number {
  const monotonic = performance.now();
  const wall = Date.now();
  const precise = offsetMs + monotonic;
  if (Math.abs(precise - wall) > 2) {
    offsetMs = wall - monotonic;
    return wall;
  }
  return precise;
}
