import { createRequire } from 'node:module';
import { FakeGpio } from '../../test/fakes/fake-gpio';
import type { GpioClass } from './gpio.interface';
import { SimulatedGpio } from './simulated-gpio';

/**
 * What camfeed relies on from onoff's Gpio (https://github.com/fivdi/onoff#api). The test double
 * and the simulated pin must behave the same way; real onoff is held to it on a machine whose
 * sysfs GPIO is usable, and elsewhere must say so through `accessible`.
 */
function gpioContract(name: string, Gpio: GpioClass, pinNumber: number): void {
  describe(`${name} (the onoff Gpio contract)`, () => {
    it('exposes accessible as a boolean', () => {
      expect(typeof Gpio.accessible).toBe('boolean');
    });

    it('starts an output at the level its direction names', async () => {
      const low = new Gpio(pinNumber, 'low');
      expect(await low.read()).toBe(0);
      low.unexport();
      const high = new Gpio(pinNumber, 'high');
      expect(await high.read()).toBe(1);
      high.unexport();
    });

    it('reads back what was written', async () => {
      const pin = new Gpio(pinNumber, 'out');
      await pin.write(1);
      expect(await pin.read()).toBe(1);
      await pin.write(0);
      expect(await pin.read()).toBe(0);
      pin.unexport();
    });

    it('refuses writes after unexport', async () => {
      const pin = new Gpio(pinNumber, 'low');
      pin.unexport();
      await expect(pin.write(1)).rejects.toThrow();
    });
  });
}

gpioContract('FakeGpio', FakeGpio, 17);
gpioContract('SimulatedGpio', SimulatedGpio, 17);

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
