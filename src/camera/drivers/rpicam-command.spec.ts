import type { CameraSettings } from '../camera-driver.interface';
import { parseCameraList, piCameraCapabilities, planRpicam } from './rpicam-command';

const settings: CameraSettings = {
  width: 1280,
  height: 720,
  framerate: 15,
  quality: 80,
  rotation: 0,
  hflip: false,
  vflip: false,
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

describe(parseCameraList.name, () => {
  it('reads sensors, full sizes and the fastest mode', () => {
    const cameras = parseCameraList(`Available cameras
-----------------
0 : imx708_wide [4608x2592 10-bit RGGB] (/base/axi/pcie@120000/rp1/i2c@88000/imx708@1a)
    Modes: 'SRGGB10_CSI2P' : 1536x864 [120.13 fps - (768, 432)/3072x1728 crop]
                             2304x1296 [56.03 fps - (0, 0)/4608x2592 crop]
                             4608x2592 [14.35 fps - (0, 0)/4608x2592 crop]

1 : ov5647 [2592x1944 10-bit GBRG] (/base/axi/pcie@120000/rp1/i2c@80000/ov5647@36)
    Modes: 'SGBRG10_CSI2P' : 640x480 [58.92 fps - (16, 0)/2560x1920 crop]
                             2592x1944 [15.63 fps - (0, 0)/2592x1944 crop]
`);
    expect(cameras).toEqual([
      { index: 0, sensor: 'imx708_wide', width: 4608, height: 2592, maxFramerate: 120.13 },
      { index: 1, sensor: 'ov5647', width: 2592, height: 1944, maxFramerate: 58.92 },
    ]);
    expect(piCameraCapabilities(cameras[0])).toMatchObject({
      sizes: { kind: 'range', width: { min: 64, max: 4608 }, height: { min: 64, max: 2592 } },
      framerate: { min: 0.1, max: 120 },
    });
  });

  it('finds nothing when no camera is connected', () => {
    expect(parseCameraList('No cameras available!')).toEqual([]);
  });
});
