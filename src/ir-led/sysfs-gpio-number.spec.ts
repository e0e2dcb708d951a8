import {
  fakeSysfsGpio,
  PI3_OLD_KERNEL,
  PI4_BOOKWORM,
  PI5_BOOKWORM,
} from '../../test/utils/fake-sysfs';
import { resolveSysfsGpio } from './sysfs-gpio-number';

describe(resolveSysfsGpio.name, () => {
  it('adds the Pi 4 main chip base on Bookworm: BCM 17 is sysfs 529', async () => {
    const root = await fakeSysfsGpio(PI4_BOOKWORM);
    expect(await resolveSysfsGpio(17, root)).toEqual({
      number: 529,
      chip: 'pinctrl-bcm2711',
      base: 512,
    });
  });

  it('finds the Pi 5 RP1 chip among the others: BCM 17 is sysfs 588', async () => {
    const root = await fakeSysfsGpio(PI5_BOOKWORM);
    expect(await resolveSysfsGpio(17, root)).toEqual({
      number: 588,
      chip: 'pinctrl-rp1',
      base: 571,
    });
  });

  it('keeps the plain BCM number on older kernels whose chip starts at 0', async () => {
    const root = await fakeSysfsGpio(PI3_OLD_KERNEL);
    expect(await resolveSysfsGpio(4, root)).toEqual({
      number: 4,
      chip: 'pinctrl-bcm2835',
      base: 0,
    });
  });

  it('refuses a pin the chip does not have', async () => {
    const root = await fakeSysfsGpio(PI5_BOOKWORM);
    await expect(resolveSysfsGpio(54, root)).rejects.toThrow(
      'GPIO 54 does not exist on pinctrl-rp1 (it has 54 lines)',
    );
  });

  it('names the chips it found and the override when no Raspberry Pi chip is there', async () => {
    const root = await fakeSysfsGpio([
      { name: 'gpiochip0', label: 'sunxi-pinctrl', base: 0, ngpio: 224 },
    ]);
    await expect(resolveSysfsGpio(17, root)).rejects.toThrow(
      /no Raspberry Pi GPIO chip .* chips found: gpiochip0 "sunxi-pinctrl" \(base 0\)\. On other boards set IR_LED_SYSFS_GPIO/,
    );
  });

  it('explains a kernel without sysfs GPIO', async () => {
    await expect(resolveSysfsGpio(17, '/nonexistent/gpio')).rejects.toThrow(
      '/nonexistent/gpio is missing (ENOENT)',
    );
  });
});
