import type { Redact } from '../common/redact-secrets';

export const ROTATIONS = [0, 90, 180, 270] as const;
export type Rotation = (typeof ROTATIONS)[number];

/**
 * What a driver is asked to capture. `width`×`height` is the capture size; with `rotation` 90 or
 * 270 the stream's frames are `height`×`width`. Flips apply to the camera image, before rotation.
 */
export interface CameraSettings {
  readonly width: number;
  readonly height: number;
  /** Frames per second; may be fractional (0.5 = one frame every two seconds). */
  readonly framerate: number;
  /** JPEG quality, 1–100. */
  readonly quality: number;
  readonly rotation: Rotation;
  readonly hflip: boolean;
  readonly vflip: boolean;
}

export interface Range {
  readonly min: number;
  readonly max: number;
}

export interface CaptureMode {
  readonly width: number;
  readonly height: number;
  /** The highest frame rate the camera offers at this size, if it says. */
  readonly maxFramerate?: number;
}

/** The fastest frame rate a camera reaches at sizes up to `width`×`height`. */
export interface SizeFramerateLimit {
  readonly width: number;
  readonly height: number;
  readonly maxFramerate: number;
}

/** What a driver can do; requests outside it are refused with the allowed values. */
export interface CameraCapabilities {
  /** Any size within the ranges, or only the listed modes. */
  readonly sizes:
    | { readonly kind: 'range'; readonly width: Range; readonly height: Range }
    | { readonly kind: 'modes'; readonly modes: readonly CaptureMode[] };
  readonly framerate: Range;
  /**
   * For cameras that scale from a few sensor modes (a small mode reads out faster than the full
   * sensor): a size may go as fast as the fastest entry that covers it in width and height, or the
   * largest entry beyond all of them. Without it `framerate.max` holds at every size.
   */
  readonly framerateBySize?: readonly SizeFramerateLimit[];
  /** null when the source's own JPEGs are passed through and their quality cannot change. */
  readonly quality: Range | null;
  readonly rotations: readonly Rotation[];
  /** Whether hflip and vflip are supported. */
  readonly flips: boolean;
}

/**
 * A camera, reduced to the one thing it does: produce JPEG images.
 *
 * Sharing frames between clients, waiting, backpressure, restarts and idle stop all live once, in
 * `FrameProducerService`; a driver never deals with them.
 */
export interface CameraDriver {
  /** The `CAMERA` value that selects it; shown in status and logs. */
  readonly name: string;

  /**
   * Masks the credentials of this camera's source (an RTSP password, a token in the query) in
   * text. Whatever the producer and the settings service log or show passes through it, since a
   * driver's errors often quote its source. Drivers whose source holds no secret may leave it
   * out: URL credentials are then still masked by pattern.
   */
  readonly redact?: Redact;

  /** What this camera supports. May probe the device; the result is cached by the caller. */
  capabilities(): Promise<CameraCapabilities>;

  /**
   * Yields complete JPEG images for `settings`, at about `settings.framerate`, until `signal`
   * aborts (then it returns quietly) or the device fails (then it throws, and the producer restarts
   * it with backoff). It must release its device — kill its child process, close its file — in a
   * `finally`, so that a restart or a settings change never finds the device busy.
   */
  frames(settings: CameraSettings, signal: AbortSignal): AsyncIterable<Buffer>;
}
