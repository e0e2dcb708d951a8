import type { BinaryValue, GpioDirection, GpioOptions, GpioPin } from './gpio.interface';

/**
 * A pin that only exists in memory, for IR_LED_DRIVER=simulated: the API, the page and auto mode
 * all work without a Raspberry Pi, and the log shows what a real board would do. It keeps the
 * kernel's polarity rules, so code that passes its tests against it drives a real pin the same way.
 */
export class SimulatedGpio implements GpioPin {
  static readonly accessible = true;
  /** The electrical level. */
  private level: BinaryValue;
  private readonly inverted: boolean;
  private exported = true;

  constructor(
    readonly gpio: number,
    direction: GpioDirection,
    options: GpioOptions = {},
  ) {
    this.inverted = options.activeLow ?? false;
    this.level = direction === 'high' ? 1 : 0;
  }

  async write(value: BinaryValue): Promise<void> {
    if (!this.exported) return Promise.reject(new Error(`GPIO ${this.gpio} is not exported`));
    this.level = this.inverted ? invert(value) : value;
    return Promise.resolve();
  }

  async read(): Promise<BinaryValue> {
    if (!this.exported) return Promise.reject(new Error(`GPIO ${this.gpio} is not exported`));
    return Promise.resolve(this.inverted ? invert(this.level) : this.level);
  }

  activeLow(): boolean {
    return this.inverted;
  }

  unexport(): void {
    this.exported = false;
  }
}

const invert = (value: BinaryValue): BinaryValue => (value === 1 ? 0 : 1);
