import { Logger, type LoggerService } from '@nestjs/common';
import { execFile } from 'node:child_process';
import { createRedactor, type Redact } from '../../common/redact-secrets';
import type { DriverCapabilities, CameraDriver, CameraSettings } from './camera-driver.interface';
import { ROTATIONS } from './camera-driver.interface';
import { splitJpegStream } from '../../jpeg/jpeg-splitter';
import { captureProcessOutput } from '../../process/capture-process';
import {
  type FfmpegSource,
  classifySource,
  parseV4l2Formats,
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

/**
 * Webcams, IP cameras, video files, screens: anything ffmpeg reads. A V4L2 webcam that sends MJPEG
 * at the requested size has its own JPEGs passed straight through (no decode, no encode, only the
 * missing Huffman tables added); everything else is scaled and encoded to the settings.
 */
export class FfmpegDriver implements CameraDriver {
  readonly name = 'ffmpeg';
  readonly redact: Redact;
  private readonly logger: LoggerService;
  private readonly source: FfmpegSource;
  private binary: Promise<FfmpegBinary> | undefined;
  private formats: Promise<V4l2Formats> | undefined;

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

  async *frames(settings: CameraSettings, signal: AbortSignal): AsyncGenerator<Buffer> {
    const binary = await this.ffmpeg();
    const v4l2 =
      this.source.kind === 'v4l2' ? await this.v4l2Formats().catch(() => undefined) : undefined;
    const plan = planFfmpeg(this.source, settings, {
      v4l2,
      rtspTimeoutOption: binary.rtspTimeoutOption,
    });
    this.logger.log(
      this.redact(
        `Starting ffmpeg${plan.passthrough ? ' (passing the camera’s JPEGs through)' : ''}: ${plan.args.join(' ')}`,
      ),
    );
    const output = captureProcessOutput({
      command: binary.path,
      args: plan.args,
      signal,
      name: 'ffmpeg',
      logger: this.logger,
      redact: this.redact,
    });
    // A webcam's own JPEGs come at the webcam's rate; anything re-encoded is paced by ffmpeg.
    const limiter = plan.passthrough ? new FrameRateLimiter(settings.framerate) : undefined;
    for await (const jpeg of splitJpegStream(output, { insertHuffmanTables: plan.passthrough })) {
      if (limiter === undefined || limiter.accept(Date.now())) yield jpeg;
    }
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
