import type {
  CameraDriver,
  CameraSettings,
  DriverCapabilities,
  SourceFrame,
} from '../../camera/drivers/camera-driver.interface';
import { GENERIC_CAPABILITIES } from '../../camera/settings/camera-settings.model';
import { PIECE_KINDS, PieceAssembler } from '../frame-pieces';
import type { RemoteLink } from './remote-link';

/**
 * The camera's return is signalled (ready()): retries while it is away say so in the log at most
 * this often, and a stream that stalled while it was there is tried again within this.
 */
const RETRY_MAX_MS = 10_000;

/**
 * The newest frame only: a slot the subscription fills and the capture loop empties. If the loop
 * is behind, a frame replaces the one waiting, so nothing queues here either.
 */
class LatestFrame {
  private frame: SourceFrame | undefined;
  private failure: Error | undefined;
  private wake: (() => void) | undefined;

  put(frame: SourceFrame): void {
    this.frame = frame;
    this.wake?.();
  }

  fail(error: Error): void {
    this.failure ??= error;
    this.wake?.();
  }

  /** The next frame; undefined once `signal` aborts; rejects after `fail`. */
  async take(signal: AbortSignal): Promise<SourceFrame | undefined> {
    for (;;) {
      if (this.failure !== undefined) throw this.failure;
      if (signal.aborted) return undefined;
      const frame = this.frame;
      if (frame !== undefined) {
        this.frame = undefined;
        return frame;
      }
      await new Promise<void>((resolve) => {
        const done = (): void => {
          this.wake = undefined;
          signal.removeEventListener('abort', done);
          resolve();
        };
        this.wake = done;
        signal.addEventListener('abort', done, { once: true });
      });
    }
  }
}

/**
 * A camera of another node, as a driver: it subscribes to the camera's JPEGs on the bus and
 * yields them with the time they were captured there. Sharing them among this node's viewers,
 * waiting, backpressure, the "no signal" picture and restarts are the producer's, as for any
 * camera. It runs while this node has viewers of the camera, and says so to the camera's node
 * (which captures only while some node does).
 *
 * When the camera's node leaves the cluster or this node loses NATS, the run fails at once, and
 * so does each one while it is away: its viewers see "no signal" with the reason. The producer is
 * told the moment it is back (ready()) and subscribes again at once.
 */
export class RemoteFrameDriver implements CameraDriver {
  readonly name = 'cluster';
  readonly retryMaxMs = RETRY_MAX_MS;
  /** Pictures that lost a piece on the way. */
  dropped = 0;

  constructor(private readonly link: RemoteLink) {}

  /** Not asked for: the camera's settings and capabilities are its node's (see RemoteControl). */
  async capabilities(): Promise<DriverCapabilities> {
    return Promise.resolve(GENERIC_CAPABILITIES);
  }

  /** Resolves when the camera comes back, if it is away now; never while it is there. */
  async ready(signal: AbortSignal): Promise<void> {
    if (this.link.unreachable === undefined) {
      await new Promise<void>((resolve) =>
        signal.addEventListener('abort', () => resolve(), { once: true }),
      );
      return;
    }
    await this.link.reachable(signal);
  }

  async *frames(_settings: CameraSettings, signal: AbortSignal): AsyncGenerator<SourceFrame> {
    const unreachable = this.link.unreachable;
    if (unreachable !== undefined) throw new Error(unreachable);
    const subjects = this.link.subjects;
    const owner = this.link.owner;
    if (subjects === undefined || owner === undefined) return;
    const latest = new LatestFrame();
    const assembler = new PieceAssembler();
    const subscription = this.link.bus.subscribe(subjects.jpeg, (message) => {
      const droppedBefore = assembler.dropped;
      const picture = assembler.push(message.data);
      this.dropped += assembler.dropped - droppedBefore;
      if (picture === undefined) return;
      if (picture.kind !== PIECE_KINDS.jpeg && picture.kind !== PIECE_KINDS.placeholder) return;
      latest.put({
        jpeg: picture.data,
        capturedAt: picture.capturedAt,
        live: picture.kind === PIECE_KINDS.jpeg,
      });
    });
    const stopWatching = this.link.onChange(() => {
      const reason = this.link.unreachable;
      if (reason !== undefined) latest.fail(new Error(reason));
      else if (this.link.owner?.instance !== owner.instance)
        latest.fail(
          new Error(
            this.link.owner?.node === owner.node
              ? `node ${owner.node} of camera ${this.link.id} restarted`
              : `camera ${this.link.id} moved to node ${this.link.owner?.node}`,
          ),
        );
    });
    this.link.want('mjpeg', true);
    try {
      for (;;) {
        const frame = await latest.take(signal);
        if (frame === undefined) return;
        yield frame;
      }
    } finally {
      stopWatching();
      subscription.unsubscribe();
      this.link.want('mjpeg', false);
    }
  }
}
