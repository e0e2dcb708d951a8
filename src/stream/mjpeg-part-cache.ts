import type { Frame } from '../camera/producer/frame';
import { encodeMjpegPart, type MjpegFraming } from './mjpeg-part';

interface Slot {
  frame: Frame | undefined;
  part: Buffer;
}

/**
 * The encoded parts of each frame, built on first use and then shared by every viewer: one
 * buffer per frame and framing, never one per viewer. Keyed by the frame itself, so frames of
 * different cameras never evict each other and a frame's parts go when the frame does.
 */
export class MjpegPartCache {
  private readonly parts = new WeakMap<Frame, Partial<Record<MjpegFraming, Buffer>>>();
  // The frame every viewer is being sent right now: a plain field compare before the WeakMap.
  private readonly recent: Record<MjpegFraming, Slot> = {
    'content-length': { frame: undefined, part: Buffer.alloc(0) },
    'advance-headers': { frame: undefined, part: Buffer.alloc(0) },
  };

  partFor(frame: Frame, framing: MjpegFraming): Buffer {
    const slot = this.recent[framing];
    if (slot.frame === frame) return slot.part;
    let built = this.parts.get(frame);
    if (built === undefined) {
      built = {};
      this.parts.set(frame, built);
    }
    const part = (built[framing] ??= encodeMjpegPart(frame.jpeg, frame.capturedAt, framing));
    slot.frame = frame;
    slot.part = part;
    return part;
  }
}
