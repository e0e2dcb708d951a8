import { randomBytes } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';

/** A real JPEG of a flat colour: small and quick to make. */
export async function solidJpeg(width: number, height: number, shade = 128): Promise<Buffer> {
  return sharp({
    create: { width, height, channels: 3, background: { r: shade, g: 255 - shade, b: shade / 2 } },
  })
    .jpeg({ quality: 80 })
    .toBuffer();
}

/** A real JPEG of random noise: it compresses badly, so it is as large as a JPEG gets. */
export async function noiseJpeg(width: number, height: number, quality = 90): Promise<Buffer> {
  return sharp(randomBytes(width * height * 3), { raw: { width, height, channels: 3 } })
    .jpeg({ quality })
    .toBuffer();
}

/** Writes `images` as 1.jpg, 2.jpg, … into a new temporary folder and returns its path. */
export async function jpegFolder(images: Buffer[]): Promise<string> {
  const folder = await mkdtemp(join(tmpdir(), 'camfeed-images-'));
  await Promise.all(
    images.map(async (jpeg, index) => writeFile(join(folder, `${index + 1}.jpg`), jpeg)),
  );
  return folder;
}

/** Decodes a JPEG for real and returns the decoded size (throws if it is not decodable). */
export async function decodedSize(jpeg: Buffer): Promise<{ width: number; height: number }> {
  const { info } = await sharp(jpeg).raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height };
}

/**
 * Frames like a real camera's: textured enough to weigh about `kb` KB each at `width`×`height`
 * (blurred noise, its JPEG quality found by bisection). Written as 1.jpg … `count`.jpg.
 */
export async function cameraLikeFrames(
  width: number,
  height: number,
  kb: number,
  count = 4,
): Promise<string> {
  const images: Buffer[] = [];
  for (let index = 0; index < count; index++) {
    const noise = randomBytes(width * height * 3);
    let low = 5;
    let high = 100;
    let best = Buffer.alloc(0);
    while (low <= high) {
      const quality = Math.floor((low + high) / 2);
      best = await sharp(noise, { raw: { width, height, channels: 3 } })
        .blur(1.6)
        .jpeg({ quality })
        .toBuffer();
      if (best.length > kb * 1024) high = quality - 1;
      else low = quality + 1;
    }
    images.push(best);
  }
  return jpegFolder(images);
}
