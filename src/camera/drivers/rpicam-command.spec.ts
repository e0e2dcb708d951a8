import { SETTINGS_LIMITS } from '../settings/settings-limits';
import { findSettingsProblems } from '../settings/capabilities';
import type { CameraSettings } from './camera-driver.interface';
import { parseCameraList, piCameraCapabilities, planRpicam } from './rpicam-command';

const settings: CameraSettings = {
  width: 1280,
  height: 720,
  framerate: 15,
  quality: 80,
  rotation: 0,
  hflip: false,
  vflip: false,
  bitrate: 2000,
  keyframeInterval: 1,
};

describe(planRpicam.name, () => {
  it('asks for endless MJPEG on stdout, flushed per frame, with the settings', () => {
    expect(planRpicam(settings)).toEqual({
      args: [
        '-t',
        '0',
        '-n',
        '--codec',
        'mjpeg',
        '--flush',
        '-o',
        '-',
        '--width',
        '1280',
        '--height',
        '720',
        '--framerate',
        '15',
        '-q',
        '80',
      ],
      exifOrientation: undefined,
    });
  });

  it('does flips and 180° in the camera, 90° and 270° with an EXIF orientation', () => {
    expect(planRpicam({ ...settings, hflip: true, rotation: 180 }).args.slice(-3)).toEqual([
      '--hflip',
      '--rotation',
      '180',
    ]);
    expect(planRpicam({ ...settings, rotation: 90 })).toMatchObject({ exifOrientation: 6 });
    expect(planRpicam({ ...settings, rotation: 270, vflip: true })).toMatchObject({
      exifOrientation: 8,
    });
    expect(planRpicam({ ...settings, rotation: 270 }).args).not.toContain('--rotation');
  });

  it('selects the camera on boards with two', () => {
    expect(planRpicam(settings, '1').args).toEqual(expect.arrayContaining(['--camera', '1']));
  });
});

/*
 * Real `--list-cameras` output, as people posted it. The format changed over the years: the
 * header's bracket gained the bit depth and Bayer order, the frame rates and crops came in 2022.
 */

/** Camera Module 3 Wide on a Pi 5, Bookworm (the fixture camfeed started with). */
const IMX708_PI5 = `Available cameras
-----------------
0 : imx708_wide [4608x2592 10-bit RGGB] (/base/axi/pcie@120000/rp1/i2c@88000/imx708@1a)
    Modes: 'SRGGB10_CSI2P' : 1536x864 [120.13 fps - (768, 432)/3072x1728 crop]
                             2304x1296 [56.03 fps - (0, 0)/4608x2592 crop]
                             4608x2592 [14.35 fps - (0, 0)/4608x2592 crop]
`;

/** The same camera on a Pi 4 with the 2023 libcamera-apps, `-v` (raspberrypi/rpicam-apps#533). */
const IMX708_VERBOSE = `Available cameras
-----------------
0 : imx708_wide [4608x2592] (/base/soc/i2c0mux/i2c@1/imx708@1a)
    Modes: 'SRGGB10_CSI2P' : 1536x864 [120.13 fps - (768, 432)/3072x1728 crop]
                             2304x1296 [56.03 fps - (0, 0)/4608x2592 crop]
                             4608x2592 [14.35 fps - (0, 0)/4608x2592 crop]

    Available controls for 4608x2592 SRGGB10_CSI2P mode:
    ----------------------------------------------------
    FrameDurationLimits : [69669..220535845]
    ScalerCrop : [(0, 0)/64x64..(0, 0)/4608x2592]
`;

/** Camera Module 2 on a Pi 5: 10- and 8-bit modes of the same sizes at different rates. */
const IMX219_PI5 = `Available cameras
-----------------
0 : imx219 [3280x2464 10-bit RGGB] (/base/axi/pcie@120000/rp1/i2c@88000/imx219@10)
    Modes: 'SRGGB10_CSI2P' : 640x480 [206.65 fps - (1000, 752)/1280x960 crop]
                             1640x1232 [41.85 fps - (0, 0)/3280x2464 crop]
                             1920x1080 [47.57 fps - (680, 692)/1920x1080 crop]
                             3280x2464 [21.19 fps - (0, 0)/3280x2464 crop]
           'SRGGB8' : 640x480 [206.65 fps - (1000, 752)/1280x960 crop]
                      1640x1232 [83.70 fps - (0, 0)/3280x2464 crop]
                      1920x1080 [47.57 fps - (680, 692)/1920x1080 crop]
                      3280x2464 [21.19 fps - (0, 0)/3280x2464 crop]
`;

/** HQ camera, 2022 libcamera-apps (raspberrypi/rpicam-apps#336). */
const IMX477 = `Available cameras
-----------------
0 : imx477 [4056x3040] (/base/soc/i2c0mux/i2c@1/imx477@1a)
    Modes: 'SRGGB10_CSI2P' : 1332x990 [120.05 fps - (696, 528)/2664x1980 crop]
           'SRGGB12_CSI2P' : 2028x1080 [50.03 fps - (0, 440)/4056x2160 crop]
                             2028x1520 [40.01 fps - (0, 0)/4056x3040 crop]
                             4056x3040 [10.00 fps - (0, 0)/4056x3040 crop]
`;

/** Camera Module 1 (raspberrypi/rpicam-apps#427). */
const OV5647 = `Available cameras
-----------------
0 : ov5647 [2592x1944] (/base/soc/i2c0mux/i2c@1/ov5647@36)
    Modes: 'SGBRG10_CSI2P' : 640x480 [58.92 fps - (16, 0)/2560x1920 crop]
                             1296x972 [43.25 fps - (0, 0)/2592x1944 crop]
                             1920x1080 [30.62 fps - (348, 434)/1928x1080 crop]
                             2592x1944 [15.63 fps - (0, 0)/2592x1944 crop]
`;

/** The 2021 format, sizes only (raspberrypi/rpicam-apps#215). */
const IMX477_2021 = `Available cameras
-----------------
0 : imx477 [4056x3040] (/base/soc/i2c0mux/i2c@1/imx477@1a)
    Modes: 'SRGGB10_CSI2P' : 1332x990 
           'SRGGB12_CSI2P' : 2028x1080 2028x1520 4056x3040
`;

/**
 * Not a capture: what rpicam-apps' options.cpp prints for a sensor without an active area (no
 * size in the bracket) and a mode without frame-duration limits (`std::fixed` prints NAN as nan).
 */
const NO_AREA_NAN_FPS = `Available cameras
-----------------
0 : ov5647 [10-bit GBRG] (/base/soc/i2c0mux/i2c@1/ov5647@36)
    Modes: 'SGBRG10_CSI2P' : 640x480 [58.92 fps - (16, 0)/2560x1920 crop]
                             1296x972 [nan fps - (0, 0)/2592x1944 crop]
                             2592x1944 [-nan fps - (0, 0)/2592x1944 crop]
`;

describe(parseCameraList.name, () => {
  it('reads the sensor, its size and every mode with its frame rate', () => {
    expect(parseCameraList(IMX708_PI5)).toEqual([
      {
        index: 0,
        sensor: 'imx708_wide',
        width: 4608,
        height: 2592,
        modes: [
          { width: 1536, height: 864, maxFramerate: 120.13 },
          { width: 2304, height: 1296, maxFramerate: 56.03 },
          { width: 4608, height: 2592, maxFramerate: 14.35 },
        ],
      },
    ]);
  });

  it('reads the older header without bit depth, and ignores the sizes of the controls list', () => {
    expect(parseCameraList(IMX708_VERBOSE)).toEqual(parseCameraList(IMX708_PI5));
  });

  it('keeps the fastest rate of each size across bit depths', () => {
    const [camera] = parseCameraList(IMX219_PI5);
    expect(camera).toMatchObject({ sensor: 'imx219', width: 3280, height: 2464 });
    expect(camera.modes).toEqual([
      { width: 640, height: 480, maxFramerate: 206.65 },
      { width: 1640, height: 1232, maxFramerate: 83.7 },
      { width: 1920, height: 1080, maxFramerate: 47.57 },
      { width: 3280, height: 2464, maxFramerate: 21.19 },
    ]);
  });

  it('reads modes of several pixel formats', () => {
    expect(parseCameraList(IMX477)[0].modes).toEqual([
      { width: 1332, height: 990, maxFramerate: 120.05 },
      { width: 2028, height: 1080, maxFramerate: 50.03 },
      { width: 2028, height: 1520, maxFramerate: 40.01 },
      { width: 4056, height: 3040, maxFramerate: 10 },
    ]);
    expect(parseCameraList(OV5647)[0]).toMatchObject({
      sensor: 'ov5647',
      width: 2592,
      height: 1944,
    });
  });

  it('reads sizes listed without frame rates', () => {
    expect(parseCameraList(IMX477_2021)[0].modes).toEqual([
      { width: 1332, height: 990 },
      { width: 2028, height: 1080 },
      { width: 2028, height: 1520 },
      { width: 4056, height: 3040 },
    ]);
  });

  it('takes the sensor size from the largest mode when the header has none, and skips nan rates', () => {
    expect(parseCameraList(NO_AREA_NAN_FPS)).toEqual([
      {
        index: 0,
        sensor: 'ov5647',
        width: 2592,
        height: 1944,
        modes: [
          { width: 640, height: 480, maxFramerate: 58.92 },
          { width: 1296, height: 972 },
          { width: 2592, height: 1944 },
        ],
      },
    ]);
    const bare = NO_AREA_NAN_FPS.replace('[10-bit GBRG]', ']');
    expect(parseCameraList(bare)[0]).toMatchObject({ sensor: 'ov5647', width: 2592, height: 1944 });
  });

  it('reads every camera of a board with two', () => {
    const cameras = parseCameraList(
      IMX708_PI5 + OV5647.replace(/^Available cameras\n-+\n0 :/, '\n1 :'),
    );
    expect(cameras.map(({ index, sensor }) => `${index} ${sensor}`)).toEqual([
      '0 imx708_wide',
      '1 ov5647',
    ]);
    expect(cameras[1].modes).toHaveLength(4);
  });

  it('finds nothing when no camera is connected', () => {
    expect(parseCameraList('No cameras available!')).toEqual([]);
  });
});

describe(piCameraCapabilities.name, () => {
  const H264_RANGES = {
    bitrate: SETTINGS_LIMITS.bitrate,
    keyframeInterval: SETTINGS_LIMITS.keyframeInterval,
  };
  const settingsAt = (width: number, height: number, framerate: number): CameraSettings => ({
    ...settings,
    width,
    height,
    framerate,
  });
  const problems = (output: string, asked: CameraSettings): string[] =>
    findSettingsProblems(
      asked,
      { ...piCameraCapabilities(parseCameraList(output)[0]), ...H264_RANGES },
      new Set(['width', 'height', 'framerate']),
    );

  it('offers any size up to the sensor, and frame rates by size', () => {
    expect(piCameraCapabilities(parseCameraList(IMX708_PI5)[0])).toEqual({
      sizes: { kind: 'range', width: { min: 64, max: 4608 }, height: { min: 64, max: 2592 } },
      framerate: { min: 0.1, max: 120 },
      framerateBySize: [
        { width: 1536, height: 864, maxFramerate: 120 },
        { width: 2304, height: 1296, maxFramerate: 56 },
        { width: 4608, height: 2592, maxFramerate: 14 },
      ],
      quality: { min: 1, max: 100 },
      rotations: [0, 90, 180, 270],
      flips: true,
    });
  });

  it('refuses the fast rate of a small mode at the full size', () => {
    expect(problems(IMX708_PI5, settingsAt(4608, 2592, 30))).toEqual([
      'framerate must be from 0.1 to 14 for this camera at 4608x2592',
    ]);
    expect(problems(IMX708_PI5, settingsAt(1920, 1080, 50))).toEqual([]);
    expect(problems(IMX708_PI5, settingsAt(640, 480, 120))).toEqual([]);
    expect(problems(IMX477, settingsAt(4056, 3040, 15))).toEqual([
      'framerate must be from 0.1 to 10 for this camera at 4056x3040',
    ]);
    expect(problems(OV5647, settingsAt(1920, 1080, 30))).toEqual([]);
    expect(problems(OV5647, settingsAt(2592, 1944, 30))).toEqual([
      'framerate must be from 0.1 to 15 for this camera at 2592x1944',
    ]);
  });

  it('lets a size use the faster 8-bit mode that covers it', () => {
    expect(problems(IMX219_PI5, settingsAt(1280, 720, 80))).toEqual([]);
    expect(problems(IMX219_PI5, settingsAt(1280, 720, 90))).toEqual([
      'framerate must be from 0.1 to 83 for this camera at 1280x720',
    ]);
  });

  it('sets no limit from a nan mode, and assumes rpicam-vid’s default without any rate', () => {
    expect(piCameraCapabilities(parseCameraList(NO_AREA_NAN_FPS)[0])).toMatchObject({
      framerate: { min: 0.1, max: 58 },
      framerateBySize: [{ width: 640, height: 480, maxFramerate: 58 }],
    });
    const sizesOnly = piCameraCapabilities(parseCameraList(IMX477_2021)[0]);
    expect(sizesOnly.framerate).toEqual({ min: 0.1, max: 30 });
    expect(sizesOnly).not.toHaveProperty('framerateBySize');
  });
});
