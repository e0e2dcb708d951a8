import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeCameraDriver } from '../../../test/fakes/fake-camera.driver';
import { solidJpeg } from '../../../test/utils/jpeg-fixtures';
import { waitFor } from '../../../test/utils/wait-for';
import { Logger } from '@nestjs/common';
import type { CameraDefinition } from '../camera-definition';
import { CameraRuntime } from '../camera-runtime';
import { SettingsNotSavedError } from '../../persistence/errors/settings-not-saved.error';
import { SettingsStore } from '../../persistence/settings-store.service';
import { CameraSettingsManager } from './camera-settings';
import { DEFAULT_SETTINGS } from './settings-limits';
import { UnsupportedSettingsError } from './unsupported-settings.error';
import type { FrameProducer } from '../producer/frame-producer';

const config: CameraDefinition = {
  id: 'default',
  name: 'Camera',
  driver: 'emulated',
  defaults: DEFAULT_SETTINGS,
  idleTimeoutMs: 1000,
  stallTimeoutMs: 10_000,
};

describe(CameraSettingsManager.name, () => {
  let driver: FakeCameraDriver;
  let producer: FrameProducer;
  let runtime: CameraRuntime | undefined;
  let dataDir: string;

  /** The camera's runtime, as the factory makes it: the settings apply to its own producer. */
  async function start(saved?: unknown): Promise<CameraSettingsManager> {
    if (saved !== undefined) await writeFile(join(dataDir, 'settings.json'), JSON.stringify(saved));
    runtime = new CameraRuntime(
      config,
      driver,
      new SettingsStore({ dataDir }),
      new Logger('Camera'),
    );
    producer = runtime.producer;
    await runtime.start();
    return runtime.settings;
  }

  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'camfeed-settings-'));
    driver = new FakeCameraDriver();
    runtime = undefined;
  });

  afterEach(async () => runtime?.destroy());

  it('starts from the environment defaults on a first run', async () => {
    const sut = await start();
    expect(sut.settings).toEqual(config.defaults);
    expect(producer.currentSettings).toEqual(config.defaults);
  });

  it('says nothing of settings a camera can do, however their keys are ordered', async () => {
    // What fitting makes of settings within limits: the same values, its own key order.
    const warn = jest.spyOn(Logger.prototype, 'warn');
    await start({ vflip: false, width: 320, height: 240 });
    expect(warn.mock.calls.filter(([text]) => /beyond what/.test(String(text)))).toEqual([]);
    warn.mockRestore();
  });

  it('restores saved settings over the defaults', async () => {
    const sut = await start({ version: 1, camera: { width: 1280, height: 720, rotation: 180 } });
    expect(sut.settings).toEqual({ ...config.defaults, width: 1280, height: 720, rotation: 180 });
    expect(producer.currentSettings).toEqual(sut.settings);
  });

  it.each([
    ['a wrong type', { camera: { width: 'wide' } }],
    ['an out-of-range value', { camera: { quality: 500 } }],
    ['an unknown field', { camera: { zoom: 3 } }],
    ['not an object', { camera: 'big' }],
  ])('falls back to the defaults when the saved camera section has %s', async (_, saved) => {
    const sut = await start(saved);
    expect(sut.settings).toEqual(config.defaults);
  });

  it('fits saved settings the camera cannot do into what it can', async () => {
    driver.capabilitiesValue = {
      ...driver.capabilitiesValue,
      sizes: { kind: 'modes', modes: [{ width: 320, height: 240 }] },
      rotations: [0],
    };
    const sut = await start({ camera: { width: 1280, height: 720, rotation: 90 } });
    expect(sut.settings).toMatchObject({ width: 320, height: 240, rotation: 0 });
  });

  it('saves and applies an update, and restarts a running camera with it', async () => {
    const sut = await start();
    const viewer = producer.subscribe();
    await waitFor(() => driver.starts === 1, 'the camera to start');
    const applied = await sut.update({ width: 1280, height: 720, hflip: true });
    expect(applied).toEqual({ ...config.defaults, width: 1280, height: 720, hflip: true });
    await waitFor(() => driver.starts === 2, 'the camera to restart');
    expect(driver.settingsSeen.at(-1)).toEqual(applied);
    expect(driver.maxActiveRuns).toBe(1);
    const onDisk = JSON.parse(await readFile(join(dataDir, 'settings.json'), 'utf8')) as {
      cameras: { default: { settings: unknown } };
    };
    expect(onDisk.cameras.default.settings).toEqual(applied);
    driver.push(await solidJpeg(1280, 720));
    expect((await viewer.next()).width).toBe(1280);
    viewer.close();
  });

  it('changes nothing when the camera cannot do what was asked', async () => {
    const sut = await start();
    await expect(sut.update({ width: 5000 })).rejects.toThrow(UnsupportedSettingsError);
    expect(sut.settings).toEqual(config.defaults);
    await expect(readFile(join(dataDir, 'settings.json'))).rejects.toThrow(/ENOENT/);
  });

  it('changes nothing when the settings cannot be saved', async () => {
    const blocker = join(dataDir, 'file');
    await writeFile(blocker, '');
    runtime = new CameraRuntime(
      config,
      driver,
      new SettingsStore({ dataDir: blocker }),
      new Logger('Camera'),
    );
    producer = runtime.producer;
    await runtime.start();
    const sut = runtime.settings;
    await expect(sut.update({ framerate: 5 })).rejects.toThrow(SettingsNotSavedError);
    expect(sut.settings.framerate).toBe(30);
    expect(producer.currentSettings.framerate).toBe(30);
  });

  it('applies concurrent updates one at a time, each on top of the previous', async () => {
    const sut = await start();
    await Promise.all([
      sut.update({ width: 800 }),
      sut.update({ height: 600 }),
      sut.update({ quality: 50 }),
    ]);
    expect(sut.settings).toMatchObject({ width: 800, height: 600, quality: 50 });
  });
});
