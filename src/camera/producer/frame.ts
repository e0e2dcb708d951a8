/** One captured image, shared read-only by every consumer: never copied per client. */
export interface Frame {
  /** Increases by one per captured frame, for the life of the process. */
  readonly seq: number;
  readonly jpeg: Buffer;
  /** Capture time, Unix epoch in milliseconds with a sub-millisecond fraction. */
  readonly capturedAt: number;
  readonly width: number;
  readonly height: number;
  /** False for the "no signal" picture camfeed shows while the camera is down. */
  readonly live: boolean;
}
