import { H264Fanout } from '../../camera/h264/h264-fanout';
import type { H264Source, H264Status, H264Viewer } from '../../camera/h264/h264-stream';
import type { BusSubscription } from '../cluster-bus.service';
import { PIECE_KINDS, PieceAssembler, type Picture } from '../frame-pieces';
import type { RemoteLink } from './remote-link';

/**
 * The H.264 of another node's camera for this node's WebRTC viewers: taken from the bus while
 * they watch, kept as a GOP of its own so a viewer who joins starts on a keyframe at once, and
 * handed to them exactly as a local camera's stream would.
 *
 * Pictures carry the camera node's sequence numbers: a repeated one (the GOP the node sends
 * again when another node joins) is dropped, and a missing one (lost on the way) stops the
 * pictures until the next keyframe (keyframeInterval, 1 s by default), so a decoder never gets a
 * broken stream, nor one that goes back in time.
 */
export class RemoteH264Stream implements H264Source {
  private readonly fanout = new H264Fanout({
    joined: () => {
      if (this.subscription === undefined) this.start();
    },
    left: () => {
      if (this.fanout.viewerCount === 0) this.stop();
    },
  });
  private subscription: BusSubscription | undefined;
  private stopWatching: (() => void) | undefined;
  private assembler = new PieceAssembler();
  private epoch: number | undefined;
  /** The last picture handed to viewers in this epoch; undefined before the first. */
  private lastSeq: number | undefined;
  private waitingForKeyframe = true;
  private restarts = 0;
  private running = false;

  constructor(
    private readonly link: RemoteLink,
    /** Whether the camera's node can give H.264 at all (it has an encoder, or passthrough). */
    private readonly available: () => boolean,
  ) {}

  get viewerCount(): number {
    return this.fanout.viewerCount;
  }

  subscribe(viewer: H264Viewer): { close(): void; resync(): void } {
    return this.fanout.subscribe(viewer);
  }

  status(): H264Status {
    const unreachable = this.link.unreachable;
    return {
      state: !this.available()
        ? 'unavailable'
        : this.subscription === undefined
          ? 'idle'
          : unreachable !== undefined
            ? 'retrying'
            : this.running
              ? 'running'
              : 'starting',
      encoder: null,
      viewers: this.fanout.viewerCount,
      keyframes: this.fanout.keyframes,
      restarts: this.restarts,
      lastError: !this.available()
        ? `the node of camera ${this.link.id} has no H.264 encoder`
        : (unreachable ?? null),
    };
  }

  async destroy(): Promise<void> {
    this.fanout.clear();
    this.stop();
    return Promise.resolve();
  }

  private start(): void {
    this.stopWatching = this.link.onChange(() => {
      this.restarts += 1;
      this.resubscribe();
    });
    this.resubscribe();
    this.link.want('h264', true);
  }

  private stop(): void {
    this.stopWatching?.();
    this.stopWatching = undefined;
    this.subscription?.unsubscribe();
    this.subscription = undefined;
    this.link.want('h264', false);
    this.fanout.restart();
    this.running = false;
  }

  /** On the camera's current node (it may have restarted, or moved). */
  private resubscribe(): void {
    this.subscription?.unsubscribe();
    this.assembler = new PieceAssembler();
    this.epoch = undefined;
    this.lastSeq = undefined;
    this.waitingForKeyframe = true;
    this.fanout.restart();
    this.running = false;
    const subjects = this.link.subjects;
    this.subscription =
      subjects === undefined
        ? { unsubscribe: () => undefined }
        : this.link.bus.subscribe(subjects.h264, (message) => {
            const picture = this.assembler.push(message.data);
            if (picture !== undefined) this.take(picture);
          });
  }

  private take(picture: Picture): void {
    if (picture.kind !== PIECE_KINDS.h264 && picture.kind !== PIECE_KINDS.h264Keyframe) return;
    const keyframe = picture.kind === PIECE_KINDS.h264Keyframe;
    if (picture.epoch !== this.epoch) {
      // Another run of the camera node's publisher: its numbers start afresh.
      this.epoch = picture.epoch;
      this.lastSeq = undefined;
      this.waitingForKeyframe = true;
    }
    const last = this.lastSeq;
    // Sent again for a node that joined: this one has it already.
    if (last !== undefined && picture.seq <= last) return;
    if (last !== undefined && picture.seq !== last + 1 && !this.waitingForKeyframe) {
      this.waitingForKeyframe = true;
      this.fanout.restart();
    }
    if (this.waitingForKeyframe) {
      if (!keyframe) return;
      this.waitingForKeyframe = false;
    }
    this.lastSeq = picture.seq;
    this.running = true;
    this.fanout.publish({ data: picture.data, keyframe, timestampMs: picture.capturedAt });
  }
}
