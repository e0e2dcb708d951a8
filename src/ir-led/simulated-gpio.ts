import type { BinaryValue, GpioDirection, GpioPin } from './gpio.interface';

/**
 * A pin that only exists in memory, for IR_LED_DRIVER=simulated: the API, the page and auto mode
 * all work without a Raspberry Pi, and the log shows what a real board would do.
 */
export class SimulatedGpio implements GpioPin {
  static readonly accessible = true;
  private level: BinaryValue;
  private exported = true;

  constructor(
    readonly gpio: number,
    direction: GpioDirection,
  ) {
    this.level = direction === 'high' ? 1 : 0;
  }

  async write(value: BinaryValue): Promise<void> {
    if (!this.exported) return Promise.reject(new Error(`GPIO ${this.gpio} is not exported`));
    this.level = value;
    return Promise.resolve();
  }

  async read(): Promise<BinaryValue> {
    if (!this.exported) return Promise.reject(new Error(`GPIO ${this.gpio} is not exported`));
    return Promise.resolve(this.level);
  }

  unexport(): void {
    this.exported = false;
  }
}
