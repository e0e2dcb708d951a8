import type { CameraSettings } from './camera-driver.interface';

/*
 * ffmpeg command lines for camfeed's sources, built from the settings. Pure functions, so every
 * mapping (size, rate, quality, rotation, flips, per-source input flags) is unit-tested.
 */

export type SourceKind = 'v4l2' | 'lavfi' | 'rtsp' | 'http' | 'file' | 'other';

export interface FfmpegSource {
  readonly kind: SourceKind;
  readonly input: string;
  /** The -f input format, when it has to be given. */
  readonly format?: string;
}

/** lavfi test sources, so CAMERA_SOURCE=testsrc2 works without CAMERA_SOURCE_FORMAT=lavfi. */
const LAVFI_SOURCES =
  /^(testsrc2?|smptebars|smptehdbars|rgbtestsrc|yuvtestsrc|pal75bars|pal100bars|color|mandelbrot|life|cellauto|gradients|sierpinski|allrgb|allyuv|zoneplate)(=|$)/;

/** Capture devices whose demuxer takes a -framerate option. */
const GRABBERS = new Set([
  'v4l2',
  'video4linux2',
  'x11grab',
  'kmsgrab',
  'fbdev',
  'gdigrab',
  'dshow',
  'avfoundation',
]);

export function classifySource(input: string, format?: string): FfmpegSource {
  if (
    format === 'v4l2' ||
    format === 'video4linux2' ||
    (!format && input.startsWith('/dev/video'))
  ) {
    return { kind: 'v4l2', input, format: 'v4l2' };
  }
  if (format === 'lavfi' || (!format && LAVFI_SOURCES.test(input)))
    return { kind: 'lavfi', input, format: 'lavfi' };
  if (format) return { kind: 'other', input, format };
  if (/^rtsps?:\/\//i.test(input)) return { kind: 'rtsp', input };
  if (/^https?:\/\//i.test(input)) return { kind: 'http', input };
  return { kind: 'file', input };
}

/** camfeed's quality 1–100 to ffmpeg's MJPEG -q:v, 31 (worst) to 2 (best). */
export function qualityToQscale(quality: number): number {
  return Math.round(31 - ((quality - 1) * 29) / 99);
}

/** Flips first, then the rotation; 180° is both flips, so it folds into them. */
export function orientationFilters(
  settings: Pick<CameraSettings, 'rotation' | 'hflip' | 'vflip'>,
): string[] {
  const halfTurn = settings.rotation === 180;
  const filters: string[] = [];
  if (settings.hflip !== halfTurn) filters.push('hflip');
  if (settings.vflip !== halfTurn) filters.push('vflip');
  if (settings.rotation === 90) filters.push('transpose=clock');
  if (settings.rotation === 270) filters.push('transpose=cclock');
  return filters;
}

export interface V4l2Formats {
  /** Sizes the device sends as MJPEG, which camfeed can pass through without re-encoding. */
  readonly mjpeg: ReadonlyArray<{ width: number; height: number }>;
  readonly raw: ReadonlyArray<{ width: number; height: number }>;
  /** Set when the device takes any size within limits (stepwise formats). */
  readonly range?: { width: { min: number; max: number }; height: { min: number; max: number } };
}

/** Parses `ffmpeg -f v4l2 -list_formats all -i DEVICE` output. */
export function parseV4l2Formats(output: string): V4l2Formats {
  const mjpeg: Array<{ width: number; height: number }> = [];
  const raw: Array<{ width: number; height: number }> = [];
  let range: V4l2Formats['range'];
  for (const line of output.split('\n')) {
    const match = /\]\s*(Raw|Compressed)\s*:\s*(\S+)\s*:[^:]*:\s*(.*)$/.exec(line);
    if (match === null) continue;
    const [, kind, codec, sizes] = match;
    const target =
      kind === 'Compressed' && codec === 'mjpeg' ? mjpeg : kind === 'Raw' ? raw : undefined;
    if (target === undefined) continue;
    for (const size of sizes.matchAll(/(?<![{\d])(\d+)x(\d+)/g)) {
      const mode = { width: Number(size[1]), height: Number(size[2]) };
      if (!target.some((m) => m.width === mode.width && m.height === mode.height))
        target.push(mode);
    }
    const stepwise = /\{(\d+)-(\d+),\s*\d+\}x\{(\d+)-(\d+),\s*\d+\}/.exec(sizes);
    if (stepwise) {
      range = {
        width: { min: Number(stepwise[1]), max: Number(stepwise[2]) },
        height: { min: Number(stepwise[3]), max: Number(stepwise[4]) },
      };
    }
  }
  return { mjpeg, raw, range };
}

export interface FfmpegPlan {
  readonly args: string[];
  /** The camera's own JPEGs are copied through, untouched (no decode, no encode). */
  readonly passthrough: boolean;
  /** The source's H.264 is also copied, untouched, as FLV to file descriptor H264_COPY_FD. */
  readonly h264Copy: boolean;
}

export interface PlanOptions {
  readonly v4l2?: V4l2Formats;
  /** The RTSP socket timeout option of this ffmpeg: -stimeout before 5.0, -timeout since. */
  readonly rtspTimeoutOption?: string;
  /**
   * Adds a second output to the same process: the source's own H.264, copied (`-c:v copy`) to
   * FLV on H264_COPY_FD. Only for network sources, which the caller found to send H.264.
   */
  readonly h264Copy?: boolean;
}

/** The pipe the copied H.264 comes out on: 0–2 are stdin, the JPEGs and the log. */
export const H264_COPY_FD = 3;

/** Sources whose own H.264 is worth copying: a camera on the network that encoded it already. */
export const canCopyH264 = (source: FfmpegSource): boolean =>
  source.kind === 'rtsp' || source.kind === 'http';

/**
 * The codec of the first video stream in `ffmpeg -i INPUT`'s description of its input (stderr),
 * such as "h264" or "hevc"; undefined if it describes none (the input could not be opened).
 */
export function parseVideoCodec(output: string): string | undefined {
  return /^\s*Stream #\d+:\d+\S*: Video: ([\w-]+)/m.exec(output)?.[1];
}

const hasSize = (
  sizes: ReadonlyArray<{ width: number; height: number }>,
  width: number,
  height: number,
): boolean => sizes.some((size) => size.width === width && size.height === height);

/**
 * What opens the input: the source's demuxer and its flags, ending with `-i INPUT`. The capture
 * and the codec probe open a network camera the same way.
 */
export function inputArgs(
  source: FfmpegSource,
  settings: Pick<CameraSettings, 'width' | 'height' | 'framerate'>,
  options: PlanOptions = {},
): string[] {
  const { width, height, framerate } = settings;
  const deviceRate = String(Math.max(1, Math.ceil(framerate)));
  switch (source.kind) {
    case 'v4l2': {
      const mjpegAtSize = options.v4l2 !== undefined && hasSize(options.v4l2.mjpeg, width, height);
      const listed = options.v4l2 && (mjpegAtSize || hasSize(options.v4l2.raw, width, height));
      const args = ['-f', 'v4l2'];
      if (mjpegAtSize) args.push('-input_format', 'mjpeg');
      if (listed || options.v4l2?.range) args.push('-video_size', `${width}x${height}`);
      args.push('-framerate', deviceRate, '-i', source.input);
      return args;
    }
    case 'lavfi':
      // lavfi sources render as fast as they can: -re plays them in real time.
      return ['-re', '-f', 'lavfi', '-i', source.input];
    case 'file':
      return ['-re', '-stream_loop', '-1', '-i', source.input];
    case 'rtsp':
      return [
        '-rtsp_transport',
        'tcp',
        '-fflags',
        'nobuffer',
        '-flags',
        'low_delay',
        options.rtspTimeoutOption ?? '-timeout',
        '5000000',
        '-i',
        source.input,
      ];
    case 'http':
      return ['-fflags', 'nobuffer', '-flags', 'low_delay', '-i', source.input];
    case 'other': {
      const args = ['-f', source.format as string];
      if (GRABBERS.has(source.format as string)) args.push('-framerate', deviceRate);
      args.push('-i', source.input);
      return args;
    }
  }
}

export function planFfmpeg(
  source: FfmpegSource,
  settings: CameraSettings,
  options: PlanOptions = {},
): FfmpegPlan {
  const { width, height, framerate } = settings;
  const args = ['-hide_banner', '-nostdin', '-nostats', '-loglevel', 'error'];
  const mjpegAtSize =
    source.kind === 'v4l2' &&
    options.v4l2 !== undefined &&
    hasSize(options.v4l2.mjpeg, width, height);
  const upright = settings.rotation === 0 && !settings.hflip && !settings.vflip;
  const passthrough = mjpegAtSize && upright;
  const h264Copy = options.h264Copy === true && canCopyH264(source);
  args.push(...inputArgs(source, settings, options));

  args.push('-an', '-sn', '-dn');
  if (passthrough) {
    args.push('-c:v', 'copy');
  } else {
    const filters = [
      `fps=${framerate}`,
      `scale=${width}:${height}:force_original_aspect_ratio=decrease`,
      `pad=${width}:${height}:(ow-iw)/2:(oh-ih)/2`,
      'setsar=1',
      ...orientationFilters(settings),
    ];
    args.push(
      '-vf',
      filters.join(','),
      '-c:v',
      'mjpeg',
      '-q:v',
      String(qualityToQscale(settings.quality)),
      '-pix_fmt',
      'yuvj420p',
    );
  }
  args.push('-f', 'mjpeg', 'pipe:1');
  if (h264Copy) {
    // The same decoded-once input feeds the JPEGs; this output takes the compressed packets as
    // they came, so WebRTC viewers cost no decode and no encode. FLV keeps a picture per tag, and
    // flushing each one keeps the latency of the camera's own.
    args.push(
      '-map',
      '0:v:0',
      '-an',
      '-sn',
      '-dn',
      '-c:v',
      'copy',
      '-flush_packets',
      '1',
      '-f',
      'flv',
      `pipe:${H264_COPY_FD}`,
    );
  }
  return { args, passthrough, h264Copy };
}
