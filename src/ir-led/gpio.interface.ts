/*
 * The part of onoff's API camfeed uses (https://github.com/fivdi/onoff#api), so the real `Gpio`
 * class, the simulated pin and the test double are interchangeable.
 */

export type BinaryValue = 0 | 1;

/**
 * 'high' and 'low' make the pin an output at that electrical level from the start, with no
 * glitch. The kernel sets them as raw levels: active_low does not invert them, only `value`.
 */
export type GpioDirection = 'out' | 'high' | 'low';

export interface GpioOptions {
  /**
   * Writes sysfs `active_low` before the direction. Left out, onoff keeps whatever polarity a pin
   * exported earlier (by another program, or a camfeed that crashed) still has.
   */
  readonly activeLow?: boolean;
  /** Default true: set the direction even when the pin already has it. */
  readonly reconfigureDirection?: boolean;
}

export interface GpioPin {
  write(value: BinaryValue): Promise<void>;
  read(): Promise<BinaryValue>;
  /** Whether `value` is inverted (sysfs `active_low`), as the kernel has it now. */
  activeLow(): boolean;
  /** Gives the pin back to the kernel (sysfs unexport). */
  unexport(): void;
}

export interface GpioClass {
  /**
   * Exports the pin (when not yet exported), waits briefly for its files to become writable, and
   * configures it. Throws (EACCES) when the files stay unwritable: udev sets their group only
   * after the export. onoff's own signature is (gpio, direction, edge?, options?); it takes an
   * object in the edge's place as the options.
   */
  new (gpio: number, direction: GpioDirection, options?: GpioOptions): GpioPin;
  /** False where sysfs GPIO cannot be used (not a Pi, no permission, or no sysfs export). */
  readonly accessible: boolean;
}
