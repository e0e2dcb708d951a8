import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface FakeChip {
  readonly name: string;
  readonly label: string;
  readonly base: number;
  readonly ngpio: number;
}

/** A /sys/class/gpio look-alike: one gpiochipN folder with label, base and ngpio per chip. */
export async function fakeSysfsGpio(chips: FakeChip[]): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'camfeed-sysfs-'));
  await writeFile(join(root, 'export'), '');
  await writeFile(join(root, 'unexport'), '');
  for (const chip of chips) {
    const folder = join(root, chip.name);
    await mkdir(folder);
    await writeFile(join(folder, 'label'), `${chip.label}\n`);
    await writeFile(join(folder, 'base'), `${chip.base}\n`);
    await writeFile(join(folder, 'ngpio'), `${chip.ngpio}\n`);
  }
  return root;
}

/** Layouts reported on Raspberry Pi OS Bookworm (kernel 6.6+), see field notes §3a. */
export const PI4_BOOKWORM: FakeChip[] = [
  { name: 'gpiochip512', label: 'pinctrl-bcm2711', base: 512, ngpio: 58 },
  { name: 'gpiochip570', label: 'raspberrypi-exp-gpio', base: 570, ngpio: 8 },
];
export const PI5_BOOKWORM: FakeChip[] = [
  { name: 'gpiochip512', label: 'gpio-brcmstb@107d508500', base: 512, ngpio: 32 },
  { name: 'gpiochip544', label: 'gpio-brcmstb@107d508520', base: 544, ngpio: 27 },
  { name: 'gpiochip571', label: 'pinctrl-rp1', base: 571, ngpio: 54 },
];
export const PI3_OLD_KERNEL: FakeChip[] = [
  { name: 'gpiochip0', label: 'pinctrl-bcm2835', base: 0, ngpio: 54 },
  { name: 'gpiochip504', label: 'raspberrypi-exp-gpio', base: 504, ngpio: 8 },
];
