import type { CameraDriverName } from './camera-definition';

/** Drivers that cannot run without a source. */
export const SOURCE_REQUIRED: ReadonlySet<CameraDriverName> = new Set([
  'images',
  'ffmpeg',
  'mjpeg',
]);

/**
 * Why `source` cannot work with `driver`, for the drivers that give it a fixed meaning; undefined
 * when it can. The message names the fields as the caller knows them (CAMERA_SOURCE and CAMERA in
 * the environment, source and driver in the cameras file).
 */
export function sourceProblem(
  driver: CameraDriverName,
  source: string | undefined,
  field: string,
  driverField: string,
): string | undefined {
  if (source === undefined || source.trim() === '') {
    return SOURCE_REQUIRED.has(driver)
      ? `${field} must be set to the camera source (images: a folder of .jpg files; ffmpeg: a device, URL, file or lavfi graph; mjpeg: the stream URL)`
      : undefined;
  }
  if (driver === 'pi' && !/^\d+$/.test(source))
    return `${field} must be the camera index (0, 1, ...) when ${driverField}=pi`;
  if (driver === 'mjpeg') {
    let protocol = '';
    try {
      protocol = new URL(source).protocol;
    } catch {
      // Not a URL: refused below.
    }
    if (!['http:', 'https:'].includes(protocol))
      return `${field} must be the http:// or https:// URL of an MJPEG stream when ${driverField}=mjpeg`;
  }
  return undefined;
}
