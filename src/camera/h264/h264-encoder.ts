import type { LoggerService } from '@nestjs/common';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Writable } from 'node:stream';
import { promisify } from 'node:util';
import {
  type AccessUnit,
  accessUnitOf,
  type ParameterSets,
  parseAvcConfiguration,
} from '../../h264/avc';
import { FlvDemuxer } from '../../h264/flv-demuxer';
import { captureProcessOutput } from '../../process/capture-process';
import type { Frame } from '../producer/frame';
import type { FrameWaiter } from '../producer/frame-hub';

const run = promisify(execFile);

/** How H.264 is made from a camera's JPEGs: the Pi's hardware encoder where there is one, else x264. */
export type H264EncoderName = 'libx264' | 'h264_v4l2m2m';

export interface H264EncoderTool {
  readonly path: string;
  readonly encoder: H264EncoderName;
  /** ffmpeg 5.1 took -fps_mode over from -vsync (which older builds, such as npm's, still need). */
  readonly passthroughTiming: readonly string[];
}

/** The encoder this ffmpeg can use, or undefined if it has none for H.264. */
export async function findH264Encoder(path: string): Promise<H264EncoderTool | undefined> {
  const [{ stdout: encoders }, { stdout: version }] = await Promise.all([
    run(path, ['-hide_banner', '-encoders'], { timeout: 10_000 }),
    run(path, ['-version'], { timeout: 10_000 }),
  ]);
  const match = /ffmpeg version n?(\d+)\.(\d+)/.exec(version);
  const modern =
    match !== null && (Number(match[1]) > 5 || (Number(match[1]) === 5 && Number(match[2]) >= 1));
  const passthroughTiming = modern ? ['-fps_mode', 'passthrough'] : ['-vsync', 'passthrough'];
  // The V4L2 memory-to-memory encoder is listed by every Linux ffmpeg; only a Pi (≤ 4) has the
  // device behind it.
  const hardware =
    /\bh264_v4l2m2m\b/.test(encoders) &&
    (process.arch === 'arm' || process.arch === 'arm64') &&
    existsSync('/dev/video11');
  if (hardware) return { path, encoder: 'h264_v4l2m2m', passthroughTiming };
  if (/\blibx264\b/.test(encoders)) return { path, encoder: 'libx264', passthroughTiming };
  return undefined;
}

export interface H264EncodeOptions {
  readonly tool: H264EncoderTool;
  readonly bitrateKbps: number;
  readonly keyframeIntervalS: number;
  readonly framerate: number;
}

/** ffmpeg's arguments: JPEGs in on stdin, H.264 out as FLV (a tag per picture) on stdout. */
export function encoderArgs(options: H264EncodeOptions): string[] {
  const { tool, bitrateKbps, keyframeIntervalS, framerate } = options;
  const gop = String(Math.max(1, Math.round(keyframeIntervalS * framerate)));
  const codec =
    tool.encoder === 'libx264'
      ? [
          '-c:v',
          'libx264',
          '-preset',
          'ultrafast',
          '-tune',
          'zerolatency',
          '-profile:v',
          'baseline',
          '-x264-params',
          `keyint=${gop}:min-keyint=${gop}:scenecut=0:repeat-headers=1`,
        ]
      : ['-c:v', 'h264_v4l2m2m', '-g', gop];
  return [
    '-hide_banner',
    '-loglevel',
    'error',
    // Each JPEG is stamped when it arrives: the camera's own pace, whatever it is.
    '-use_wallclock_as_timestamps',
    '1',
    // Multipart with Content-Length, not bare JPEGs: ffmpeg's mjpeg reader ends a picture only
    // when the next one begins, which held every picture back a whole frame interval (33 ms at
    // 30 fps, a second at 1 fps); with its length announced, a picture is encoded on arrival.
    '-f',
    'mpjpeg',
    '-i',
    'pipe:0',
    '-an',
    '-sn',
    '-dn',
    // x264 needs even sizes; most cameras have them, this keeps the odd ones working.
    '-vf',
    'scale=trunc(iw/2)*2:trunc(ih/2)*2,format=yuv420p',
    ...codec,
    '-bf',
    '0',
    '-b:v',
    `${bitrateKbps}k`,
    '-maxrate',
    `${bitrateKbps}k`,
    '-bufsize',
    `${Math.max(100, Math.round(bitrateKbps / 2))}k`,
    ...tool.passthroughTiming,
    '-flush_packets',
    '1',
    '-f',
    'flv',
    'pipe:1',
  ];
}

/** Reads FLV from a process and yields its pictures as access units. */
export async function* accessUnitsFromFlv(
  chunks: AsyncIterable<Buffer>,
): AsyncGenerator<AccessUnit> {
  const demuxer = new FlvDemuxer();
  let parameters: ParameterSets | undefined;
  for await (const chunk of chunks) {
    for (const tag of demuxer.push(chunk)) {
      if (tag.packetType === 0) {
        parameters = parseAvcConfiguration(tag.payload);
        continue;
      }
      if (tag.packetType !== 1) continue;
      const unit = accessUnitOf(tag.payload, tag.keyframe, Date.now(), parameters);
      if (unit.data.length > 0) yield unit;
    }
  }
}

const CRLF = Buffer.from('\r\n');

/** The multipart header of one JPEG for the encoder's input (`-f mpjpeg`). */
export function encoderPartHeader(length: number): Buffer {
  return Buffer.from(`--frame\r\nContent-Type: image/jpeg\r\nContent-Length: ${length}\r\n\r\n`);
}

/**
 * Feeds a camera's JPEGs to the encoder as they come, never queueing: while the encoder's stdin
 * has not taken the last frame, newer ones are skipped, and the newest goes next.
 */
export function feedFrames(
  waiter: FrameWaiter,
  signal: AbortSignal,
  /** Sees each frame before it goes in; false ends the run (the picture changed size). */
  accept: (frame: Frame) => boolean = () => true,
): (stdin: Writable) => void {
  return (stdin) => {
    let busy = false;
    const next = (): void => {
      if (signal.aborted || busy) return;
      waiter.arm((frame: Frame) => {
        if (signal.aborted || stdin.destroyed || !accept(frame)) return;
        stdin.write(encoderPartHeader(frame.jpeg.length));
        stdin.write(frame.jpeg);
        if (!stdin.write(CRLF)) {
          busy = true;
          stdin.once('drain', () => {
            busy = false;
            next();
          });
          return;
        }
        next();
      });
    };
    signal.addEventListener('abort', () => waiter.disarm(), { once: true });
    next();
  };
}

/** One run of the encoder: JPEGs from `waiter` in, pictures out, until `signal` aborts or it dies. */
export function encodeJpegFrames(
  options: H264EncodeOptions & {
    readonly waiter: FrameWaiter;
    readonly logger: LoggerService;
    readonly accept?: (frame: Frame) => boolean;
  },
  signal: AbortSignal,
): AsyncGenerator<AccessUnit> {
  const output = captureProcessOutput({
    command: options.tool.path,
    args: encoderArgs(options),
    signal,
    name: 'h264 encoder',
    logger: options.logger,
    input: feedFrames(options.waiter, signal, options.accept),
  });
  return accessUnitsFromFlv(output);
}
