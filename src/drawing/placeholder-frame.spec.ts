import sharp from 'sharp';
import {
  isPlaceholder,
  readPlaceholderComment,
  renderPlaceholder,
  wrapText,
} from './placeholder-frame';

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
    expect(readPlaceholderComment(frame)).toBeUndefined();
  });

  it('carries its title, reason and since in a comment, still decodable', async () => {
    const jpeg = await renderPlaceholder(320, 240, text);
    expect(readPlaceholderComment(jpeg)).toEqual({
      title: text.title,
      reason: text.reason,
      since: '2026-01-01T12:00:00.000Z',
    });
    await expect(sharp(jpeg).raw().toBuffer()).resolves.toBeInstanceOf(Buffer);
  });

  it('keeps a reason of any length within one JPEG segment', async () => {
    const reason = `${'x'.repeat(70_000)} ünïcödé`;
    const jpeg = await renderPlaceholder(64, 48, { ...text, reason });
    const comment = readPlaceholderComment(jpeg);
    expect(comment?.reason.length).toBeGreaterThan(100);
    expect(reason.startsWith(comment?.reason ?? '-')).toBe(true);
  });

  it('draws the reason in its own case, so that paths stay as they are', async () => {
    const draw = async (reason: string): Promise<Buffer> =>
      sharp(await renderPlaceholder(320, 240, { ...text, reason }))
        .raw()
        .toBuffer();
    const lower = await draw('cannot open /dev/video0');
    const upper = await draw('CANNOT OPEN /DEV/VIDEO0');
    expect(lower.equals(upper)).toBe(false);
  });
});

describe(wrapText.name, () => {
  it('wraps at spaces, splits long words and ellipsises beyond the line limit', () => {
    expect(wrapText('the camera is not connected', 12, 3)).toEqual([
      'the camera',
      'is not',
      'connected',
    ]);
    expect(wrapText('abcdefghijklmnopqrstuvwxyz', 10, 5)).toEqual([
      'abcdefghij',
      'klmnopqrst',
      'uvwxyz',
    ]);
    expect(wrapText('one two three four five six', 7, 2)).toEqual(['one two', 'thre...']);
  });

  it('breaks a long path before its slashes rather than mid-word', () => {
    expect(wrapText('/dev/video0/really/long/path', 10, 5)).toEqual([
      '/dev',
      '/video0',
      '/really',
      '/long/path',
    ]);
    expect(wrapText('cannot open /dev/v4l/by-id/usb-046d_0825-video-index0: busy', 24, 5)).toEqual([
      'cannot open /dev/v4l',
      '/by-id/usb-046d_0825-',
      'video-index0: busy',
    ]);
  });

  it('keeps a URL’s scheme and host whole, breaking after the userinfo and before the path', () => {
    expect(
      wrapText('ffmpeg: rtsp://***:***@192.168.100.200:554/Streaming/Channels/101: refused', 24, 6),
    ).toEqual([
      'ffmpeg: rtsp://***:***@',
      '192.168.100.200:554',
      '/Streaming/Channels/101:',
      'refused',
    ]);
    expect(wrapText('at http://cam.example/video.cgi?user=***&pwd=***', 21, 6)).toEqual([
      'at http://cam.example',
      '/video.cgi?user=***',
      '&pwd=***',
    ]);
  });
});
