import { loadSharp } from '../common/sharp-loader';

/**
 * Mean perceived lightness of a JPEG (libvips greyscale: CIE L*, scaled to 0 = black, 255 =
 * white), which is how dark the scene looks. It decodes a 64×48
 * thumbnail only: libjpeg scales by 1/8 while decoding, so even a 1080p frame costs about a
 * millisecond.
 */
export async function meanLuminance(jpeg: Buffer): Promise<number> {
  const sharp = await loadSharp();
  // stats() would describe the input image, not this pipeline's output: sum the pixels instead.
  const pixels = await sharp(jpeg).resize(64, 48, { fit: 'fill' }).greyscale().raw().toBuffer();
  let sum = 0;
  for (const value of pixels) sum += value;
  return sum / pixels.length;
}
