import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { FakeCameraDriver } from '../../test/fakes/fake-camera.driver';
import { FakeGpio } from '../../test/fakes/fake-gpio';
import {
  fakeSysfsGpio,
  grantAccess,
  leftExported,
  PI4_BOOKWORM,
  PI5_BOOKWORM,
} from '../../test/utils/fake-sysfs';
import { delay, waitFor } from '../../test/utils/wait-for';
import { Logger } from '@nestjs/common';
import { FrameProducer } from '../camera/producer/frame-producer';
import type { CameraSettings } from '../camera/settings/camera-settings.model';
import { SettingsStore } from '../persistence/settings-store.service';
import { IrLedUnavailableError } from './errors/ir-led-unavailable.error';
import { IrLed } from './ir-led';

const cameraSettings: CameraSettings = {
  width: 64,
  height: 48,
  framerate: 30,
  quality: 80,
  rotation: 0,
  hflip: false,
  vflip: false,
  bitrate: 2000,
  keyframeInterval: 1,
};

/** What one camera's LEDs are given: its definition and the runtime settings, flat for tests. */
interface IrLedConfig {
  readonly driver: 'gpio' | 'simulated';
  readonly bcmGpio?: number;
  readonly sysfsGpio?: number;
  readonly activeLow: boolean;
  readonly auto: { onBelow: number; offAbove: number; holdMs: number; intervalMs: number };
  readonly sysfsRoot: string;
  readonly openRetry: { forMs: number; firstDelayMs: number };
}

const grey = async (level: number): Promise<Buffer> =>
  sharp({
    create: { width: 64, height: 48, channels: 3, background: { r: level, g: level, b: level } },
  })
    .jpeg()
    .toBuffer();

interface Setup {
  sut: IrLed;
  config: IrLedConfig;
  store: SettingsStore;
  producer: FrameProducer;
  driver: FakeCameraDriver;
  dataDir: string;
}

describe(IrLed.name, () => {
  const started: Setup[] = [];

  async function setup(
    irLed: Partial<IrLedConfig> = {},
    saved?: unknown,
    prepareSysfs?: (root: string) => void,
  ): Promise<Setup> {
    const dataDir = await mkdtemp(join(tmpdir(), 'camfeed-irled-'));
    if (saved !== undefined) await writeFile(join(dataDir, 'settings.json'), JSON.stringify(saved));
    const config: IrLedConfig = {
      driver: 'gpio',
      bcmGpio: 17,
      activeLow: false,
      auto: { onBelow: 50, offAbove: 90, holdMs: 0, intervalMs: 20 },
      sysfsRoot: await fakeSysfsGpio(PI4_BOOKWORM),
      openRetry: { forMs: 1000, firstDelayMs: 10 },
      ...irLed,
    };
    FakeGpio.sysfsRoot = config.sysfsRoot;
    prepareSysfs?.(config.sysfsRoot);
    const store = new SettingsStore({ dataDir });
    const driver = new FakeCameraDriver();
    const producer = new FrameProducer({
      driver,
      settings: cameraSettings,
      idleTimeoutMs: 50,
      stallTimeoutMs: 10_000,
      logger: new Logger('Camera'),
    });
    const { auto, sysfsRoot, openRetry, ...pin } = config;
    const sut = new IrLed({
      cameraId: 'default',
      definition: {
        ...pin,
        auto: { onBelow: auto.onBelow, offAbove: auto.offAbove, holdMs: auto.holdMs },
      },
      unconfiguredReason: 'IR_LED_GPIO is not set',
      Gpio: FakeGpio,
      runtime: { autoIntervalMs: auto.intervalMs, sysfsRoot, openRetry },
      store,
      producer,
      logger: new Logger('IrLed'),
    });
    await sut.start();
    const result = { sut, store, producer, driver, dataDir, config };
    started.push(result);
    return result;
  }

  beforeEach(() => FakeGpio.reset());

  afterEach(async () => {
    for (const { sut, producer } of started.splice(0)) {
      await sut.destroy();
      await producer.destroy();
    }
  });

  describe('when the LEDs cannot be used', () => {
    it('says why when no pin is configured, and refuses changes without saving anything', async () => {
      const { sut, dataDir } = await setup({ bcmGpio: undefined });
      expect(sut.state()).toMatchObject({
        available: false,
        on: false,
        gpio: null,
        reason: 'IR_LED_GPIO is not set',
      });
      await expect(sut.setMode('on')).rejects.toThrow(IrLedUnavailableError);
      await expect(sut.toggle()).rejects.toThrow(
        'IR LEDs are not available: IR_LED_GPIO is not set',
      );
      await expect(readFile(join(dataDir, 'settings.json'))).rejects.toThrow(/ENOENT/);
      expect(FakeGpio.instances).toHaveLength(0);
    });

    it('says why when GPIO is not accessible (not a Pi)', async () => {
      FakeGpio.accessible = false;
      const { sut } = await setup();
      expect(sut.state()).toMatchObject({ available: false, gpio: 17 });
      expect(sut.state().reason).toMatch(/GPIO is not accessible here/);
    });

    it('names the kernel option when sysfs GPIO has no export, not permissions', async () => {
      // onoff's accessible is false there too: it cannot open the export file.
      FakeGpio.accessible = false;
      const { sut } = await setup({
        sysfsRoot: await fakeSysfsGpio(PI4_BOOKWORM, { legacy: false }),
      });
      expect(sut.state()).toMatchObject({ available: false, gpio: 17 });
      expect(sut.state().reason).toMatch(
        /^this kernel has no sysfs GPIO export \(CONFIG_GPIO_SYSFS_LEGACY is off\)/,
      );
      expect(FakeGpio.instances).toHaveLength(0);
    });

    it('says why when the board has no Raspberry Pi GPIO chip', async () => {
      const { sut } = await setup({ sysfsRoot: await fakeSysfsGpio([]) });
      expect(sut.state().reason).toMatch(/cannot open the GPIO pin: no Raspberry Pi GPIO chip/);
    });
  });

  describe('when udev has not yet given access to a newly exported pin', () => {
    it('starts at once, says so, and opens the pin in the background once access is given', async () => {
      FakeGpio.udevDelayMs = 80;
      const { sut } = await setup({}, { irLed: { mode: 'on' } });
      expect(sut.state()).toMatchObject({ available: false, on: false, mode: 'on' });
      expect(sut.state().reason).toBe(
        'opening GPIO 529: its files are not writable yet (EACCES; udev gives the gpio group access ' +
          'shortly after the export), retrying for up to 1 s',
      );
      await expect(sut.toggle()).rejects.toThrow(/IR LEDs are not available: opening GPIO 529/);
      await waitFor(() => sut.state().available, 'the pin to open');
      expect(sut.state()).toMatchObject({ available: true, on: true, mode: 'on', reason: null });
      expect(FakeGpio.instances).toHaveLength(1);
      expect(FakeGpio.last.level).toBe(1);
    });

    it('gives up after the retry time with the error and what to check', async () => {
      FakeGpio.udevDelayMs = Infinity;
      const { sut } = await setup({ openRetry: { forMs: 100, firstDelayMs: 10 } });
      await waitFor(() => sut.state().reason?.startsWith('cannot') ?? false, 'the retries to end');
      expect(sut.state()).toMatchObject({ available: false });
      expect(sut.state().reason).toBe(
        "cannot open the GPIO pin: EACCES: permission denied, open '" +
          `${FakeGpio.sysfsRoot}/gpio529/value' (still after 0.1 s: is the user in the gpio group?)`,
      );
      expect(FakeGpio.instances).toHaveLength(0);
    });

    it('stops retrying at shutdown', async () => {
      FakeGpio.udevDelayMs = Infinity;
      const { sut, config } = await setup({ openRetry: { forMs: 60_000, firstDelayMs: 50 } });
      const asked = Date.now();
      await sut.destroy();
      expect(Date.now() - asked).toBeLessThan(1000);
      // A retry after shutdown would now succeed and leave the pin exported.
      grantAccess(config.sysfsRoot, 529);
      await delay(150);
      expect(FakeGpio.instances).toHaveLength(0);
    });

    it('does not retry without retry time', async () => {
      FakeGpio.udevDelayMs = Infinity;
      const { sut } = await setup({ openRetry: { forMs: 0, firstDelayMs: 10 } });
      expect(sut.state().reason).toMatch(/^cannot open the GPIO pin: EACCES: permission denied/);
    });
  });

  describe('pin numbering', () => {
    it('maps BCM 17 to sysfs 529 on a Pi 4 running Bookworm', async () => {
      const { sut } = await setup();
      expect(FakeGpio.last.gpio).toBe(529);
      expect(sut.state()).toMatchObject({ available: true, gpio: 17, sysfsGpio: 529 });
    });

    it('maps BCM 17 to sysfs 588 on a Pi 5', async () => {
      await setup({ sysfsRoot: await fakeSysfsGpio(PI5_BOOKWORM) });
      expect(FakeGpio.last.gpio).toBe(588);
    });

    it('uses an explicit sysfs number as it is', async () => {
      const { sut } = await setup({ bcmGpio: undefined, sysfsGpio: 203 });
      expect(FakeGpio.last.gpio).toBe(203);
      expect(sut.state()).toMatchObject({ available: true, gpio: null, sysfsGpio: 203 });
    });
  });

  describe('switching', () => {
    it('drives an active-high board: on is 1, and the pin starts low (off)', async () => {
      const { sut } = await setup();
      expect(FakeGpio.last.direction).toBe('low');
      await sut.setOn(true);
      await sut.setOn(false);
      expect(FakeGpio.last.writes).toEqual([1, 0]);
    });

    it('drives an active-low board: on is 0, and the pin starts high (off)', async () => {
      const { sut } = await setup({ activeLow: true });
      expect(FakeGpio.last.direction).toBe('high');
      expect(FakeGpio.last.level).toBe(1);
      await sut.setOn(true);
      expect(FakeGpio.last.level).toBe(0);
      await sut.toggle();
      expect(FakeGpio.last.writes).toEqual([0, 1]);
      expect(sut.state()).toMatchObject({ on: false, mode: 'off', activeLow: true });
    });

    it('takes over a pin left exported with active_low=1 (LEDs on): off at once, not inverted', async () => {
      const { sut } = await setup({}, undefined, (root) =>
        leftExported(root, 529, { direction: 'out', activeLow: true, level: 1 }),
      );
      const pin = FakeGpio.last;
      expect(pin.options).toEqual({ activeLow: false });
      expect(pin.activeLow()).toBe(false);
      expect(pin.level).toBe(0);
      await sut.setOn(true);
      expect(pin.level).toBe(1);
      await sut.setOn(false);
      expect(pin.level).toBe(0);
    });

    it('takes over such a pin for an active-low board too', async () => {
      const { sut } = await setup({ activeLow: true }, undefined, (root) =>
        leftExported(root, 529, { direction: 'out', activeLow: true, level: 0 }),
      );
      const pin = FakeGpio.last;
      expect(pin.level).toBe(1);
      await sut.setOn(true);
      expect(pin.level).toBe(0);
    });

    it('inverts its writes when the kernel keeps an active_low=1 camfeed may not change', async () => {
      const { sut } = await setup({}, undefined, (root) =>
        leftExported(
          root,
          529,
          { direction: 'out', activeLow: true, level: 1 },
          { lockedActiveLow: true },
        ),
      );
      const pin = FakeGpio.last;
      expect(pin.activeLow()).toBe(true);
      expect(pin.level).toBe(0);
      await sut.setOn(true);
      expect(pin.level).toBe(1);
      expect(pin.writes).toEqual([0]);
      await sut.setOn(false);
      expect(pin.level).toBe(0);
    });

    it('writes to the pin only when the state changes', async () => {
      const { sut } = await setup();
      await sut.setOn(true);
      await sut.setOn(true);
      await sut.setMode('on');
      await sut.setMode('off');
      await sut.setMode('off');
      expect(FakeGpio.last.writes).toEqual([1, 0]);
    });

    it('toggles and leaves the result as a manual mode', async () => {
      const { sut } = await setup();
      expect((await sut.toggle()).mode).toBe('on');
      expect((await sut.toggle()).mode).toBe('off');
    });

    it('saves the mode and restores it at the next start', async () => {
      const first = await setup();
      await first.sut.setMode('on');
      expect(
        JSON.parse(await readFile(join(first.dataDir, 'settings.json'), 'utf8')),
      ).toMatchObject({
        version: 2,
        cameras: { default: { irLed: { mode: 'on' } } },
      });
      const { sut } = await setup({}, { irLed: { mode: 'on' } });
      expect(sut.state()).toMatchObject({ mode: 'on', on: true });
      expect(FakeGpio.last.writes).toEqual([1]);
    });

    it('ignores an invalid saved mode', async () => {
      const { sut } = await setup({}, { irLed: { mode: 'disco' } });
      expect(sut.state()).toMatchObject({ mode: 'off', on: false });
    });

    it('reports a failing pin as unavailable instead of crashing', async () => {
      const { sut } = await setup();
      FakeGpio.failWrites = true;
      await expect(sut.setOn(true)).rejects.toThrow('writing GPIO 529 failed: EIO: i/o error');
    });
  });

  describe('auto mode', () => {
    it('follows the scene: on when dark, off again once clearly brighter than the IR-lit scene', async () => {
      const { sut, producer, driver } = await setup();
      const [dark, irLit, daylight] = await Promise.all([grey(20), grey(80), grey(220)]);
      await sut.setMode('auto');
      const viewer = producer.subscribe();
      driver.push(dark);
      await waitFor(() => sut.state().on, 'the LEDs to come on in the dark');
      driver.push(irLit);
      await waitFor(() => sut.state().auto.offAbove > 90, 'the IR-lit level to be learned');
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(sut.state().on).toBe(true);
      driver.push(daylight);
      await waitFor(() => !sut.state().on, 'the LEDs to go off in daylight');
      expect(FakeGpio.last.writes).toEqual([1, 0]);
      expect(sut.state().auto.luminance).toBeGreaterThan(200);
      viewer.close();
    });

    it('does not measure while the camera is stopped, switches off, and restores the LEDs when it restarts', async () => {
      const { sut, producer, driver } = await setup();
      await sut.setMode('auto');
      const viewer = producer.subscribe();
      driver.push(await grey(10));
      await waitFor(() => sut.state().on, 'the LEDs to come on');
      viewer.close();
      await waitFor(() => !producer.isRunning, 'the camera to stop');
      await waitFor(() => !sut.state().on, 'the LEDs to go off with the camera');
      expect(sut.state().auto.luminance).toBeNull();
      const next = producer.subscribe();
      await waitFor(() => sut.state().on, 'the LEDs to be restored with the camera');
      expect(FakeGpio.last.writes).toEqual([1, 0, 1]);
      next.close();
    });

    it('leaves auto mode when switched by hand', async () => {
      const { sut, producer, driver } = await setup();
      await sut.setMode('auto');
      const viewer = producer.subscribe();
      driver.push(await grey(10));
      await waitFor(() => sut.state().on, 'the LEDs to come on');
      await sut.setOn(false);
      driver.push(await grey(10));
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(sut.state()).toMatchObject({ mode: 'off', on: false });
      viewer.close();
    });
  });

  it('applies concurrent changes one at a time: ten toggles from off end off', async () => {
    const { sut } = await setup();
    const states = await Promise.all(Array.from({ length: 10 }, async () => sut.toggle()));
    expect(states.map((state) => state.on)).toEqual([
      true,
      false,
      true,
      false,
      true,
      false,
      true,
      false,
      true,
      false,
    ]);
    expect(sut.state()).toMatchObject({ on: false, mode: 'off' });
    expect(FakeGpio.last.writes).toEqual([1, 0, 1, 0, 1, 0, 1, 0, 1, 0]);
  });

  it('refuses a change that comes during shutdown, so the LEDs stay off', async () => {
    const { sut } = await setup();
    const pin = FakeGpio.last;
    const shutdown = sut.destroy();
    const late = sut.toggle();
    await shutdown;
    await expect(late).rejects.toThrow(IrLedUnavailableError);
    expect(pin.writes).toEqual([]);
    expect(pin.exported).toBe(false);
  });

  it('switches the LEDs off and releases the pin at shutdown', async () => {
    const { sut } = await setup();
    await sut.setOn(true);
    const pin = FakeGpio.last;
    await sut.destroy();
    expect(pin.writes).toEqual([1, 0]);
    expect(pin.exported).toBe(false);
    expect(sut.state().available).toBe(false);
  });
});
