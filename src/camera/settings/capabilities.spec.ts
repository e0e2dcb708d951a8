import { findSettingsProblems, fitSettings, outputSize } from './capabilities';
import type { CameraCapabilities, CameraSettings } from './camera-settings.model';
import { DEFAULT_SETTINGS } from './settings-limits';

const settings: CameraSettings = DEFAULT_SETTINGS;
const ranged: CameraCapabilities = {
  sizes: { kind: 'range', width: { min: 16, max: 1920 }, height: { min: 16, max: 1080 } },
  framerate: { min: 1, max: 60 },
  quality: { min: 1, max: 100 },
  bitrate: { min: 100, max: 20_000 },
  keyframeInterval: { min: 0.2, max: 10 },
  rotations: [0, 90, 180, 270],
  flips: true,
};
const webcam: CameraCapabilities = {
  sizes: {
    kind: 'modes',
    modes: [
      { width: 640, height: 480, maxFramerate: 30 },
      { width: 1280, height: 720, maxFramerate: 10 },
    ],
  },
  framerate: { min: 1, max: 30 },
  quality: null,
  bitrate: { min: 100, max: 20_000 },
  keyframeInterval: { min: 0.2, max: 10 },
  rotations: [0, 180],
  flips: false,
};
/** A Raspberry Pi camera: the ISP scales to any size, but the full sensor mode is slow. */
const piCamera: CameraCapabilities = {
  sizes: { kind: 'range', width: { min: 64, max: 4608 }, height: { min: 64, max: 2592 } },
  framerate: { min: 0.1, max: 120 },
  framerateBySize: [
    { width: 1536, height: 864, maxFramerate: 120 },
    { width: 2304, height: 1296, maxFramerate: 56 },
    { width: 4608, height: 2592, maxFramerate: 14 },
  ],
  quality: { min: 1, max: 100 },
  bitrate: { min: 100, max: 20_000 },
  keyframeInterval: { min: 0.2, max: 10 },
  rotations: [0, 90, 180, 270],
  flips: true,
};
const all = new Set<keyof CameraSettings>([
  'width',
  'height',
  'framerate',
  'quality',
  'rotation',
  'hflip',
  'vflip',
]);

describe(findSettingsProblems.name, () => {
  it('accepts settings within ranges', () => {
    expect(findSettingsProblems(settings, ranged, all)).toEqual([]);
  });

  it('names each field outside a range with the range', () => {
    expect(
      findSettingsProblems({ ...settings, width: 4000, height: 3000, framerate: 90 }, ranged, all),
    ).toEqual([
      'width must be from 16 to 1920 for this camera',
      'height must be from 16 to 1080 for this camera',
      'framerate must be from 1 to 60 for this camera',
    ]);
  });

  it('lists the modes when a size is not one of them', () => {
    expect(
      findSettingsProblems(
        { ...settings, width: 800, height: 600 },
        webcam,
        new Set(['width', 'height']),
      ),
    ).toEqual([
      "width x height must be one of this camera's modes: 640x480 (up to 30 fps), 1280x720 (up to 10 fps) (got 800x600)",
    ]);
  });

  it("applies a mode's own frame-rate limit", () => {
    expect(
      findSettingsProblems(
        { ...settings, width: 1280, height: 720, framerate: 15 },
        webcam,
        new Set(['width']),
      ),
    ).toEqual(['framerate must be from 1 to 10 for this camera at 1280x720']);
  });

  it('limits the frame rate by size when the camera says so, naming the size', () => {
    const full = { ...settings, width: 4608, height: 2592 };
    expect(findSettingsProblems({ ...full, framerate: 30 }, piCamera, all)).toEqual([
      'framerate must be from 0.1 to 14 for this camera at 4608x2592',
    ]);
    expect(findSettingsProblems({ ...full, framerate: 14 }, piCamera, all)).toEqual([]);
    expect(
      findSettingsProblems(
        { ...settings, width: 1920, height: 1080, framerate: 56 },
        piCamera,
        all,
      ),
    ).toEqual([]);
    expect(
      findSettingsProblems(
        { ...settings, width: 1920, height: 1080, framerate: 60 },
        piCamera,
        all,
      ),
    ).toEqual(['framerate must be from 0.1 to 56 for this camera at 1920x1080']);
    expect(findSettingsProblems({ ...settings, framerate: 120 }, piCamera, all)).toEqual([]);
  });

  it('refuses features the camera lacks only when they are asked for', () => {
    const asked = findSettingsProblems(
      { ...settings, quality: 50, hflip: true, rotation: 90 },
      webcam,
      all,
    );
    expect(asked).toEqual([
      'quality cannot be changed: this camera sends its own JPEGs as they are',
      'rotation must be one of: 0, 180 for this camera',
      'hflip is not supported by this camera',
    ]);
    expect(
      findSettingsProblems({ ...settings, quality: 50 }, webcam, new Set(['framerate'])),
    ).toEqual([]);
  });
});

describe(fitSettings.name, () => {
  it('clamps to ranges', () => {
    expect(fitSettings({ ...settings, width: 5000, framerate: 100 }, ranged)).toMatchObject({
      width: 1920,
      framerate: 60,
    });
  });

  it('picks the nearest mode and its frame-rate limit, and drops unsupported orientation', () => {
    expect(
      fitSettings({ ...settings, width: 1280, height: 800, rotation: 90, hflip: true }, webcam),
    ).toEqual({
      ...settings,
      width: 1280,
      height: 720,
      framerate: 10,
      rotation: 0,
      hflip: false,
    });
  });

  it('lowers the frame rate to the limit at the fitted size', () => {
    expect(fitSettings({ ...settings, width: 4608, height: 2592 }, piCamera)).toMatchObject({
      width: 4608,
      height: 2592,
      framerate: 14,
    });
    expect(
      fitSettings({ ...settings, width: 9000, height: 9000, framerate: 25 }, piCamera),
    ).toMatchObject({ width: 4608, height: 2592, framerate: 14 });
    expect(fitSettings({ ...settings, framerate: 90 }, piCamera)).toEqual({
      ...settings,
      framerate: 90,
    });
  });

  it('leaves supported settings alone', () => {
    expect(fitSettings(settings, ranged)).toEqual(settings);
  });
});

describe(outputSize.name, () => {
  it('swaps width and height for 90 and 270 degrees', () => {
    expect(outputSize({ ...settings, rotation: 90 })).toEqual({ width: 480, height: 640 });
    expect(outputSize({ ...settings, rotation: 270 })).toEqual({ width: 480, height: 640 });
    expect(outputSize({ ...settings, rotation: 180 })).toEqual({ width: 640, height: 480 });
  });
});
