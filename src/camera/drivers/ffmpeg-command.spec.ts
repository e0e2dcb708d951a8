import type { CameraSettings } from './camera-driver.interface';
import {
  classifySource,
  inputArgs,
  orientationFilters,
  parseVideoCodec,
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

  it('adds the source’s own H.264, copied untouched, as a second output on fd 3 of the same process', () => {
    const url = 'rtsp://user:secret@cam.local/stream';
    const plan = planFfmpeg(classifySource(url), settings, {
      rtspTimeoutOption: '-stimeout',
      h264Copy: true,
    });
    expect(plan.h264Copy).toBe(true);
    const args = plan.args.join(' ');
    // One input, so the camera is opened once for both outputs.
    expect(plan.args.filter((arg) => arg === '-i')).toHaveLength(1);
    expect(args).toContain('-c:v mjpeg');
    expect(args).toMatch(
      /-f mjpeg pipe:1 -map 0:v:0 -an -sn -dn -c:v copy -flush_packets 1 -f flv pipe:3$/,
    );
  });

  it('copies no H.264 unless asked, nor from a source that is not a network camera', () => {
    const rtsp = planFfmpeg(classifySource('rtsp://cam.local/stream'), settings);
    expect(rtsp.h264Copy).toBe(false);
    expect(rtsp.args).not.toContain('pipe:3');
    for (const source of ['/dev/video0', 'testsrc2', '/videos/demo.mp4']) {
      const plan = planFfmpeg(classifySource(source), settings, { v4l2, h264Copy: true });
      expect(plan.h264Copy).toBe(false);
      expect(plan.args).not.toContain('pipe:3');
    }
    expect(
      planFfmpeg(classifySource('http://cam.local/video'), settings, { h264Copy: true }).args,
    ).toContain('pipe:3');
  });
});

describe(inputArgs.name, () => {
  it('opens a network camera for the probe exactly as for the capture', () => {
    const source = classifySource('rtsp://cam.local/stream');
    const options = { rtspTimeoutOption: '-stimeout' };
    const input = inputArgs(source, settings, options).join(' ');
    expect(input).toBe(
      '-rtsp_transport tcp -fflags nobuffer -flags low_delay -stimeout 5000000 -i rtsp://cam.local/stream',
    );
    expect(planFfmpeg(source, settings, options).args.join(' ')).toContain(input);
  });
});

describe(parseVideoCodec.name, () => {
  it('reads the codec of the first video stream ffmpeg describes', () => {
    const rtsp = `Input #0, rtsp, from 'rtsp://127.0.0.1:42093/cam':
  Metadata:
    title           : Session streamed with GStreamer
  Duration: N/A, start: 0.400000, bitrate: N/A
    Stream #0:0: Video: h264 (Constrained Baseline), yuv420p(tv, smpte170m, progressive), 320x240 [SAR 1:1 DAR 4:3], 15 fps, 15 tbr, 90k tbn, 30 tbc
At least one output file must be specified`;
    expect(parseVideoCodec(rtsp)).toBe('h264');
    const camera = `    Stream #0:0: Audio: pcm_alaw, 8000 Hz, mono, s16, 64 kb/s
    Stream #0:1[0x100](und): Video: hevc (Main), yuvj420p(pc), 2560x1440, 25 fps`;
    expect(parseVideoCodec(camera)).toBe('hevc');
    expect(
      parseVideoCodec('    Stream #0:0: Video: mjpeg (Baseline), yuvj422p(pc), 640x480, 25 tbr'),
    ).toBe('mjpeg');
  });

  it('finds none when the input could not be opened', () => {
    expect(parseVideoCodec('rtsp://***:***@cam.local/stream: Connection refused')).toBeUndefined();
    expect(parseVideoCodec('    Stream #0:0: Audio: aac, 48000 Hz')).toBeUndefined();
  });
});
