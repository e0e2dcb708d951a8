import { solidJpeg } from '../../test/utils/jpeg-fixtures';
import { meanLuminance } from './scene-brightness';
import sharp from 'sharp';

describe(meanLuminance.name, () => {
  it('measures a dark frame as dark and a bright one as bright', async () => {
    const dark = await sharp({
      create: { width: 640, height: 480, channels: 3, background: '#101010' },
    })
      .jpeg()
      .toBuffer();
    const bright = await sharp({
      create: { width: 640, height: 480, channels: 3, background: '#e0e0e0' },
    })
      .jpeg()
      .toBuffer();
    expect(await meanLuminance(dark)).toBeCloseTo(16, 0);
    expect(await meanLuminance(bright)).toBeCloseTo(224, 0);
  });

  it('weighs colours as the eye does, not as an average of channels', async () => {
    // Pure green looks much brighter than pure blue to the eye (L* 88 against 32), and to this measure.
    const green = await sharp({
      create: { width: 64, height: 48, channels: 3, background: '#00ff00' },
    })
      .jpeg()
      .toBuffer();
    const blue = await sharp({
      create: { width: 64, height: 48, channels: 3, background: '#0000ff' },
    })
      .jpeg()
      .toBuffer();
    expect(await meanLuminance(green)).toBeGreaterThan((await meanLuminance(blue)) * 2.5);
  });

  it('handles any frame size', async () => {
    expect(await meanLuminance(await solidJpeg(1920, 1080, 128))).toBeGreaterThan(0);
    expect(await meanLuminance(await solidJpeg(16, 16, 128))).toBeGreaterThan(0);
  });
});
