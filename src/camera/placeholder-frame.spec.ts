import sharp from 'sharp';
import { isPlaceholder, renderPlaceholder, wrapText } from './placeholder-frame';

describe(renderPlaceholder.name, () => {
  const text = {
    title: 'NO SIGNAL',
    reason: 'ffmpeg exited with code 1: /dev/video0: No such file or directory',
    since: Date.UTC(2026, 0, 1, 12, 0, 0),
    now: Date.UTC(2026, 0, 1, 12, 0, 30),
  };

  it.each([
    [640, 480],
    [1280, 720],
    [480, 640],
    [64, 48],
  ])('draws a decodable %ix%i frame, marked as a placeholder', async (width, height) => {
    const jpeg = await renderPlaceholder(width, height, text);
    const { info } = await sharp(jpeg).raw().toBuffer({ resolveWithObject: true });
    expect({ width: info.width, height: info.height }).toEqual({ width, height });
    expect(isPlaceholder(jpeg)).toBe(true);
  });

  it('changes with the time it shows', async () => {
    const first = await sharp(await renderPlaceholder(320, 240, text))
      .raw()
      .toBuffer();
    const later = await sharp(await renderPlaceholder(320, 240, { ...text, now: text.now + 5000 }))
      .raw()
      .toBuffer();
    expect(first.equals(later)).toBe(false);
  });

  it('is not confused with a camera frame', async () => {
    const frame = await sharp({
      create: { width: 32, height: 32, channels: 3, background: '#000' },
    })
      .jpeg()
      .toBuffer();
    expect(isPlaceholder(frame)).toBe(false);
  });
});

describe(wrapText.name, () => {
  it('wraps at spaces, splits long words and ellipsises beyond the line limit', () => {
    expect(wrapText('the camera is not connected', 12, 3)).toEqual([
      'the camera',
      'is not',
      'connected',
    ]);
    expect(wrapText('/dev/video0/really/long/path', 10, 5)).toEqual([
      '/dev/video',
      '0/really/l',
      'ong/path',
    ]);
    expect(wrapText('one two three four five six', 7, 2)).toEqual(['one two', 'thre...']);
  });
});
