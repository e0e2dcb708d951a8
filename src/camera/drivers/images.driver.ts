import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type {
  DriverCapabilities,
  CameraDriver,
  CameraSettings,
  CaptureMode,
} from './camera-driver.interface';
import { readJpegDimensions } from '../../jpeg/jpeg-dimensions';
import { FramePacer } from './frame-pacer';

const JPEG_FILE = /\.jpe?g$/i;

/** Reads every JPEG of `folder`, in natural name order (2.jpg before 10.jpg). */
export async function loadJpegFolder(folder: string): Promise<Buffer[]> {
  let names: string[];
  try {
    names = await readdir(folder);
  } catch (error) {
    throw new Error(`cannot read the image folder ${folder}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const files = names
    .filter((name) => JPEG_FILE.test(name))
    .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  const images: Buffer[] = [];
  for (const file of files) {
    const data = await readFile(join(folder, file));
    if (readJpegDimensions(data) !== undefined) images.push(data);
  }
  if (images.length === 0) throw new Error(`no readable .jpg files in ${folder}`);
  return images;
}

/**
 * Loops the JPEG files of a folder at the configured frame rate, like the 1.jpg/2.jpg/3.jpg
 * camera of the original Flask article. The files are sent as they are, whatever their size.
 */
export class ImagesDriver implements CameraDriver {
  readonly name = 'images';

  constructor(private readonly folder: string) {}

  /** The files are sent as they are: their own sizes are the only modes, quality and orientation fixed. */
  async capabilities(): Promise<DriverCapabilities> {
    const modes = new Map<string, CaptureMode>();
    for (const jpeg of await loadJpegFolder(this.folder)) {
      const size = readJpegDimensions(jpeg);
      if (size) modes.set(`${size.width}x${size.height}`, size);
    }
    return {
      sizes: { kind: 'modes', modes: [...modes.values()] },
      framerate: { min: 0.1, max: 120 },
      quality: null,
      rotations: [0],
      flips: false,
    };
  }

  async *frames(settings: CameraSettings, signal: AbortSignal): AsyncGenerator<Buffer> {
    const images = await loadJpegFolder(this.folder);
    const pacer = new FramePacer(settings.framerate);
    for (let index = 0; !signal.aborted; index = (index + 1) % images.length) {
      yield images[index];
      if (!(await pacer.next(signal))) return;
    }
  }
}
