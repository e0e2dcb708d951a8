import type { DriverCapabilities, CameraSettings } from './camera-driver.interface';
import { ROTATIONS } from './camera-driver.interface';
import { ORIENTATION_ROTATE_270, ORIENTATION_ROTATE_90 } from '../../jpeg/exif-orientation';

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

/** One sensor size as rpicam lists it; `maxFramerate` is missing where it printed "nan fps". */
export interface PiSensorMode {
  readonly width: number;
  readonly height: number;
  readonly maxFramerate?: number;
}

export interface PiCamera {
  readonly index: number;
  readonly sensor: string;
  readonly width: number;
  readonly height: number;
  /** One entry per size, the fastest of its bit depths. */
  readonly modes: readonly PiSensorMode[];
}

/**
 * rpicam-vid's default frame rate, assumed as the limit when it reports no rate for any mode
 * (older libcamera-apps listed sizes only).
 */
const UNKNOWN_MAX_FRAMERATE = 30;

/** `0 : imx708_wide [4608x2592 10-bit RGGB] (/base/...)`; the bracket may lack the size or be absent. */
const CAMERA_LINE = /^\s*(\d+)\s*:\s*([^\s[\]()]+)([^(]*)/;
/** The start of a mode line: `Modes: 'SRGGB10_CSI2P' : 1536x864 [...]` or a continuation. */
const MODE_LINE = /^\s*(?:Modes:\s*)?(?:'[^']*'\s*:\s*)?(?=\d+x\d+)/;
/** `1536x864 [120.13 fps - (768, 432)/3072x1728 crop]`; the bracket holds the crop, not a mode. */
const MODE = /(\d+)x(\d+)(?:\s*\[([^\]]*)\])?/g;

function modeFramerate(bracket: string | undefined): number | undefined {
  const fps = Number(/^\s*(\S+)\s*fps/.exec(bracket ?? '')?.[1]);
  return Number.isFinite(fps) && fps > 0 ? fps : undefined;
}

function mergeBySize(modes: PiSensorMode[]): PiSensorMode[] {
  const bySize = new Map<string, PiSensorMode>();
  for (const mode of modes) {
    const key = `${mode.width}x${mode.height}`;
    const rates = [bySize.get(key)?.maxFramerate, mode.maxFramerate].filter(
      (rate): rate is number => rate !== undefined,
    );
    bySize.set(key, {
      width: mode.width,
      height: mode.height,
      ...(rates.length > 0 && { maxFramerate: Math.max(...rates) }),
    });
  }
  return [...bySize.values()].sort((a, b) => a.width * a.height - b.width * b.height);
}

/**
 * Parses `rpicam-vid --list-cameras` (rpicam-apps core/options.cpp prints it). The header's
 * `[WxH` comes from the sensor's active area and is left out when the sensor does not report one,
 * and a mode's rate is `nan` when the camera gives no frame-duration limits: then the sensor size
 * is the largest mode's and that mode sets no frame-rate limit.
 */
export function parseCameraList(output: string): PiCamera[] {
  const cameras: PiCamera[] = [];
  let current: { index: number; sensor: string; size?: RegExpExecArray } | undefined;
  let modes: PiSensorMode[] = [];
  let inModes = false;
  const finish = (): void => {
    if (current === undefined) return;
    const merged = mergeBySize(modes);
    const largest = merged.at(-1);
    const size = current.size
      ? { width: Number(current.size[1]), height: Number(current.size[2]) }
      : largest;
    if (size !== undefined)
      cameras.push({ index: current.index, sensor: current.sensor, ...size, modes: merged });
    current = undefined;
  };
  for (const line of output.split('\n')) {
    const header = CAMERA_LINE.exec(line);
    if (header) {
      finish();
      current = {
        index: Number(header[1]),
        sensor: header[2],
        size: /\[\s*(\d+)x(\d+)/.exec(header[3]) ?? undefined,
      };
      modes = [];
      inModes = false;
      continue;
    }
    if (current === undefined) continue;
    if (/^\s*Modes:/.test(line)) inModes = true;
    const start = inModes ? MODE_LINE.exec(line) : null;
    if (start === null) {
      // A blank line or the verbose controls list: sizes there are not modes.
      inModes = false;
      continue;
    }
    for (const mode of line.slice(start[0].length).matchAll(MODE)) {
      const maxFramerate = modeFramerate(mode[3]);
      modes.push({
        width: Number(mode[1]),
        height: Number(mode[2]),
        ...(maxFramerate !== undefined && { maxFramerate }),
      });
    }
  }
  finish();
  return cameras;
}

/** Whole frames per second, and never below 1, as the limits camfeed offers. */
const wholeFps = (fps: number): number => Math.max(1, Math.floor(fps));

/**
 * The ISP scales to any size up to the sensor's, so sizes are a range; the frame rate is bounded
 * per size by the sensor modes that can deliver it.
 *
 * rpicam-vid picks the sensor mode itself (RPiCamApp::selectMode): it scores each mode by how far
 * its size and aspect ratio are from the request, and penalises a mode slower than the requested
 * frame rate even more, so asked for 30 fps at 4608x2592 on an imx708 it would upscale the
 * 2304x1296 mode rather than refuse. camfeed offers only the rates at which a size is real: at
 * most the fastest mode that covers the size.
 */
export function piCameraCapabilities(camera: PiCamera): DriverCapabilities {
  const framerateBySize = camera.modes.flatMap((mode) =>
    mode.maxFramerate === undefined
      ? []
      : [{ width: mode.width, height: mode.height, maxFramerate: wholeFps(mode.maxFramerate) }],
  );
  const maxFramerate =
    framerateBySize.length > 0
      ? Math.max(...framerateBySize.map((limit) => limit.maxFramerate))
      : UNKNOWN_MAX_FRAMERATE;
  return {
    sizes: {
      kind: 'range',
      width: { min: 64, max: camera.width },
      height: { min: 64, max: camera.height },
    },
    framerate: { min: 0.1, max: maxFramerate },
    ...(framerateBySize.length > 0 && { framerateBySize }),
    quality: { min: 1, max: 100 },
    rotations: ROTATIONS,
    flips: true,
  };
}
