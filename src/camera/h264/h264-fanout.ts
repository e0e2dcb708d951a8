import type { AccessUnit } from '../../h264/avc';

/** The pictures since the last keyframe are kept for joining viewers; a runaway GOP is not. */
const GOP_MAX_BYTES = 8 * 1024 * 1024;

/**
 * The group of pictures since the last keyframe: what a viewer who joins needs to start decoding
 * at once instead of waiting for the next keyframe. A GOP that outgrows its bound is given up
 * until the next keyframe.
 */
export class Gop<T extends { readonly keyframe: boolean; readonly data: Buffer }> {
  private list: T[] = [];
  private bytes = 0;

  get units(): readonly T[] {
    return this.list;
  }

  add(unit: T): void {
    if (unit.keyframe) {
      this.list = [unit];
      this.bytes = unit.data.length;
    } else if (this.list.length > 0 && this.bytes + unit.data.length <= GOP_MAX_BYTES) {
      this.list.push(unit);
      this.bytes += unit.data.length;
    } else {
      this.clear();
    }
  }

  clear(): void {
    this.list = [];
    this.bytes = 0;
  }
}

/** A WebRTC viewer as a stream sees it: something that takes pictures. */
export interface H264Viewer {
  deliver(unit: AccessUnit): void;
}

/**
 * One camera's H.264 pictures shared by its WebRTC viewers, wherever the pictures come from (an
 * encoder here, or another node): every picture goes to every viewer, and a viewer who joins (or
 * lost pictures) gets the GOP kept since the last keyframe first.
 */
export class H264Fanout {
  private readonly viewers = new Set<H264Viewer>();
  private readonly gop = new Gop<AccessUnit>();
  keyframes = 0;

  constructor(
    private readonly hooks: {
      /** A viewer came: the pictures must flow. */
      readonly joined: () => void;
      /** A viewer left; `viewerCount` says whether anyone is still there. */
      readonly left: () => void;
    },
  ) {}

  get viewerCount(): number {
    return this.viewers.size;
  }

  subscribe(viewer: H264Viewer): { close(): void; resync(): void } {
    this.viewers.add(viewer);
    this.hooks.joined();
    this.replay(viewer);
    let closed = false;
    return {
      close: () => {
        if (closed) return;
        closed = true;
        this.viewers.delete(viewer);
        this.hooks.left();
      },
      // A viewer that lost pictures (PLI): the GOP again, from its keyframe.
      resync: () => {
        if (!closed) this.replay(viewer);
      },
    };
  }

  publish(unit: AccessUnit): void {
    if (unit.keyframe) this.keyframes += 1;
    this.gop.add(unit);
    for (const viewer of this.viewers) {
      try {
        viewer.deliver(unit);
      } catch {
        // One viewer's failure must not starve the others.
      }
    }
  }

  /** The stream starts afresh (a new encoder, another node): no picture before is decodable. */
  restart(): void {
    this.gop.clear();
  }

  /** Lets go of every viewer (the stream ends for good). */
  clear(): void {
    this.viewers.clear();
    this.gop.clear();
  }

  private replay(viewer: H264Viewer): void {
    for (const unit of this.gop.units) {
      try {
        viewer.deliver(unit);
      } catch {
        // A viewer that failed mid-way is closed by its own session.
      }
    }
  }
}
