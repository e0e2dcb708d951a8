import type { Frame } from './frame';

type FrameCallback = (frame: Frame) => void;

/**
 * The latest-frame slot shared by all consumers of one camera, and the set of consumers waiting
 * for the next frame.
 *
 * Only the newest frame is kept. A consumer that is busy when a frame arrives is simply not in the
 * waiting set; when it becomes ready it takes whatever is newest. That is how a slow client skips
 * frames, and why no memory ever depends on how slow a client is.
 */
export class FrameHub {
  private current: Frame | undefined;
  // Two sets used in turn, so waking N consumers allocates nothing and a consumer that re-arms
  // during the wake-up lands in the next round, not the one being iterated.
  private waiting = new Set<FrameWaiter>();
  private spare = new Set<FrameWaiter>();

  get latest(): Frame | undefined {
    return this.current;
  }

  get waitingCount(): number {
    return this.waiting.size;
  }

  publish(frame: Frame): void {
    this.current = frame;
    if (this.waiting.size === 0) return;
    const wake = this.waiting;
    this.waiting = this.spare;
    for (const waiter of wake) {
      try {
        waiter.deliver(frame);
      } catch {
        // One consumer's failure (a socket that died mid-write) must not starve the others.
      }
    }
    wake.clear();
    this.spare = wake;
  }

  /** Forgets the latest frame, so that nobody is ever served a picture from a stopped camera. */
  clear(): void {
    this.current = undefined;
  }

  /** @internal used by FrameWaiter */
  addWaiting(waiter: FrameWaiter): void {
    this.waiting.add(waiter);
  }

  /** @internal used by FrameWaiter */
  removeWaiting(waiter: FrameWaiter): void {
    this.waiting.delete(waiter);
  }
}

/**
 * One consumer's view of the camera: it hands out each new frame at most once and waits for the
 * next one without polling. It holds no frames of its own, only the sequence number of the last one
 * it handed out, so a consumer that falls behind gets the newest frame next, never a backlog.
 *
 * `close()` releases the consumer (the camera stops once the last one is gone); it is idempotent.
 */
export class FrameWaiter {
  private lastSeq = 0;
  private callback: FrameCallback | undefined;
  private closed = false;

  constructor(
    private readonly hub: FrameHub,
    private readonly onClose: () => void,
  ) {}

  get isArmed(): boolean {
    return this.callback !== undefined;
  }

  /** The newest frame whether or not it was handed out already (for re-sends and snapshots). */
  get latest(): Frame | undefined {
    return this.hub.latest;
  }

  /** Hands out the newest frame if it is newer than the last one handed out; never waits. */
  takeNewer(): Frame | undefined {
    const frame = this.hub.latest;
    if (frame === undefined || frame.seq <= this.lastSeq) return undefined;
    this.lastSeq = frame.seq;
    return frame;
  }

  /**
   * Calls `callback` once, with the next frame newer than the last one handed out. If one is
   * already there, the call is synchronous. Re-arming replaces the previous callback.
   */
  arm(callback: FrameCallback): void {
    if (this.closed) return;
    const frame = this.takeNewer();
    if (frame !== undefined) {
      this.disarm();
      callback(frame);
      return;
    }
    this.callback = callback;
    this.hub.addWaiting(this);
  }

  disarm(): void {
    if (this.callback === undefined) return;
    this.callback = undefined;
    this.hub.removeWaiting(this);
  }

  /** Resolves with the next new frame; rejects with the signal's reason if it aborts first. */
  async next(signal?: AbortSignal): Promise<Frame> {
    return new Promise<Frame>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason as Error);
        return;
      }
      const onAbort = (): void => {
        this.disarm();
        reject(signal?.reason as Error);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.arm((frame) => {
        signal?.removeEventListener('abort', onAbort);
        resolve(frame);
      });
    });
  }

  close(): void {
    if (this.closed) return;
    this.disarm();
    this.closed = true;
    this.onClose();
  }

  /** @internal called by FrameHub when a frame arrives while this waiter is armed */
  deliver(frame: Frame): void {
    const callback = this.callback;
    if (callback === undefined || this.closed) return;
    this.callback = undefined;
    this.lastSeq = frame.seq;
    callback(frame);
  }
}
