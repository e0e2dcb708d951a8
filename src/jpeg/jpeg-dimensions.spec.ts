import sharp, { type JpegOptions } from 'sharp';
import { readJpegDimensions } from './jpeg-dimensions';

const jpegOf = async (width: number, height: number, options: JpegOptions = {}): Promise<Buffer> =>
  sharp({ create: { width, height, channels: 3, background: '#369' } })
    .jpeg(options)
    .toBuffer();

describe(readJpegDimensions.name, () => {
  it.each([
    [640, 480],
    [1, 1],
    [4000, 3000],
    [321, 17],
  ])('reads %ix%i from a baseline JPEG', async (width, height) => {
    expect(readJpegDimensions(await jpegOf(width, height))).toEqual({ width, height });
  });

  it('reads progressive JPEGs (SOF2)', async () => {
    const jpeg = await jpegOf(200, 100, { progressive: true });
    expect(readJpegDimensions(jpeg)).toEqual({ width: 200, height: 100 });
  });

  it('skips EXIF and other segments before the frame header', async () => {
    const jpeg = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#fff' } })
      .withMetadata({ exif: { IFD0: { ImageDescription: 'x'.repeat(2000) } } })
      .jpeg()
      .toBuffer();
    expect(readJpegDimensions(jpeg)).toEqual({ width: 64, height: 48 });
  });

  it('rejects what is not a whole JPEG header', async () => {
    const jpeg = await jpegOf(64, 48);
    expect(readJpegDimensions(Buffer.from('not a jpeg at all'))).toBeUndefined();
    expect(readJpegDimensions(Buffer.alloc(0))).toBeUndefined();
    expect(readJpegDimensions(jpeg.subarray(0, 20))).toBeUndefined();
    expect(readJpegDimensions(Buffer.from([0xff, 0xd8, 0xff, 0xda, 0, 2]))).toBeUndefined();
  });
});
