import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Labels of the Raspberry Pi's main GPIO controller: Pi 5 (RP1), Pi 4, and Pi 1–3/Zero.
 * Since kernel 6.6 (Raspberry Pi OS Bookworm) sysfs numbers start at the chip's base, e.g. 512 on
 * a Pi 4 and 571 on a Pi 5, so BCM 17 is sysfs 529 or 588 (fivdi/onoff#199, #200;
 * raspberrypi/linux#6084). Older kernels use base 0.
 */
const PI_GPIO_CHIP_LABELS = ['pinctrl-rp1', 'pinctrl-bcm2711', 'pinctrl-bcm2835'];

export interface SysfsGpio {
  readonly number: number;
  readonly chip: string;
  readonly base: number;
}

interface Chip {
  readonly name: string;
  readonly label: string;
  readonly base: number;
  readonly ngpio: number;
}

async function readChips(sysfsRoot: string): Promise<Chip[]> {
  let entries: string[];
  try {
    entries = await readdir(sysfsRoot);
  } catch (error) {
    throw new Error(
      `${sysfsRoot} is missing (${(error as NodeJS.ErrnoException).code}): this kernel has no sysfs GPIO`,
      {
        cause: error,
      },
    );
  }
  const chips: Chip[] = [];
  for (const name of entries.filter((entry) => entry.startsWith('gpiochip'))) {
    const read = async (file: string): Promise<string> =>
      (await readFile(join(sysfsRoot, name, file), 'utf8')).trim();
    try {
      chips.push({
        name,
        label: await read('label'),
        base: Number(await read('base')),
        ngpio: Number(await read('ngpio')),
      });
    } catch {
      // A chip that vanished or cannot be read is not the one we want.
    }
  }
  return chips;
}

/** The sysfs number of Raspberry Pi pin `bcm`, found from the main GPIO chip's label and base. */
export async function resolveSysfsGpio(bcm: number, sysfsRoot: string): Promise<SysfsGpio> {
  const chips = await readChips(sysfsRoot);
  for (const label of PI_GPIO_CHIP_LABELS) {
    const chip = chips.find((candidate) => candidate.label === label);
    if (chip === undefined) continue;
    if (bcm >= chip.ngpio)
      throw new Error(`GPIO ${bcm} does not exist on ${label} (it has ${chip.ngpio} lines)`);
    return { number: chip.base + bcm, chip: label, base: chip.base };
  }
  const found =
    chips.map((chip) => `${chip.name} "${chip.label}" (base ${chip.base})`).join(', ') || 'none';
  throw new Error(
    `no Raspberry Pi GPIO chip (${PI_GPIO_CHIP_LABELS.join(', ')}) under ${sysfsRoot}; chips found: ${found}. ` +
      'On other boards set IR_LED_SYSFS_GPIO to the sysfs number of the pin',
  );
}
