import type {
  CameraCapabilities,
  CameraSettings,
  CaptureMode,
  Range,
} from '../drivers/camera-driver.interface';
import { framerateLimitAt } from './framerate-at-size';

const formatRange = ({ min, max }: Range): string => `${min} to ${max}`;
const formatMode = ({ width, height, maxFramerate }: CaptureMode): string =>
  `${width}x${height}${maxFramerate ? ` (up to ${maxFramerate} fps)` : ''}`;
const within = (value: number, { min, max }: Range): boolean => value >= min && value <= max;
const clamp = (value: number, { min, max }: Range): number => Math.min(max, Math.max(min, value));

function modeOf(settings: CameraSettings, caps: CameraCapabilities): CaptureMode | undefined {
  if (caps.sizes.kind !== 'modes') return undefined;
  return caps.sizes.modes.find((m) => m.width === settings.width && m.height === settings.height);
}

/** The highest frame rate at `settings`' size: the camera's, its mode's, or its size limit's. */
function maxFramerateAt(settings: CameraSettings, caps: CameraCapabilities): number {
  return Math.min(
    caps.framerate.max,
    modeOf(settings, caps)?.maxFramerate ?? Infinity,
    framerateLimitAt(caps.framerateBySize ?? [], settings.width, settings.height) ?? Infinity,
  );
}

/**
 * Every way `settings` falls outside what the camera can do, each naming the field and what is
 * allowed. `changed` lists the fields the caller asked to change: a feature the camera lacks
 * (quality of passed-through JPEGs, flips) is only a problem when someone asks for it.
 */
export function findSettingsProblems(
  settings: CameraSettings,
  caps: CameraCapabilities,
  changed: ReadonlySet<keyof CameraSettings>,
): string[] {
  const problems: string[] = [];
  if (caps.sizes.kind === 'range') {
    if (!within(settings.width, caps.sizes.width)) {
      problems.push(`width must be from ${formatRange(caps.sizes.width)} for this camera`);
    }
    if (!within(settings.height, caps.sizes.height)) {
      problems.push(`height must be from ${formatRange(caps.sizes.height)} for this camera`);
    }
  } else if (modeOf(settings, caps) === undefined) {
    problems.push(
      `width x height must be one of this camera's modes: ${caps.sizes.modes.map(formatMode).join(', ')} ` +
        `(got ${settings.width}x${settings.height})`,
    );
  }
  const maxFramerate = maxFramerateAt(settings, caps);
  if (!within(settings.framerate, { min: caps.framerate.min, max: maxFramerate })) {
    problems.push(
      `framerate must be from ${caps.framerate.min} to ${maxFramerate} for this camera` +
        (maxFramerate < caps.framerate.max ? ` at ${settings.width}x${settings.height}` : ''),
    );
  }
  if (caps.quality === null) {
    if (changed.has('quality')) {
      problems.push('quality cannot be changed: this camera sends its own JPEGs as they are');
    }
  } else if (!within(settings.quality, caps.quality)) {
    problems.push(`quality must be from ${formatRange(caps.quality)} for this camera`);
  }
  for (const field of ['bitrate', 'keyframeInterval'] as const) {
    if (!within(settings[field], caps[field]))
      problems.push(`${field} must be from ${formatRange(caps[field])} for this camera`);
  }
  if (!caps.rotations.includes(settings.rotation)) {
    problems.push(`rotation must be one of: ${caps.rotations.join(', ')} for this camera`);
  }
  if (!caps.flips) {
    for (const flip of ['hflip', 'vflip'] as const) {
      if (settings[flip] && changed.has(flip))
        problems.push(`${flip} is not supported by this camera`);
    }
  }
  return problems;
}

/**
 * The nearest settings the camera supports: used at boot, when saved or configured settings no
 * longer fit (another camera was plugged in, the driver changed).
 */
export function fitSettings(settings: CameraSettings, caps: CameraCapabilities): CameraSettings {
  let { width, height } = settings;
  if (caps.sizes.kind === 'range') {
    width = clamp(width, caps.sizes.width);
    height = clamp(height, caps.sizes.height);
  } else if (caps.sizes.modes.length > 0 && modeOf(settings, caps) === undefined) {
    const area = width * height;
    const nearest = [...caps.sizes.modes].sort(
      (a, b) => Math.abs(a.width * a.height - area) - Math.abs(b.width * b.height - area),
    )[0];
    ({ width, height } = nearest);
  }
  const fitted: CameraSettings = {
    width,
    height,
    framerate: settings.framerate,
    quality: caps.quality === null ? settings.quality : clamp(settings.quality, caps.quality),
    bitrate: clamp(settings.bitrate, caps.bitrate),
    keyframeInterval: clamp(settings.keyframeInterval, caps.keyframeInterval),
    rotation: caps.rotations.includes(settings.rotation)
      ? settings.rotation
      : (caps.rotations[0] ?? 0),
    hflip: caps.flips && settings.hflip,
    vflip: caps.flips && settings.vflip,
  };
  return {
    ...fitted,
    framerate: clamp(settings.framerate, {
      min: caps.framerate.min,
      max: maxFramerateAt(fitted, caps),
    }),
  };
}

/** Size of the frames viewers get: rotation by 90 or 270 degrees swaps width and height. */
export function outputSize(settings: CameraSettings): { width: number; height: number } {
  return settings.rotation % 180 === 0
    ? { width: settings.width, height: settings.height }
    : { width: settings.height, height: settings.width };
}
