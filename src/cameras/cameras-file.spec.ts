import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { CamerasFileError, parseCamerasFile, readCamerasFile } from './cameras-file';

const DEFAULTS = { idleTimeoutMs: 10_000, stallTimeoutMs: 10_000, irLedDriver: 'gpio' as const };
const parse = (text: string) => parseCamerasFile(text, 'cameras.yaml', DEFAULTS);
const problem = (text: string): string => {
  try {
    parse(text);
  } catch (error) {
    if (error instanceof CamerasFileError) return error.message;
    throw error;
  }
  throw new Error('expected the file to be refused');
};

describe(parseCamerasFile.name, () => {
  it('reads the documented shape, with defaults for what an entry leaves out', () => {
    const cameras = parse(`
cameras:
  - id: printer            # [a-z0-9_-], unique
    name: Printer
    driver: ffmpeg
    source: /dev/video0
    width: 1280
    height: 720
    framerate: 15
    irLed: { gpio: 17, activeLow: false }
  - id: door
    driver: pi
`);
    expect(cameras).toEqual([
      {
        id: 'printer',
        name: 'Printer',
        driver: 'ffmpeg',
        source: '/dev/video0',
        sourceFormat: undefined,
        ffmpegPath: undefined,
        defaults: {
          width: 1280,
          height: 720,
          framerate: 15,
          quality: 80,
          rotation: 0,
          hflip: false,
          vflip: false,
          bitrate: 2000,
          keyframeInterval: 1,
        },
        idleTimeoutMs: 10_000,
        stallTimeoutMs: 10_000,
        maxClients: undefined,
        irLed: {
          driver: 'gpio',
          bcmGpio: 17,
          sysfsGpio: undefined,
          activeLow: false,
          auto: { onBelow: 50, offAbove: 90, holdMs: 10_000 },
        },
      },
      expect.objectContaining({ id: 'door', name: 'door', driver: 'pi', irLed: undefined }),
    ]);
  });

  it('reads JSON too, and an empty list (a server that only serves other nodes’ cameras)', () => {
    expect(parse('{"cameras": [{"id": "a", "driver": "emulated", "idleTimeout": 2.5}]}')).toEqual([
      expect.objectContaining({ id: 'a', idleTimeoutMs: 2500 }),
    ]);
    expect(parse('cameras: []')).toEqual([]);
  });

  it.each([
    [
      'cameras:\n  - id: p\n    driver: emulated\n    width: huge',
      'cameras.yaml: camera "p": width must be an integer from 16 to 8192 (got "huge")',
    ],
    [
      'cameras:\n  - id: p\n    driver: webcam',
      'cameras.yaml: camera "p": driver must be one of: emulated, images, ffmpeg, pi, mjpeg (got "webcam")',
    ],
    ['cameras:\n  - driver: emulated', 'cameras.yaml: camera #1: id must be set'],
    [
      'cameras:\n  - id: Printer 1\n    driver: emulated',
      'cameras.yaml: camera "Printer 1": id must be set to 1 to 63 lower-case letters',
    ],
    [
      'cameras:\n  - id: p\n    driver: images',
      'cameras.yaml: camera "p": source must be set to the camera source',
    ],
    [
      'cameras:\n  - id: p\n    driver: mjpeg\n    source: rtsp://x/y',
      'cameras.yaml: camera "p": source must be the http:// or https:// URL of an MJPEG stream when driver=mjpeg',
    ],
    [
      'cameras:\n  - id: p\n    driver: pi\n    source: front',
      'cameras.yaml: camera "p": source must be the camera index (0, 1, ...) when driver=pi',
    ],
    [
      'cameras:\n  - id: p\n    driver: emulated\n    widht: 640',
      'cameras.yaml: camera "p": unknown key "widht" (known: ',
    ],
    [
      'cameras:\n  - id: p\n    driver: emulated\n    irLed: { gpio: 99 }',
      'cameras.yaml: camera "p": irLed.gpio must be an integer from 0 to 53 (got "99")',
    ],
    [
      'cameras:\n  - id: p\n    driver: emulated\n    irLed: { pin: 17 }',
      'cameras.yaml: camera "p": unknown key "pin" (known: driver, gpio,',
    ],
    [
      'cameras:\n  - id: p\n    driver: emulated\n    irLed: { autoOnBelow: 80, autoOffAbove: 40 }',
      'irLed.autoOffAbove must be greater than irLed.autoOnBelow',
    ],
    [
      'cameras:\n  - id: p\n    driver: emulated\n  - id: p\n    driver: emulated',
      'cameras.yaml: camera "p": the id is used by an earlier camera too',
    ],
    [
      'cameras:\n  - id: p\n    driver: emulated\n    rotation: 45',
      'cameras.yaml: camera "p": rotation must be one of: 0, 90, 180, 270 (got "45")',
    ],
    ['cameras: {}', 'cameras.yaml: must have a "cameras" list'],
    ['camera:\n  - id: p', 'cameras.yaml: must have a "cameras" list'],
    ['cameras: []\nextra: 1', 'cameras.yaml: unknown key "extra" (known: cameras)'],
    ['cameras:\n  - just a string', 'cameras.yaml: camera #1: must be a mapping of keys'],
    ['cameras: [\n', 'cameras.yaml (line 2): not valid YAML or JSON'],
  ])('refuses %j in one line naming the camera, the field and what is allowed', (text, message) => {
    expect(problem(text)).toContain(message);
  });

  it('never repeats a password it was given in a bad value', () => {
    const message = problem(
      'cameras:\n  - id: p\n    driver: mjpeg\n    source: rtsp://admin:Hunter22@cam/live',
    );
    expect(message).not.toContain('Hunter22');
  });
});

describe(readCamerasFile.name, () => {
  it('names the file in every problem, and refuses a FIFO without waiting for a writer', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'camfeed-cameras-'));
    await expect(readCamerasFile(join(dir, 'none.yaml'), DEFAULTS)).rejects.toThrow(
      `CAMERAS_FILE ${join(dir, 'none.yaml')}: no such file`,
    );
    const fifo = join(dir, 'fifo.yaml');
    execFileSync('mkfifo', [fifo]);
    await expect(readCamerasFile(fifo, DEFAULTS)).rejects.toThrow('not a regular file');
    const good = join(dir, 'cameras.yaml');
    await writeFile(good, 'cameras:\n  - id: a\n    driver: emulated\n');
    expect(await readCamerasFile(good, DEFAULTS)).toEqual([expect.objectContaining({ id: 'a' })]);
  });
});
