import sharp from 'sharp';
import type { CameraSettings } from './camera-driver.interface';
import { readJpegDimensions } from '../../jpeg/jpeg-dimensions';
import { EmulatedDriver } from './emulated.driver';

async function take(
  settings: CameraSettings,
  count: number,
  driver = new EmulatedDriver(),
): Promise<Buffer[]> {
  const abort = new AbortController();
  const frames: Buffer[] = [];
  for await (const jpeg of driver.frames(settings, abort.signal)) {
    frames.push(jpeg);
    if (frames.length === count) abort.abort();
  }
  return frames;
}

const base: CameraSettings = {
  width: 320,
  height: 240,
  framerate: 30,
  quality: 90,
  rotation: 0,
  hflip: false,
  vflip: false,
  bitrate: 2000,
  keyframeInterval: 1,
};

async function decoded(jpeg: Buffer): Promise<{ width: number; height: number; data: Buffer }> {
  const { data, info } = await sharp(jpeg).raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data };
}

describe(EmulatedDriver.name, () => {
  it('encodes decodable JPEGs at the requested size', async () => {
    for (const [width, height] of [
      [640, 480],
      [320, 240],
      [1280, 720],
      [16, 16],
    ]) {
      const [jpeg] = await take(
        {
          width,
          height,
          framerate: 30,
          quality: 80,
          rotation: 0,
          hflip: false,
          vflip: false,
          bitrate: 2000,
          keyframeInterval: 1,
        },
        1,
      );
      const { info } = await sharp(jpeg).raw().toBuffer({ resolveWithObject: true });
      expect({ width: info.width, height: info.height }).toEqual({ width, height });
    }
  });

  it('shows motion: consecutive frames differ', async () => {
    const frames = await take(
      {
        width: 320,
        height: 240,
        framerate: 20,
        quality: 80,
        rotation: 0,
        hflip: false,
        vflip: false,
        bitrate: 2000,
        keyframeInterval: 1,
      },
      3,
    );
    const pixels = await Promise.all(frames.map(async (jpeg) => sharp(jpeg).raw().toBuffer()));
    expect(pixels[0].equals(pixels[1])).toBe(false);
    expect(pixels[1].equals(pixels[2])).toBe(false);
  });

  it('honours the JPEG quality', async () => {
    const [low] = await take(
      {
        width: 640,
        height: 480,
        framerate: 30,
        quality: 10,
        rotation: 0,
        hflip: false,
        vflip: false,
        bitrate: 2000,
        keyframeInterval: 1,
      },
      1,
    );
    const [high] = await take(
      {
        width: 640,
        height: 480,
        framerate: 30,
        quality: 95,
        rotation: 0,
        hflip: false,
        vflip: false,
        bitrate: 2000,
        keyframeInterval: 1,
      },
      1,
    );
    expect(high.length).toBeGreaterThan(low.length * 1.5);
  });

  it('paces frames to the frame rate', async () => {
    const started = Date.now();
    await take(
      {
        width: 64,
        height: 48,
        framerate: 20,
        quality: 50,
        rotation: 0,
        hflip: false,
        vflip: false,
        bitrate: 2000,
        keyframeInterval: 1,
      },
      11,
    );
    // 10 intervals of 50 ms; a generous upper bound keeps this about pacing, not speed.
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(450);
    expect(elapsed).toBeLessThan(2000);
  });

  it('rotates by 90 and 270 degrees, swapping width and height', async () => {
    for (const rotation of [90, 270] as const) {
      const [jpeg] = await take({ ...base, rotation }, 1);
      expect(await decoded(jpeg)).toMatchObject({ width: 240, height: 320 });
    }
  });

  it('mirrors and rotates the same picture as documented: flips first, then rotation', async () => {
    const frozen = new EmulatedDriver(() => 1_700_000_000_000);
    const [plain] = await take(base, 1, frozen);
    const reference = await decoded(plain);
    const mirrorX = (x: number, y: number): [number, number] => [base.width - 1 - x, y];
    const mirrorY = (x: number, y: number): [number, number] => [x, base.height - 1 - y];
    const turn180 = (x: number, y: number): [number, number] => [
      base.width - 1 - x,
      base.height - 1 - y,
    ];
    const cases: Array<[Partial<CameraSettings>, (x: number, y: number) => [number, number]]> = [
      [{ hflip: true }, mirrorX],
      [{ vflip: true }, mirrorY],
      [{ rotation: 180 }, turn180],
      [{ hflip: true, vflip: true, rotation: 180 }, (x, y) => [x, y]],
    ];
    for (const [change, map] of cases) {
      const driver = new EmulatedDriver(() => 1_700_000_000_000);
      const [jpeg] = await take({ ...base, ...change }, 1, driver);
      const image = await decoded(jpeg);
      // Compare every 8th pixel of the mirrored reference; JPEG noise stays far below the threshold.
      let difference = 0;
      let samples = 0;
      for (let y = 0; y < base.height; y += 8) {
        for (let x = 0; x < base.width; x += 8) {
          const [sx, sy] = map(x, y);
          for (let c = 0; c < 3; c++) {
            difference += Math.abs(
              image.data[(y * base.width + x) * 3 + c] -
                reference.data[(sy * base.width + sx) * 3 + c],
            );
          }
          samples += 3;
        }
      }
      expect(difference / samples).toBeLessThan(6);
    }
  });

  it('returns promptly when aborted while waiting for the next frame slot', async () => {
    const abort = new AbortController();
    const iterator = new EmulatedDriver()
      .frames(
        {
          width: 64,
          height: 48,
          framerate: 0.2,
          quality: 50,
          rotation: 0,
          hflip: false,
          vflip: false,
          bitrate: 2000,
          keyframeInterval: 1,
        },
        abort.signal,
      )
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
