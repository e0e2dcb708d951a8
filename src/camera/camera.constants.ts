/** Injection token of the one active `CameraDriver`, chosen by `CAMERA`. */
export const CAMERA_DRIVER = Symbol('CAMERA_DRIVER');

/** Every value `CAMERA` accepts. The names are part of the public config contract. */
export const CAMERA_DRIVER_NAMES = ['emulated', 'images', 'ffmpeg', 'pi', 'mjpeg'] as const;
export type CameraDriverName = (typeof CAMERA_DRIVER_NAMES)[number];
