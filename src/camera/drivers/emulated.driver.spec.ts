import sharp from 'sharp';
import type { CameraSettings } from '../camera-driver.interface';
import { readJpegDimensions } from '../jpeg/jpeg-dimensions';
import { EmulatedDriver } from './emulated.driver';

async function take(settings: CameraSettings, count: number): Promise<Buffer[]> {
  const abort = new AbortController();
  const frames: Buffer[] = [];
  for await (const jpeg of new EmulatedDriver().frames(settings, abort.signal)) {
    frames.push(jpeg);
    if (frames.length === count) abort.abort();
  }
  return frames;
}

describe(EmulatedDriver.name, () => {
  it('encodes decodable JPEGs at the requested size', async () => {
    for (const [width, height] of [
      [640, 480],
      [320, 240],
      [1280, 720],
      [16, 16],
    ]) {
      const [jpeg] = await take({ width, height, framerate: 30, quality: 80 }, 1);
      const { info } = await sharp(jpeg).raw().toBuffer({ resolveWithObject: true });
      expect({ width: info.width, height: info.height }).toEqual({ width, height });
    }
  });

  it('shows motion: consecutive frames differ', async () => {
    const frames = await take({ width: 320, height: 240, framerate: 20, quality: 80 }, 3);
    const pixels = await Promise.all(frames.map(async (jpeg) => sharp(jpeg).raw().toBuffer()));
    expect(pixels[0].equals(pixels[1])).toBe(false);
    expect(pixels[1].equals(pixels[2])).toBe(false);
  });

  it('honours the JPEG quality', async () => {
    const [low] = await take({ width: 640, height: 480, framerate: 30, quality: 10 }, 1);
    const [high] = await take({ width: 640, height: 480, framerate: 30, quality: 95 }, 1);
    expect(high.length).toBeGreaterThan(low.length * 1.5);
  });

  it('paces frames to the frame rate', async () => {
    const started = Date.now();
    await take({ width: 64, height: 48, framerate: 20, quality: 50 }, 11);
    // 10 intervals of 50 ms; a generous upper bound keeps this about pacing, not speed.
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(450);
    expect(elapsed).toBeLessThan(2000);
  });

  it('returns promptly when aborted while waiting for the next frame slot', async () => {
    const abort = new AbortController();
    const iterator = new EmulatedDriver()
      .frames({ width: 64, height: 48, framerate: 0.2, quality: 50 }, abort.signal)
      [Symbol.asyncIterator]();
    expect(readJpegDimensions((await iterator.next()).value as Buffer)).toEqual({
      width: 64,
      height: 48,
    });
    const pending = iterator.next();
    setTimeout(() => abort.abort(), 20);
    const started = Date.now();
    await expect(pending).resolves.toEqual({ done: true, value: undefined });
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
