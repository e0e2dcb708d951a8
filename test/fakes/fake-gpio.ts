import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type {
  BinaryValue,
  GpioDirection,
  GpioOptions,
  GpioPin,
} from '../../src/ir-led/gpio.interface';
import {
  errnoError,
  grantAccess,
  kernelExport,
  kernelStore,
  kernelUnexport,
  pinFolder,
  readPin,
  requireWritable,
  type PinAttribute,
} from '../utils/fake-sysfs';

/**
 * A test double with onoff's Gpio API (constructor, write, read, activeLow, unexport, static
 * accessible) that works on a fake sysfs tree (test/utils/fake-sysfs.ts) the way onoff 6's
 * constructor works on the real one, and records what the code under test wrote. It is checked
 * against the same contract as the real thing (src/ir-led/gpio.contract.spec.ts).
 */
export class FakeGpio implements GpioPin {
  static accessible = true;
  /** Every pin constructed since the last reset, newest last. */
  static instances: FakeGpio[] = [];
  static failWrites = false;
  /** The tree standing in for /sys/class/gpio (onoff's is fixed; a test points this at its own). */
  static sysfsRoot: string | undefined;
  /**
   * How long after an export "udev" takes to make the new pin's files writable: undefined = at
   * once, Infinity = never (a user without the gpio group).
   */
  static udevDelayMs: number | undefined;
  private static udevTimers: NodeJS.Timeout[] = [];

  static reset(): void {
    FakeGpio.accessible = true;
    FakeGpio.instances = [];
    FakeGpio.failWrites = false;
    FakeGpio.sysfsRoot = undefined;
    FakeGpio.udevDelayMs = undefined;
    FakeGpio.udevTimers.forEach(clearTimeout);
    FakeGpio.udevTimers = [];
  }

  static get last(): FakeGpio {
    const pin = FakeGpio.instances.at(-1);
    if (pin === undefined) throw new Error('no FakeGpio was constructed');
    return pin;
  }

  readonly writes: BinaryValue[] = [];
  exported = true;
  private readonly root: string;
  private levelAtUnexport: BinaryValue = 0;

  constructor(
    readonly gpio: number,
    readonly direction: GpioDirection,
    readonly options: GpioOptions = {},
  ) {
    const root = FakeGpio.sysfsRoot;
    if (root === undefined) throw new Error('set FakeGpio.sysfsRoot to a fakeSysfsGpio() tree');
    this.root = root;
    const previouslyExported = existsSync(pinFolder(root, gpio));
    if (!previouslyExported) {
      requireWritable(join(root, 'export'));
      kernelExport(root, gpio, { udevDone: FakeGpio.udevDelayMs === undefined });
      FakeGpio.scheduleUdev(root, gpio);
    }
    // Like onoff's waitForGpioAccessPermission: after its own export it needs every file it is
    // about to write, on a pin exported earlier only value; and it gives up with EACCES.
    const needed: PinAttribute[] = previouslyExported
      ? ['value']
      : ['value', 'direction', 'active_low'];
    for (const attribute of needed) requireWritable(this.file(attribute));
    // Like onoff's configureGpio: on a pin exported earlier, failures are ignored.
    const tolerated = (configure: () => void): void => {
      try {
        configure();
      } catch (error) {
        if (!previouslyExported) throw error;
      }
    };
    if (typeof options.activeLow === 'boolean') {
      const activeLow = options.activeLow;
      tolerated(() => this.store('active_low', activeLow ? '1' : '0'));
    }
    tolerated(() => {
      const requested = direction === 'high' || direction === 'low' ? 'out' : direction;
      if ((options.reconfigureDirection ?? true) || readPin(root, gpio).direction !== requested)
        this.store('direction', direction);
    });
    requireWritable(this.file('value'));
    FakeGpio.instances.push(this);
  }

  /** The electrical level of the pin, what the LED board sees. */
  get level(): BinaryValue {
    return this.exported ? readPin(this.root, this.gpio).level : this.levelAtUnexport;
  }

  async write(value: BinaryValue): Promise<void> {
    if (!this.exported) return Promise.reject(errnoError('EBADF', 'write', this.file('value')));
    if (FakeGpio.failWrites) return Promise.reject(new Error('EIO: i/o error'));
    kernelStore(this.root, this.gpio, 'value', String(value));
    this.writes.push(value);
    return Promise.resolve();
  }

  async read(): Promise<BinaryValue> {
    if (!this.exported) return Promise.reject(errnoError('EBADF', 'read', this.file('value')));
    const { level, activeLow } = readPin(this.root, this.gpio);
    return Promise.resolve((level === 1) !== activeLow ? 1 : 0);
  }

  activeLow(): boolean {
    return readPin(this.root, this.gpio).activeLow;
  }

  unexport(): void {
    if (!this.exported) return;
    this.levelAtUnexport = this.level;
    this.exported = false;
    kernelUnexport(this.root, this.gpio);
  }

  private file(attribute: PinAttribute): string {
    return join(pinFolder(this.root, this.gpio), attribute);
  }

  private store(attribute: PinAttribute, text: string): void {
    requireWritable(this.file(attribute));
    kernelStore(this.root, this.gpio, attribute, text);
  }

  private static scheduleUdev(root: string, gpio: number): void {
    const delay = FakeGpio.udevDelayMs;
    if (delay === undefined || !Number.isFinite(delay)) return;
    const timer = setTimeout(() => {
      if (existsSync(pinFolder(root, gpio))) grantAccess(root, gpio);
    }, delay);
    timer.unref();
    FakeGpio.udevTimers.push(timer);
  }
}
