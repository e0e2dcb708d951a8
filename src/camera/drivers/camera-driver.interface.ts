import type { Redact } from '../../common/redact-secrets';
import type { AccessUnit } from '../../h264/avc';
import type { CameraCapabilities, CameraSettings } from '../settings/camera-settings.model';

export { ROTATIONS, type Rotation } from '../settings/settings-limits';
export type {
  CameraCapabilities,
  CameraSettings,
  CaptureMode,
  Range,
  SizeFramerateLimit,
} from '../settings/camera-settings.model';

/** What a driver says it can do; the H.264 ranges are camfeed's own, added by the settings. */
export type DriverCapabilities = Omit<CameraCapabilities, 'bitrate' | 'keyframeInterval'>;

/** What a capture may give besides its JPEGs, to whoever runs it (the producer). */
export interface CaptureOutputs {
  /**
   * The source's own H.264 pictures, as they came from the camera (no decode, no encode), from
   * the same capture as the JPEGs. Called only by drivers whose `h264Passthrough()` is true.
   */
  readonly h264?: (unit: AccessUnit) => void;
}

/**
 * A frame that comes with its own capture time: a camera of another node, whose frames were
 * captured there (the time viewers' X-Timestamp shows, so latency across nodes is measurable), and
 * whose "no signal" picture is not a camera frame.
 */
export interface SourceFrame {
  readonly jpeg: Buffer;
  /** Epoch ms, with a sub-millisecond fraction. */
  readonly capturedAt: number;
  /** False for a placeholder picture. */
  readonly live: boolean;
}

/**
 * A camera, reduced to the one thing it does: produce JPEG images.
 *
 * Sharing frames between clients, waiting, backpressure, restarts and idle stop all live once, in
 * `FrameProducer`; a driver never deals with them.
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

  /**
   * The longest wait between two attempts after failures (default 10 s).
   */
  readonly retryMaxMs?: number;

  /**
   * For a driver that knows when its source comes back (another node's camera: the node is back
   * in the cluster): resolves then, and the producer tries again at once instead of waiting out
   * its backoff. While the source is there it must not resolve (the backoff applies).
   */
  ready?(signal: AbortSignal): Promise<void>;

  /** What this camera supports. May probe the device; the result is cached by the caller. */
  capabilities(): Promise<DriverCapabilities>;

  /**
   * Yields complete JPEG images for `settings`, at about `settings.framerate` (as buffers, captured
   * now, or as SourceFrames that say when they were captured), until `signal`
   * aborts (then it returns quietly) or the device fails (then it throws, and the producer restarts
   * it with backoff). It must release its device — kill its child process, close its file — in a
   * `finally`, so that a restart or a settings change never finds the device busy.
   */
  frames(
    settings: CameraSettings,
    signal: AbortSignal,
    outputs?: CaptureOutputs,
  ): AsyncIterable<Buffer | SourceFrame>;

  /**
   * Whether `frames()` also gives `outputs.h264`: the source is a camera that encodes H.264
   * itself, which WebRTC viewers then get untouched instead of camfeed encoding the JPEGs. May
   * probe the source once; rejects when the source cannot be reached to tell. Drivers without
   * it never pass H.264 through.
   */
  h264Passthrough?(): Promise<boolean>;
}
