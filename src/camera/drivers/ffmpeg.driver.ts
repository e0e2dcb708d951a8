import { Logger, type LoggerService } from '@nestjs/common';
import { execFile } from 'node:child_process';
import { createRedactor, type Redact } from '../../common/redact-secrets';
import type { Readable } from 'node:stream';
import type { AccessUnit } from '../../h264/avc';
import type {
  CameraDriver,
  CameraSettings,
  CaptureOutputs,
  DriverCapabilities,
} from './camera-driver.interface';
import { ROTATIONS } from './camera-driver.interface';
import { accessUnitsFromFlv } from '../h264/h264-encoder';
import { splitJpegStream } from '../../jpeg/jpeg-splitter';
import { captureProcessOutput } from '../../process/capture-process';
import {
  canCopyH264,
  classifySource,
  type FfmpegSource,
  inputArgs,
  parseV4l2Formats,
  parseVideoCodec,
  planFfmpeg,
  type V4l2Formats,
} from './ffmpeg-command';
import { type FfmpegBinary, findFfmpeg } from './ffmpeg-binary';
import { FrameRateLimiter } from './frame-rate-limiter';

export interface FfmpegDriverOptions {
  /** An ffmpeg input: a V4L2 device, an rtsp:// or http:// URL, a file, a lavfi graph. */
  readonly source: string;
  /** Forces ffmpeg's -f input format (v4l2, lavfi, x11grab, ...). */
  readonly format?: string;
  readonly ffmpegPath?: string;
  /** Names the camera in every line. */
  readonly logger?: LoggerService;
}

/** What ffmpeg can make of any source it scales and re-encodes. */
const SCALED_SOURCE: DriverCapabilities = {
  sizes: { kind: 'range', width: { min: 16, max: 3840 }, height: { min: 16, max: 2160 } },
  framerate: { min: 0.1, max: 60 },
  quality: { min: 1, max: 100 },
  rotations: ROTATIONS,
  flips: true,
};

/** Long enough for a camera on a slow link to describe its streams; the capture's is 5 s. */
const PROBE_TIMEOUT_MS = 15_000;

/**
 * Webcams, IP cameras, video files, screens: anything ffmpeg reads. A V4L2 webcam that sends MJPEG
 * at the requested size has its own JPEGs passed straight through (no decode, no encode, only the
 * missing Huffman tables added); everything else is scaled and encoded to the settings.
 *
 * A network camera (RTSP, HTTP) that sends H.264 has it passed through as well, for WebRTC: the
 * one ffmpeg that decodes it for the JPEGs also copies its packets, untouched, to a second pipe.
 */
export class FfmpegDriver implements CameraDriver {
  readonly name = 'ffmpeg';
  readonly redact: Redact;
  private readonly logger: LoggerService;
  private readonly source: FfmpegSource;
  private binary: Promise<FfmpegBinary> | undefined;
  private formats: Promise<V4l2Formats> | undefined;
  private codec: Promise<string | undefined> | undefined;

  constructor(private readonly options: FfmpegDriverOptions) {
    this.logger = options.logger ?? new Logger('ffmpeg');
    this.source = classifySource(options.source, options.format);
    this.redact = createRedactor(options.source);
  }

  async capabilities(): Promise<DriverCapabilities> {
    if (this.source.kind !== 'v4l2') return SCALED_SOURCE;
    const formats = await this.v4l2Formats();
    const sizes = [...formats.mjpeg, ...formats.raw].filter(
      (size, index, all) =>
        all.findIndex((other) => other.width === size.width && other.height === size.height) ===
        index,
    );
    if (formats.range) return { ...SCALED_SOURCE, sizes: { kind: 'range', ...formats.range } };
    if (sizes.length === 0)
      throw new Error(this.redact(`${this.source.input} lists no video formats`));
    return { ...SCALED_SOURCE, sizes: { kind: 'modes', modes: sizes } };
  }

  async h264Passthrough(): Promise<boolean> {
    if (!canCopyH264(this.source)) return false;
    return (await this.videoCodec()) === 'h264';
  }

  async *frames(
    settings: CameraSettings,
    signal: AbortSignal,
    outputs: CaptureOutputs = {},
  ): AsyncGenerator<Buffer> {
    const binary = await this.ffmpeg();
    const v4l2 =
      this.source.kind === 'v4l2' ? await this.v4l2Formats().catch(() => undefined) : undefined;
    const sink = outputs.h264;
    // A camera that cannot be asked is still captured: its JPEGs never depend on the probe, and
    // the capture's own failure, if any, is the one reported. The next start asks again.
    const h264Copy =
      sink !== undefined &&
      (await this.h264Passthrough().catch((error: unknown) => {
        this.logger.warn(
          this.redact(
            `Cannot tell whether the camera sends H.264, so it is not passed through: ${error instanceof Error ? error.message : String(error)}`,
          ),
        );
        return false;
      }));
    const plan = planFfmpeg(this.source, settings, {
      v4l2,
      rtspTimeoutOption: binary.rtspTimeoutOption,
      h264Copy,
    });
    const passing = [
      ...(plan.passthrough ? ['the camera’s JPEGs'] : []),
      ...(plan.h264Copy ? ['the camera’s H.264'] : []),
    ];
    this.logger.log(
      this.redact(
        `Starting ffmpeg${passing.length > 0 ? ` (passing ${passing.join(' and ')} through)` : ''}: ${plan.args.join(' ')}`,
      ),
    );
    const output = captureProcessOutput({
      command: binary.path,
      args: plan.args,
      signal,
      name: 'ffmpeg',
      logger: this.logger,
      redact: this.redact,
      sideOutput:
        plan.h264Copy && sink !== undefined
          ? (pipe) => void this.forwardH264(pipe, sink, signal)
          : undefined,
    });
    // A webcam's own JPEGs come at the webcam's rate; anything re-encoded is paced by ffmpeg.
    const limiter = plan.passthrough ? new FrameRateLimiter(settings.framerate) : undefined;
    for await (const jpeg of splitJpegStream(output, { insertHuffmanTables: plan.passthrough })) {
      if (limiter === undefined || limiter.accept(Date.now())) yield jpeg;
    }
  }

  /**
   * Hands the copied pictures on as they are demuxed. A broken FLV closes the pipe: ffmpeg's
   * writes to it fail then, and what it does about that is reported like any other failure.
   */
  private async forwardH264(
    pipe: Readable,
    sink: (unit: AccessUnit) => void,
    signal: AbortSignal,
  ): Promise<void> {
    try {
      for await (const unit of accessUnitsFromFlv(pipe)) sink(unit);
    } catch (error) {
      if (signal.aborted) return;
      this.logger.warn(
        this.redact(
          `The camera’s H.264 could not be read: ${error instanceof Error ? error.message : String(error)}`,
        ),
      );
    } finally {
      pipe.destroy();
    }
  }

  /**
   * The codec of the source's video, asked once: a network camera does not change it while
   * camfeed runs, and asking opens the source, which must not happen while it is captured. An
   * answer is kept; a failure (the camera unreachable) is asked again next time.
   */
  private async videoCodec(): Promise<string | undefined> {
    this.codec ??= (async () => {
      const binary = await this.ffmpeg();
      const args = [
        '-hide_banner',
        '-nostdin',
        ...inputArgs(
          this.source,
          { width: 0, height: 0, framerate: 1 },
          {
            rtspTimeoutOption: binary.rtspTimeoutOption,
          },
        ),
      ];
      const output = await new Promise<string>((resolve) => {
        // With no output, ffmpeg describes its input on stderr and exits with an error, by design.
        execFile(binary.path, args, { timeout: PROBE_TIMEOUT_MS }, (_error, stdout, stderr) =>
          resolve(`${stdout}${stderr}`),
        );
      });
      const codec = parseVideoCodec(output);
      if (codec === undefined) {
        const said = output
          .trim()
          .split('\n')
          .filter((line) => !/output file/i.test(line))
          .at(-1);
        throw new Error(this.redact(said ?? `cannot open ${this.source.input}`));
      }
      this.logger.log(`The camera sends ${codec}`);
      return codec;
    })().catch((error: unknown) => {
      this.codec = undefined;
      throw error;
    });
    return this.codec;
  }

  private async ffmpeg(): Promise<FfmpegBinary> {
    this.binary ??= findFfmpeg(this.options.ffmpegPath).catch((error: unknown) => {
      this.binary = undefined;
      throw error;
    });
    return this.binary;
  }

  /** The device's formats and sizes, as ffmpeg lists them (asked once). */
  private async v4l2Formats(): Promise<V4l2Formats> {
    this.formats ??= (async () => {
      const binary = await this.ffmpeg();
      const output = await new Promise<string>((resolve) => {
        // ffmpeg lists the formats on stderr and then exits with an error, by design.
        execFile(
          binary.path,
          ['-hide_banner', '-f', 'v4l2', '-list_formats', 'all', '-i', this.source.input],
          { timeout: 10_000 },
          (_error, stdout, stderr) => resolve(`${stdout}${stderr}`),
        );
      });
      const formats = parseV4l2Formats(output);
      if (formats.mjpeg.length + formats.raw.length === 0 && formats.range === undefined) {
        throw new Error(
          this.redact(
            output.trim().split('\n').at(-1) ?? `cannot list the formats of ${this.source.input}`,
          ),
        );
      }
      return formats;
    })().catch((error: unknown) => {
      this.formats = undefined;
      throw error;
    });
    return this.formats;
  }
}
