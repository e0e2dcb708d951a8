import type { FactoryProvider } from '@nestjs/common';
import { createRequire } from 'node:module';
import { IrLedConfig } from '../config/app-config';
import { GPIO_CLASS } from './ir-led.constants';
import type { GpioClass } from './gpio.interface';
import { SimulatedGpio } from './simulated-gpio';

/** Stands in when onoff is not installed (it is optional: it only builds on Linux). */
class MissingGpio {
  static readonly accessible = false;
  constructor() {
    throw new Error('the onoff package is not installed');
  }
}

/**
 * onoff is loaded only when GPIO is actually used, so machines without it (macOS, Windows, CI)
 * never touch its native epoll addon.
 */
export function loadGpioClass(config: IrLedConfig): GpioClass {
  if (config.driver === 'simulated') return SimulatedGpio;
  if (config.bcmGpio === undefined && config.sysfsGpio === undefined)
    return MissingGpio as unknown as GpioClass;
  try {
    const onoff = createRequire(__filename)('onoff') as { Gpio: GpioClass };
    return onoff.Gpio;
  } catch {
    return MissingGpio as unknown as GpioClass;
  }
}

export const gpioClassProvider: FactoryProvider<GpioClass> = {
  provide: GPIO_CLASS,
  inject: [IrLedConfig],
  useFactory: loadGpioClass,
};
