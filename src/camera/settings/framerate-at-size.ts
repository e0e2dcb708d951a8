import type { SizeFramerateLimit } from '../drivers/camera-driver.interface';

/**
 * The highest frame rate `limits` allow at `width`×`height`, or undefined without limits.
 *
 * A size is scaled from a mode at least as large, so the fastest covering entry counts. A size
 * beyond every entry in one dimension (possible when the size ranges are the sensor's and the
 * modes are a little smaller) can only come from the largest one.
 */
export function framerateLimitAt(
  limits: readonly SizeFramerateLimit[],
  width: number,
  height: number,
): number | undefined {
  if (limits.length === 0) return undefined;
  const covering = limits.filter((limit) => limit.width >= width && limit.height >= height);
  if (covering.length > 0) return Math.max(...covering.map((limit) => limit.maxFramerate));
  const area = (limit: SizeFramerateLimit): number => limit.width * limit.height;
  const largest = limits.reduce((best, limit) =>
    area(limit) > area(best) ||
    (area(limit) === area(best) && limit.maxFramerate > best.maxFramerate)
      ? limit
      : best,
  );
  return largest.maxFramerate;
}
