import type { FactoryProvider } from '@nestjs/common';
import { createRequire } from 'node:module';
import { GPIO_LOADER } from './ir-led.constants';
import type { GpioClass } from './gpio.interface';

/** Stands in when onoff is not installed (it is optional: it only builds on Linux). */
class MissingGpio {
  static readonly accessible = false;
  constructor() {
    throw new Error('the onoff package is not installed');
  }
}

/** Gives the onoff-compatible Gpio class of real pins; loads it on first use only. */
export type GpioLoader = () => GpioClass;

/**
 * onoff is loaded only when a camera actually drives a real pin, so machines without it (macOS,
 * Windows, CI) never touch its native epoll addon.
 */
export function onoffLoader(): GpioLoader {
  let loaded: GpioClass | undefined;
  return () => {
    if (loaded !== undefined) return loaded;
    try {
      loaded = (createRequire(__filename)('onoff') as { Gpio: GpioClass }).Gpio;
    } catch {
      loaded = MissingGpio as unknown as GpioClass;
    }
    return loaded;
  };
}

export const gpioLoaderProvider: FactoryProvider<GpioLoader> = {
  provide: GPIO_LOADER,
  useFactory: onoffLoader,
};
