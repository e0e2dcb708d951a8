import type { BinaryValue, GpioDirection, GpioPin } from '../../src/ir-led/gpio.interface';

/**
 * A test double with onoff's Gpio API (constructor, write, read, unexport, static accessible)
 * that records what the code under test did to the pin. It is checked against the same contract
 * as the real thing (src/ir-led/gpio.contract.spec.ts).
 */
export class FakeGpio implements GpioPin {
  static accessible = true;
  /** Every pin constructed since the last reset, newest last. */
  static instances: FakeGpio[] = [];
  static failWrites = false;

  static reset(): void {
    FakeGpio.accessible = true;
    FakeGpio.instances = [];
    FakeGpio.failWrites = false;
  }

  static get last(): FakeGpio {
    const pin = FakeGpio.instances.at(-1);
    if (pin === undefined) throw new Error('no FakeGpio was constructed');
    return pin;
  }

  readonly writes: BinaryValue[] = [];
  level: BinaryValue;
  exported = true;

  constructor(
    readonly gpio: number,
    readonly direction: GpioDirection,
  ) {
    this.level = direction === 'high' ? 1 : 0;
    FakeGpio.instances.push(this);
  }

  async write(value: BinaryValue): Promise<void> {
    if (!this.exported)
      return Promise.reject(new Error(`EINVAL: GPIO ${this.gpio} is not exported`));
    if (FakeGpio.failWrites) return Promise.reject(new Error('EIO: i/o error'));
    this.writes.push(value);
    this.level = value;
    return Promise.resolve();
  }

  async read(): Promise<BinaryValue> {
    if (!this.exported)
      return Promise.reject(new Error(`EINVAL: GPIO ${this.gpio} is not exported`));
    return Promise.resolve(this.level);
  }

  unexport(): void {
    this.exported = false;
  }
}
