import { fakeSysfsGpio, PI5_BOOKWORM } from '../../test/utils/fake-sysfs';
import { missingSysfsExport } from './sysfs-gpio-export';

describe(missingSysfsExport.name, () => {
  it('names the kernel option when the folder has chips but no export', async () => {
    const root = await fakeSysfsGpio(PI5_BOOKWORM, { legacy: false });
    expect(await missingSysfsExport(root)).toBe(
      `this kernel has no sysfs GPIO export (CONFIG_GPIO_SYSFS_LEGACY is off): ${root} has no export file. ` +
        'camfeed switches the LEDs through that interface; use a kernel built with CONFIG_GPIO_SYSFS_LEGACY=y',
    );
  });

  it('finds nothing wrong with a kernel that has the export', async () => {
    expect(await missingSysfsExport(await fakeSysfsGpio(PI5_BOOKWORM))).toBeUndefined();
  });

  it('leaves a machine without sysfs GPIO to the other checks', async () => {
    expect(await missingSysfsExport('/nonexistent/gpio')).toBeUndefined();
  });
});
