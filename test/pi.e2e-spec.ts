import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import sharp from 'sharp';
import { readExifOrientation } from '../src/jpeg/exif-orientation';
import { isPlaceholder } from '../src/drawing/placeholder-frame';
import { MjpegReader } from './utils/mjpeg-reader';
import { getJson, sendJson, startApp, type TestApp } from './utils/test-app';
import { waitFor } from './utils/wait-for';

/** The rpicam-vid stand-in (test/fixtures/bin/rpicam-vid): same command line, real JPEGs. */
const FAKE_RPICAM = resolve(__dirname, 'fixtures', 'bin', 'rpicam-vid');

/**
 * Puts the stand-in on a folder of its own under `name`, with its settings baked into a wrapper:
 * Jest gives each test file a copy of process.env, so variables set here would not reach the
 * processes the server starts.
 */
function installFake(name: string, env: Record<string, string>): { folder: string; log: string } {
  const folder = mkdtempSync(join(tmpdir(), 'camfeed-fake-bin-'));
  const log = join(folder, 'calls.log');
  const exports = Object.entries({ FAKE_RPICAM_LOG: log, ...env })
    .map(([key, value]) => `${key}='${value}'`)
    .join(' ');
  writeFileSync(join(folder, name), `#!/bin/sh\n${exports} exec '${FAKE_RPICAM}' "$@"\n`, {
    mode: 0o755,
  });
  return { folder, log };
}

async function onPath<T>(folder: string, run: () => Promise<T>): Promise<T> {
  const saved = process.env.PATH;
  process.env.PATH = `${folder}${delimiter}${saved}`;
  return run().finally(() => {
    process.env.PATH = saved;
  });
}

const invocations = (log: string): string[][] =>
  readFileSync(log, { encoding: 'utf8', flag: 'a+' })
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as string[])
    .filter((args) => !args.includes('--list-cameras'));

describe('pi driver (rpicam-vid)', () => {
  let t: TestApp;
  let log: string;
  let savedPath: string | undefined;

  beforeAll(async () => {
    const fake = installFake('rpicam-vid', {});
    log = fake.log;
    savedPath = process.env.PATH;
    process.env.PATH = `${fake.folder}${delimiter}${savedPath}`;
    t = await startApp({
      CAMERA: 'pi',
      CAMERA_WIDTH: '640',
      CAMERA_HEIGHT: '480',
      CAMERA_FRAMERATE: '20',
      CAMERA_QUALITY: '70',
      DATA_DIR: mkdtempSync(join(tmpdir(), 'camfeed-pi-data-')),
    });
  });

  afterAll(async () => {
    await t.close();
    process.env.PATH = savedPath;
  });

  it('runs rpicam-vid for MJPEG on stdout with the settings, and streams its frames', async () => {
    const reader = await MjpegReader.open(`${t.baseUrl}/video_feed`, { keep: 2 });
    await reader.waitForParts(5, 15_000);
    reader.close();
    const [args] = invocations(log);
    expect(args.join(' ')).toBe(
      '-t 0 -n --codec mjpeg --flush -o - --width 640 --height 480 --framerate 20 -q 70',
    );
    const { width, height } = await sharp(reader.parts[1].body).metadata();
    expect(`${width}x${height}`).toBe('640x480');
  });

  it('takes its capabilities from rpicam-vid --list-cameras', async () => {
    const { body } = await getJson(`${t.baseUrl}/camera/capabilities`);
    expect(body).toEqual({
      sizes: { kind: 'range', width: { min: 64, max: 3280 }, height: { min: 64, max: 2464 } },
      framerate: { min: 0.1, max: 103 },
      framerateBySize: [
        { width: 640, height: 480, maxFramerate: 103 },
        { width: 1640, height: 1232, maxFramerate: 41 },
        { width: 1920, height: 1080, maxFramerate: 47 },
        { width: 3280, height: 2464, maxFramerate: 21 },
      ],
      quality: { min: 1, max: 100 },
      rotations: [0, 90, 180, 270],
      flips: true,
      bitrate: { min: 100, max: 20000 },
      keyframeInterval: { min: 0.2, max: 10 },
    });
  });

  it('limits the frame rate to what the sensor mode covering the size reaches', async () => {
    const refused = await sendJson<{ message: string; problems: string[] }>(
      'POST',
      `${t.baseUrl}/camera/settings`,
      { width: 3280, height: 2464, framerate: 30 },
    );
    expect(refused.status).toBe(400);
    expect(refused.body.problems).toEqual([
      'framerate must be from 0.1 to 21 for this camera at 3280x2464',
    ]);
    const accepted = await sendJson('POST', `${t.baseUrl}/camera/settings`, {
      width: 1280,
      height: 720,
      framerate: 47,
    });
    expect(accepted).toMatchObject({
      status: 200,
      body: { width: 1280, height: 720, framerate: 47 },
    });
    const restored = await sendJson('POST', `${t.baseUrl}/camera/settings`, {
      width: 640,
      height: 480,
      framerate: 20,
    });
    // Back to the size the next test expects.
    expect(restored.status).toBe(200);
  });

  it('flips and turns 180° in the camera, and marks 90° frames with an EXIF orientation', async () => {
    const reader = await MjpegReader.open(`${t.baseUrl}/video_feed`, { keep: 1 });
    await reader.waitForParts(2);
    expect(
      (await sendJson('POST', `${t.baseUrl}/camera/settings`, { rotation: 180, hflip: true }))
        .status,
    ).toBe(200);
    await waitFor(
      () => invocations(log).at(-1)?.includes('--rotation') ?? false,
      'a restart with the new settings',
    );
    expect(invocations(log).at(-1)?.slice(-3)).toEqual(['--hflip', '--rotation', '180']);

    expect(
      (await sendJson('POST', `${t.baseUrl}/camera/settings`, { rotation: 90, hflip: false }))
        .status,
    ).toBe(200);
    await waitFor(
      () => readExifOrientation(reader.parts[0].body) === 6,
      'frames marked to be turned by 90°',
      5000,
    );
    const args = invocations(log).at(-1) ?? [];
    expect(args).not.toContain('--rotation');
    const status = await getJson<{ frameSize: unknown }>(`${t.baseUrl}/camera/status`);
    // What a viewer sees: the browser turns the 640x480 frame into 480x640.
    expect(status.body.frameSize).toEqual({ width: 480, height: 640 });
    reader.close();
  });
});

describe('pi driver without rpicam-vid', () => {
  it('falls back to libcamera-vid on older systems', async () => {
    const { folder, log } = installFake('libcamera-vid', {});
    await onPath(folder, async () => {
      const t = await startApp({
        CAMERA: 'pi',
        DATA_DIR: mkdtempSync(join(tmpdir(), 'camfeed-pi-data-')),
      });
      try {
        const reader = await MjpegReader.open(`${t.baseUrl}/video_feed`);
        await reader.waitForParts(2, 15_000);
        reader.close();
        expect(invocations(log)).toHaveLength(1);
      } finally {
        await t.close();
      }
    });
  });

  it('reports a missing rpicam-vid clearly and keeps serving the placeholder', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'camfeed-nobin-'));
    const saved = process.env.PATH;
    process.env.PATH = `${empty}${delimiter}/usr/bin${delimiter}/bin`;
    try {
      const t = await startApp({
        CAMERA: 'pi',
        CAMERA_WIDTH: '320',
        CAMERA_HEIGHT: '240',
        DATA_DIR: mkdtempSync(join(tmpdir(), 'camfeed-pi-data-')),
      });
      try {
        const reader = await MjpegReader.open(`${t.baseUrl}/video_feed`, { keep: 1 });
        await reader.waitForParts(1, 10_000);
        reader.close();
        expect(isPlaceholder(reader.parts[0].body)).toBe(true);
        const { body } = await getJson<{ lastError: string }>(`${t.baseUrl}/camera/status`);
        expect(body.lastError).toBe(
          'rpicam-vid not found: install rpicam-apps-lite (sudo apt install rpicam-apps-lite; Raspberry Pi OS ships it)',
        );
      } finally {
        await t.close();
      }
    } finally {
      process.env.PATH = saved;
    }
  });

  it('reports a camera that is not connected', async () => {
    const { folder } = installFake('rpicam-vid', { FAKE_RPICAM_NO_CAMERA: '1' });
    await onPath(folder, async () => {
      const t = await startApp({
        CAMERA: 'pi',
        DATA_DIR: mkdtempSync(join(tmpdir(), 'camfeed-pi-data-')),
      });
      try {
        const reader = await MjpegReader.open(`${t.baseUrl}/video_feed`, { keep: 1 });
        await reader.waitForParts(1, 10_000);
        reader.close();
        const { body } = await getJson<{ lastError: string }>(`${t.baseUrl}/camera/status`);
        expect(body.lastError).toBe(
          'rpicam-vid exited with code 255: ERROR: *** no cameras available ***',
        );
      } finally {
        await t.close();
      }
    });
  });
});
