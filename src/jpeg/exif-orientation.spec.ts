import sharp from 'sharp';
import { orientationSegment, readExifOrientation, withOrientation } from './exif-orientation';
import { readDisplayDimensions, readJpegDimensions } from './jpeg-dimensions';

describe(withOrientation.name, () => {
  let jpeg: Buffer;

  beforeAll(async () => {
    jpeg = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#369' } })
      .jpeg()
      .toBuffer();
  });

  it('marks a frame so that decoders turn it, without touching its image data', async () => {
    const turned = withOrientation(jpeg, orientationSegment(6));
    expect(readExifOrientation(turned)).toBe(6);
    expect(turned.length).toBe(jpeg.length + 36);
    // libvips reads the same tag browsers apply, and turns the picture for display.
    expect(await sharp(turned).metadata()).toMatchObject({ orientation: 6, width: 64, height: 48 });
    const { info } = await sharp(turned).rotate().raw().toBuffer({ resolveWithObject: true });
    expect({ width: info.width, height: info.height }).toEqual({ width: 48, height: 64 });
  });

  it('reports the size a viewer sees', () => {
    expect(readJpegDimensions(withOrientation(jpeg, orientationSegment(8)))).toEqual({
      width: 64,
      height: 48,
    });
    expect(readDisplayDimensions(withOrientation(jpeg, orientationSegment(8)))).toEqual({
      width: 48,
      height: 64,
    });
    expect(readDisplayDimensions(withOrientation(jpeg, orientationSegment(3)))).toEqual({
      width: 64,
      height: 48,
    });
    expect(readDisplayDimensions(jpeg)).toEqual({ width: 64, height: 48 });
  });

  it('reads orientations written by other software, big-endian included', async () => {
    const tagged = await sharp({
      create: { width: 20, height: 10, channels: 3, background: '#fff' },
    })
      .withMetadata({ orientation: 5 })
      .jpeg()
      .toBuffer();
    expect(readExifOrientation(tagged)).toBe(5);
    expect(readExifOrientation(jpeg)).toBe(1);
  });
});
