/*
 * The part of onoff's API camfeed uses (https://github.com/fivdi/onoff#api), so the real `Gpio`
 * class, the simulated pin and the test double are interchangeable.
 */

export type BinaryValue = 0 | 1;

/** 'high' and 'low' make the pin an output with that level from the start, with no glitch. */
export type GpioDirection = 'out' | 'high' | 'low';

export interface GpioPin {
  write(value: BinaryValue): Promise<void>;
  read(): Promise<BinaryValue>;
  /** Gives the pin back to the kernel (sysfs unexport). */
  unexport(): void;
}

export interface GpioClass {
  new (gpio: number, direction: GpioDirection): GpioPin;
  /** False where sysfs GPIO cannot be used (not a Pi, or no permission). */
  readonly accessible: boolean;
}
