import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { FakeGpio } from '../../test/fakes/fake-gpio';
import {
  fakeSysfsGpio,
  grantAccess,
  leftExported,
  pinFolder,
  PI4_BOOKWORM,
  readPin,
} from '../../test/utils/fake-sysfs';
import type { GpioClass } from './gpio.interface';
import { SimulatedGpio } from './simulated-gpio';

/**
 * What camfeed relies on from onoff's Gpio (https://github.com/fivdi/onoff#api). The test double
 * and the simulated pin must behave the same way; real onoff is held to it on a machine whose
 * sysfs GPIO is usable, and elsewhere must say so through `accessible`.
 */
function gpioContract(
  name: string,
  Gpio: GpioClass,
  pinNumber: number,
  prepare: () => Promise<void> = async () => Promise.resolve(),
): void {
  describe(`${name} (the onoff Gpio contract)`, () => {
    beforeEach(prepare);

    it('exposes accessible as a boolean', () => {
      expect(typeof Gpio.accessible).toBe('boolean');
    });

    it('starts an output at the level its direction names', async () => {
      const low = new Gpio(pinNumber, 'low', { activeLow: false });
      expect(await low.read()).toBe(0);
      low.unexport();
      const high = new Gpio(pinNumber, 'high', { activeLow: false });
      expect(await high.read()).toBe(1);
      high.unexport();
    });

    it('reads back what was written', async () => {
      const pin = new Gpio(pinNumber, 'out', { activeLow: false });
      await pin.write(1);
      expect(await pin.read()).toBe(1);
      await pin.write(0);
      expect(await pin.read()).toBe(0);
      pin.unexport();
    });

    it('reports the polarity it was opened with', () => {
      const plain = new Gpio(pinNumber, 'low', { activeLow: false });
      expect(plain.activeLow()).toBe(false);
      plain.unexport();
      const inverted = new Gpio(pinNumber, 'low', { activeLow: true });
      expect(inverted.activeLow()).toBe(true);
      inverted.unexport();
    });

    it('sets the electrical level from the direction even when inverted, and inverts only value', async () => {
      // 'high' is the raw level, so an inverted pin opened 'high' reads 0.
      const pin = new Gpio(pinNumber, 'high', { activeLow: true });
      expect(await pin.read()).toBe(0);
      await pin.write(1);
      expect(await pin.read()).toBe(1);
      pin.unexport();
    });

    it('refuses writes after unexport', async () => {
      const pin = new Gpio(pinNumber, 'low', { activeLow: false });
      pin.unexport();
      await expect(pin.write(1)).rejects.toThrow();
    });
  });
}

const SYSFS_17 = 529; // BCM 17 on a Pi 4 with Bookworm's numbering

gpioContract('FakeGpio', FakeGpio, SYSFS_17, async () => {
  FakeGpio.reset();
  FakeGpio.sysfsRoot = await fakeSysfsGpio(PI4_BOOKWORM);
});
gpioContract('SimulatedGpio', SimulatedGpio, 17);

/*
 * onoff's constructor (onoff.js, 6.0.3) on a pin that is already exported: it skips the export,
 * waits only for `value` to be writable, and ignores failures to configure the pin. Without an
 * activeLow option it leaves active_low as it was. The double must reproduce this, since that is
 * what the LED code has to cope with.
 */
describe('FakeGpio, like onoff, on a pin exported earlier', () => {
  let root: string;

  beforeEach(async () => {
    FakeGpio.reset();
    root = await fakeSysfsGpio(PI4_BOOKWORM);
    FakeGpio.sysfsRoot = root;
  });

  afterEach(() => FakeGpio.reset());

  const leftInverted = (): void =>
    leftExported(root, SYSFS_17, { direction: 'out', activeLow: true, level: 1 });

  it('keeps a leftover active_low=1 without the option: every write comes out inverted', async () => {
    leftInverted();
    const pin = new FakeGpio(SYSFS_17, 'low');
    expect(pin.activeLow()).toBe(true);
    expect(pin.level).toBe(0);
    await pin.write(1);
    expect(pin.level).toBe(0);
  });

  it('makes it non-inverted with activeLow: false, driving the level the direction names', async () => {
    leftInverted();
    const pin = new FakeGpio(SYSFS_17, 'low', { activeLow: false });
    expect(pin.activeLow()).toBe(false);
    expect(pin.level).toBe(0);
    await pin.write(1);
    expect(pin.level).toBe(1);
  });

  it('ignores an active_low it may not write, which then stays', () => {
    leftExported(
      root,
      SYSFS_17,
      { direction: 'out', activeLow: true, level: 0 },
      { lockedActiveLow: true },
    );
    const pin = new FakeGpio(SYSFS_17, 'low', { activeLow: false });
    expect(pin.activeLow()).toBe(true);
  });
});

describe('FakeGpio, like onoff, before udev has opened up a new pin', () => {
  let root: string;

  beforeEach(async () => {
    FakeGpio.reset();
    root = await fakeSysfsGpio(PI4_BOOKWORM);
    FakeGpio.sysfsRoot = root;
    FakeGpio.udevDelayMs = Infinity;
  });

  afterEach(() => FakeGpio.reset());

  it('throws EACCES but leaves the pin exported, and opens it once the files are writable', () => {
    expect(() => new FakeGpio(SYSFS_17, 'low', { activeLow: false })).toThrow(
      expect.objectContaining({ code: 'EACCES' }) as Error,
    );
    expect(readPin(root, SYSFS_17).direction).toBe('in');
    grantAccess(root, SYSFS_17);
    const pin = new FakeGpio(SYSFS_17, 'low', { activeLow: false });
    expect(readPin(root, SYSFS_17)).toEqual({ direction: 'out', activeLow: false, level: 0 });
    pin.unexport();
    expect(existsSync(pinFolder(root, SYSFS_17))).toBe(false);
  });
});

describe('real onoff on this machine', () => {
  const onoff = createRequire(__filename)('onoff') as { Gpio: GpioClass };

  it('reports whether sysfs GPIO is usable, matching /sys/class/gpio/export being writable', async () => {
    const { access, constants } = await import('node:fs/promises');
    const writable = await access('/sys/class/gpio/export', constants.W_OK).then(
      () => true,
      () => false,
    );
    expect(onoff.Gpio.accessible).toBe(writable);
  });

  if (onoff.Gpio.accessible && process.env.CAMFEED_TEST_SYSFS_GPIO) {
    // Only on a Pi, with a free pin named by the person running the tests.
    gpioContract('onoff', onoff.Gpio, Number(process.env.CAMFEED_TEST_SYSFS_GPIO));
  }
});
