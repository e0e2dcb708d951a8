import type { DriverCapabilities, CameraDriver, CameraSettings } from './camera-driver.interface';
import { ROTATIONS } from './camera-driver.interface';
import { loadSharp } from '../../common/sharp-loader';
import { epochMs } from '../clock';
import { EmulatedScene } from './emulated-scene';
import { FramePacer } from './frame-pacer';

const CAPABILITIES: DriverCapabilities = {
  sizes: { kind: 'range', width: { min: 16, max: 3840 }, height: { min: 16, max: 2160 } },
  framerate: { min: 0.1, max: 60 },
  quality: { min: 1, max: 100 },
  rotations: ROTATIONS,
  flips: true,
};

/**
 * A camera that needs no hardware: it renders a live test picture and JPEG-encodes it with
 * libvips. Encoding runs on libuv's thread pool, so the event loop stays free for viewers.
 */
export class EmulatedDriver implements CameraDriver {
  readonly name = 'emulated';
  /** Counts across restarts, so the number on screen never jumps back. */
  private frameNumber = 0;

  /** `clock` is the time shown in the picture (tests freeze it to compare frames). */
  constructor(private readonly clock: () => number = epochMs) {}

  async capabilities(): Promise<DriverCapabilities> {
    return Promise.resolve(CAPABILITIES);
  }

  async *frames(settings: CameraSettings, signal: AbortSignal): AsyncGenerator<Buffer> {
    const sharp = await loadSharp();
    const scene = new EmulatedScene(settings.width, settings.height);
    const pacer = new FramePacer(settings.framerate);
    while (!signal.aborted) {
      this.frameNumber += 1;
      const pixels = scene.render(this.frameNumber, this.clock(), settings.framerate);
      const jpeg = await sharp(pixels, {
        raw: { width: settings.width, height: settings.height, channels: 3 },
      })
        // libvips mirrors before it rotates: flips apply to the camera image, as documented.
        .flip(settings.vflip)
        .flop(settings.hflip)
        .rotate(settings.rotation)
        .jpeg({ quality: settings.quality })
        .toBuffer();
      if (signal.aborted) return;
      yield jpeg;
      if (!(await pacer.next(signal))) return;
    }
  }
}
