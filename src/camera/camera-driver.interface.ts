/** What a driver is asked to capture. */
export interface CameraSettings {
  readonly width: number;
  readonly height: number;
  /** Frames per second; may be fractional (0.5 = one frame every two seconds). */
  readonly framerate: number;
  /** JPEG quality, 1–100. */
  readonly quality: number;
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
   * Yields complete JPEG images for `settings`, at about `settings.framerate`, until `signal`
   * aborts (then it returns quietly) or the device fails (then it throws, and the producer restarts
   * it with backoff). It must release its device — kill its child process, close its file — in a
   * `finally`, so that a restart or a settings change never finds the device busy.
   */
  frames(settings: CameraSettings, signal: AbortSignal): AsyncIterable<Buffer>;
}
