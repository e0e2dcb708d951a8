import type Sharp from 'sharp';
import type { CameraDriver, CameraSettings } from '../camera-driver.interface';
import { epochMs } from '../clock';
import { EmulatedScene } from './emulated-scene';
import { FramePacer } from './frame-pacer';

let sharpModule: typeof Sharp | undefined;

/** libvips costs ~20 MB of memory: load it only when this driver actually runs. */
async function loadSharp(): Promise<typeof Sharp> {
  if (sharpModule === undefined) {
    sharpModule = (await import('sharp')).default;
    // One frame at a time is encoded, so more libvips threads would only add contention, and the
    // operation cache would only hold on to memory for pictures never encoded twice.
    sharpModule.concurrency(1);
    sharpModule.cache(false);
  }
  return sharpModule;
}

/**
 * A camera that needs no hardware: it renders a live test picture and JPEG-encodes it with
 * libvips. Encoding runs on libuv's thread pool, so the event loop stays free for viewers.
 */
export class EmulatedDriver implements CameraDriver {
  readonly name = 'emulated' as const;
  /** Counts across restarts, so the number on screen never jumps back. */
  private frameNumber = 0;

  async *frames(settings: CameraSettings, signal: AbortSignal): AsyncGenerator<Buffer> {
    const sharp = await loadSharp();
    const scene = new EmulatedScene(settings.width, settings.height);
    const pacer = new FramePacer(settings.framerate);
    while (!signal.aborted) {
      this.frameNumber += 1;
      const pixels = scene.render(this.frameNumber, epochMs(), settings.framerate);
      const jpeg = await sharp(pixels, {
        raw: { width: settings.width, height: settings.height, channels: 3 },
      })
        .jpeg({ quality: settings.quality })
        .toBuffer();
      if (signal.aborted) return;
      yield jpeg;
      if (!(await pacer.next(signal))) return;
    }
  }
}
