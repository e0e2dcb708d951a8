import { chmodSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface FakeChip {
  readonly name: string;
  readonly label: string;
  readonly base: number;
  readonly ngpio: number;
}

export interface FakeSysfsOptions {
  /**
   * false: a kernel built without CONFIG_GPIO_SYSFS_LEGACY (an option of recent kernels), which
   * has per-chip `chipN` folders but neither `/sys/class/gpio/export` nor `gpiochip<base>`.
   */
  readonly legacy?: boolean;
}

/** A /sys/class/gpio look-alike: one gpiochipN folder with label, base and ngpio per chip. */
export async function fakeSysfsGpio(
  chips: FakeChip[],
  { legacy = true }: FakeSysfsOptions = {},
): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'camfeed-sysfs-'));
  if (!legacy) {
    for (const [index, chip] of chips.entries()) {
      const folder = join(root, `chip${index}`);
      await mkdir(folder);
      await writeFile(join(folder, 'label'), `${chip.label}\n`);
      await writeFile(join(folder, 'ngpio'), `${chip.ngpio}\n`);
      await writeFile(join(folder, 'export'), '');
      await writeFile(join(folder, 'unexport'), '');
    }
    return root;
  }
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

/*
 * The kernel's side of an exported pin, after drivers/gpio/gpiolib-sysfs.c: `direction` takes
 * in, out, low or high, the last three setting the raw electrical level; `value` is that level
 * inverted when `active_low` is 1, and writing `active_low` leaves the level alone. A test runs
 * as the files' owner (often as root, whom file modes do not stop), so "writable" is the owner's
 * write bit, checked by the code that plays the user side.
 */

export type PinAttribute = 'direction' | 'value' | 'active_low';
const ATTRIBUTES: PinAttribute[] = ['direction', 'value', 'active_low'];

export interface FakePin {
  readonly direction: 'in' | 'out';
  readonly activeLow: boolean;
  /** The electrical level, what the LED board sees. */
  readonly level: 0 | 1;
}

export const pinFolder = (root: string, gpio: number): string => join(root, `gpio${gpio}`);

export function errnoError(code: string, syscall: string, path: string): NodeJS.ErrnoException {
  const messages: Record<string, string> = {
    EACCES: 'permission denied',
    ENOENT: 'no such file or directory',
    EPERM: 'operation not permitted',
    EINVAL: 'invalid argument',
    EBADF: 'bad file descriptor',
  };
  return Object.assign(new Error(`${code}: ${messages[code] ?? code}, ${syscall} '${path}'`), {
    code,
    syscall,
    path,
  });
}

/** What opening `file` for writing would do to the user side. */
export function requireWritable(file: string): void {
  let mode: number;
  try {
    mode = statSync(file).mode;
  } catch {
    throw errnoError('ENOENT', 'open', file);
  }
  if ((mode & 0o200) === 0) throw errnoError('EACCES', 'open', file);
}

export function readPin(root: string, gpio: number): FakePin {
  const read = (attribute: PinAttribute): string =>
    readFileSync(join(pinFolder(root, gpio), attribute), 'utf8').trim();
  const activeLow = read('active_low') !== '0';
  const value = read('value') === '1';
  return {
    direction: read('direction') === 'out' ? 'out' : 'in',
    activeLow,
    level: value !== activeLow ? 1 : 0,
  };
}

/** Writes the files as the kernel would show them, keeping their modes. */
function writePin(root: string, gpio: number, pin: FakePin): void {
  const value = (pin.level === 1) !== pin.activeLow ? '1' : '0';
  const contents: Record<PinAttribute, string> = {
    direction: pin.direction,
    value,
    active_low: pin.activeLow ? '1' : '0',
  };
  for (const attribute of ATTRIBUTES) {
    const file = join(pinFolder(root, gpio), attribute);
    const mode = statSync(file).mode & 0o777;
    chmodSync(file, mode | 0o200);
    writeFileSync(file, `${contents[attribute]}\n`);
    chmodSync(file, mode);
  }
}

function createPin(root: string, gpio: number, pin: FakePin, mode: number): void {
  const folder = pinFolder(root, gpio);
  mkdirSync(folder);
  for (const attribute of ATTRIBUTES) writeFileSync(join(folder, attribute), '');
  writePin(root, gpio, pin);
  for (const attribute of ATTRIBUTES) chmodSync(join(folder, attribute), mode);
}

/**
 * `echo N > export`: a new gpioN folder, an input, not inverted. Its files are the owner's only
 * (read-only for the user side) until udev runs: `grantAccess`.
 */
export function kernelExport(root: string, gpio: number, { udevDone = true } = {}): void {
  createPin(root, gpio, { direction: 'in', activeLow: false, level: 0 }, udevDone ? 0o664 : 0o444);
}

export function kernelUnexport(root: string, gpio: number): void {
  rmSync(pinFolder(root, gpio), { recursive: true, force: true });
}

/** What the Raspberry Pi OS udev rule does after an export: the gpio group may write the files. */
export function grantAccess(root: string, gpio: number): void {
  for (const attribute of ATTRIBUTES) chmodSync(join(pinFolder(root, gpio), attribute), 0o664);
}

/** A write to an attribute, with the kernel's meaning (the caller checks permissions). */
export function kernelStore(
  root: string,
  gpio: number,
  attribute: PinAttribute,
  text: string,
): void {
  const path = join(pinFolder(root, gpio), attribute);
  const pin = readPin(root, gpio);
  const input = text.trim();
  if (attribute === 'direction') {
    if (input === 'in') return writePin(root, gpio, { ...pin, direction: 'in' });
    if (!['out', 'low', 'high'].includes(input)) throw errnoError('EINVAL', 'write', path);
    return writePin(root, gpio, { ...pin, direction: 'out', level: input === 'high' ? 1 : 0 });
  }
  if (attribute === 'active_low') return writePin(root, gpio, { ...pin, activeLow: input !== '0' });
  if (pin.direction !== 'out') throw errnoError('EPERM', 'write', path);
  writePin(root, gpio, { ...pin, level: (input !== '0') !== pin.activeLow ? 1 : 0 });
}

/**
 * A pin another program (or a camfeed that crashed) exported and left as it was.
 * `lockedActiveLow`: its active_low file is not writable for camfeed.
 */
export function leftExported(
  root: string,
  gpio: number,
  pin: FakePin,
  { lockedActiveLow = false } = {},
): void {
  createPin(root, gpio, pin, 0o664);
  if (lockedActiveLow) chmodSync(join(pinFolder(root, gpio), 'active_low'), 0o444);
}
