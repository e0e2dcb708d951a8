import { stat } from 'node:fs/promises';
import { join } from 'node:path';

const exists = async (path: string): Promise<boolean> =>
  stat(path).then(
    () => true,
    () => false,
  );

/**
 * Why the pin cannot be exported when `sysfsRoot` is there but its `export` file is not: kernels
 * built without CONFIG_GPIO_SYSFS_LEGACY keep only the per-chip folders. onoff only knows the
 * global export and reports such a kernel as merely not `accessible`, which reads like a
 * permission problem. Undefined when there is no sysfs GPIO at all, or when the export is there.
 */
export async function missingSysfsExport(sysfsRoot: string): Promise<string | undefined> {
  if (!(await exists(sysfsRoot)) || (await exists(join(sysfsRoot, 'export')))) return undefined;
  return (
    `this kernel has no sysfs GPIO export (CONFIG_GPIO_SYSFS_LEGACY is off): ${sysfsRoot} has no export file. ` +
    'camfeed switches the LEDs through that interface; use a kernel built with CONFIG_GPIO_SYSFS_LEGACY=y'
  );
}
