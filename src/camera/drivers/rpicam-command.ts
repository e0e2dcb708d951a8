import type { CameraCapabilities, CameraSettings } from '../camera-driver.interface';
import { ROTATIONS } from '../camera-driver.interface';
import { ORIENTATION_ROTATE_270, ORIENTATION_ROTATE_90 } from '../jpeg/exif-orientation';

export interface RpicamPlan {
  readonly args: string[];
  /** EXIF orientation to add to each frame for 90/270°, which rpicam-vid cannot do itself. */
  readonly exifOrientation?: number;
}

/**
 * rpicam-vid's MJPEG to stdout: -t 0 (no 5 s timeout), -n (no preview), --flush (write each frame
 * at once instead of when the pipe's stdio buffer fills). Flips and 180° are done by the camera
 * itself (--hflip, --vflip, --rotation 180); 90° and 270° are not supported by libcamera, so the
 * frames get an EXIF orientation and the browser turns them.
 */
export function planRpicam(settings: CameraSettings, camera?: string): RpicamPlan {
  const args = [
    '-t',
    '0',
    '-n',
    '--codec',
    'mjpeg',
    '--flush',
    '-o',
    '-',
    '--width',
    String(settings.width),
    '--height',
    String(settings.height),
    '--framerate',
    String(settings.framerate),
    '-q',
    String(settings.quality),
  ];
  if (camera !== undefined) args.push('--camera', camera);
  if (settings.hflip) args.push('--hflip');
  if (settings.vflip) args.push('--vflip');
  if (settings.rotation === 180) args.push('--rotation', '180');
  const exifOrientation =
    settings.rotation === 90
      ? ORIENTATION_ROTATE_90
      : settings.rotation === 270
        ? ORIENTATION_ROTATE_270
        : undefined;
  return { args, exifOrientation };
}

export interface PiCamera {
  readonly index: number;
  readonly sensor: string;
  readonly width: number;
  readonly height: number;
  readonly maxFramerate: number;
}

/** Parses `rpicam-vid --list-cameras`. */
export function parseCameraList(output: string): PiCamera[] {
  const cameras: PiCamera[] = [];
  let current:
    { index: number; sensor: string; width: number; height: number; fps: number[] } | undefined;
  const finish = (): void => {
    if (current === undefined) return;
    const { fps, ...camera } = current;
    cameras.push({ ...camera, maxFramerate: Math.max(0, ...fps) });
  };
  for (const line of output.split('\n')) {
    const header = /^\s*(\d+)\s*:\s*(\S+)\s*\[(\d+)x(\d+)/.exec(line);
    if (header) {
      finish();
      current = {
        index: Number(header[1]),
        sensor: header[2],
        width: Number(header[3]),
        height: Number(header[4]),
        fps: [],
      };
      continue;
    }
    if (current)
      for (const mode of line.matchAll(/\d+x\d+\s*\[([\d.]+)\s*fps/g))
        current.fps.push(Number(mode[1]));
  }
  finish();
  return cameras;
}

/** The ISP scales to any size up to the sensor's; the frame rate is bounded by its fastest mode. */
export function piCameraCapabilities(camera: PiCamera): CameraCapabilities {
  return {
    sizes: {
      kind: 'range',
      width: { min: 64, max: camera.width },
      height: { min: 64, max: camera.height },
    },
    framerate: { min: 0.1, max: Math.max(1, Math.floor(camera.maxFramerate)) },
    quality: { min: 1, max: 100 },
    rotations: ROTATIONS,
    flips: true,
  };
}
