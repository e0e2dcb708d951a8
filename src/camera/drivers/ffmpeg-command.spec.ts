import type { CameraSettings } from './camera-driver.interface';
import {
  classifySource,
  orientationFilters,
  parseV4l2Formats,
  planFfmpeg,
  qualityToQscale,
} from './ffmpeg-command';

const settings: CameraSettings = {
  width: 640,
  height: 480,
  framerate: 15,
  quality: 80,
  rotation: 0,
  hflip: false,
  vflip: false,
  bitrate: 2000,
  keyframeInterval: 1,
};

const LISTING = `[video4linux2,v4l2 @ 0x55d5] Raw       :     yuyv422 :           YUYV 4:2:2 : 640x480 352x288 320x240 176x144 160x120 1280x720 640x360
[video4linux2,v4l2 @ 0x55d5] Compressed:       mjpeg :          Motion-JPEG : 640x480 352x288 320x240 176x144 160x120 1280x720
/dev/video0: Immediate exit requested`;

describe(classifySource.name, () => {
  it.each([
    ['/dev/video0', undefined, 'v4l2'],
    ['testsrc2', undefined, 'lavfi'],
    ['testsrc2=size=1280x720:rate=30', undefined, 'lavfi'],
    ['color=c=blue', undefined, 'lavfi'],
    ['rtsp://user:pass@192.168.1.20:554/stream1', undefined, 'rtsp'],
    ['http://cam.local/video.mjpg', undefined, 'http'],
    ['/home/pi/demo.mp4', undefined, 'file'],
    [':0.0+0,0', 'x11grab', 'other'],
    ['mandelbrot', 'lavfi', 'lavfi'],
    ['/dev/video2', 'v4l2', 'v4l2'],
  ])('treats %s (format %s) as %s', (input, format, kind) => {
    expect(classifySource(input, format).kind).toBe(kind);
  });
});

describe(qualityToQscale.name, () => {
  it('maps 100 to the best scale, 1 to the worst, monotonically', () => {
    expect(qualityToQscale(100)).toBe(2);
    expect(qualityToQscale(1)).toBe(31);
    for (let q = 2; q <= 100; q++)
      expect(qualityToQscale(q)).toBeLessThanOrEqual(qualityToQscale(q - 1));
  });
});

describe(orientationFilters.name, () => {
  it.each([
    [{ rotation: 0, hflip: false, vflip: false }, []],
    [{ rotation: 0, hflip: true, vflip: false }, ['hflip']],
    [{ rotation: 90, hflip: false, vflip: false }, ['transpose=clock']],
    [{ rotation: 270, hflip: false, vflip: true }, ['vflip', 'transpose=cclock']],
    [{ rotation: 180, hflip: false, vflip: false }, ['hflip', 'vflip']],
    [{ rotation: 180, hflip: true, vflip: false }, ['vflip']],
    [{ rotation: 180, hflip: true, vflip: true }, []],
  ] as const)('maps %j to %j', (orientation, filters) => {
    expect(orientationFilters(orientation)).toEqual(filters);
  });
});

describe(parseV4l2Formats.name, () => {
  it('reads the MJPEG and raw sizes a webcam offers', () => {
    const formats = parseV4l2Formats(LISTING);
    expect(formats.mjpeg).toHaveLength(6);
    expect(formats.mjpeg).toContainEqual({ width: 1280, height: 720 });
    expect(formats.raw).toContainEqual({ width: 640, height: 360 });
    expect(formats.range).toBeUndefined();
  });

  it('reads stepwise sizes as a range', () => {
    const formats = parseV4l2Formats(
      '[video4linux2,v4l2 @ 0x1] Raw       :     yuv420p :     Planar YUV 4:2:0 : {32-2592, 2}x{32-1944, 2}',
    );
    expect(formats.range).toEqual({
      width: { min: 32, max: 2592 },
      height: { min: 32, max: 1944 },
    });
    expect(formats.raw).toEqual([]);
  });
});

describe(planFfmpeg.name, () => {
  const v4l2 = parseV4l2Formats(LISTING);

  it('passes a webcam’s own JPEGs through when it offers MJPEG at the size and nothing needs turning', () => {
    const plan = planFfmpeg(classifySource('/dev/video0'), settings, { v4l2 });
    expect(plan.passthrough).toBe(true);
    expect(plan.args.join(' ')).toBe(
      '-hide_banner -nostdin -nostats -loglevel error -f v4l2 -input_format mjpeg -video_size 640x480 -framerate 15 -i /dev/video0 -an -sn -dn -c:v copy -f mjpeg pipe:1',
    );
  });

  it('re-encodes a webcam when the picture must be rotated', () => {
    const plan = planFfmpeg(classifySource('/dev/video0'), { ...settings, rotation: 90 }, { v4l2 });
    expect(plan.passthrough).toBe(false);
    expect(plan.args).toContain('-input_format');
    expect(plan.args.join(' ')).toContain(
      'transpose=clock -c:v mjpeg -q:v 8 -pix_fmt yuvj420p -f mjpeg pipe:1',
    );
  });

  it('re-encodes a webcam at a size it only offers raw', () => {
    const plan = planFfmpeg(
      classifySource('/dev/video0'),
      { ...settings, width: 640, height: 360 },
      { v4l2 },
    );
    expect(plan.passthrough).toBe(false);
    expect(plan.args).not.toContain('-input_format');
    expect(plan.args.join(' ')).toContain('-video_size 640x360');
  });

  it('plays lavfi graphs and files in real time, files looping forever', () => {
    expect(planFfmpeg(classifySource('testsrc2'), settings).args.join(' ')).toContain(
      '-re -f lavfi -i testsrc2',
    );
    expect(planFfmpeg(classifySource('/videos/demo.mp4'), settings).args.join(' ')).toContain(
      '-re -stream_loop -1 -i /videos/demo.mp4',
    );
  });

  it('scales any other source to the requested size, keeping its aspect ratio, at the requested rate and quality', () => {
    const args = planFfmpeg(classifySource('/videos/demo.mp4'), {
      ...settings,
      quality: 100,
      hflip: true,
    }).args.join(' ');
    expect(args).toContain(
      '-vf fps=15,scale=640:480:force_original_aspect_ratio=decrease,pad=640:480:(ow-iw)/2:(oh-ih)/2,setsar=1,hflip -c:v mjpeg -q:v 2',
    );
  });

  it('reads RTSP over TCP with low-delay flags and this ffmpeg’s socket timeout option', () => {
    const url = 'rtsp://cam.local/stream';
    expect(
      planFfmpeg(classifySource(url), settings, { rtspTimeoutOption: '-stimeout' }).args.join(' '),
    ).toContain(
      '-rtsp_transport tcp -fflags nobuffer -flags low_delay -stimeout 5000000 -i rtsp://cam.local/stream',
    );
  });

  it('gives screen grabbers a frame rate and forces the requested input format', () => {
    expect(planFfmpeg(classifySource(':0.0', 'x11grab'), settings).args.join(' ')).toContain(
      '-f x11grab -framerate 15 -i :0.0',
    );
  });
});
