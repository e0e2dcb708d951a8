import { Module } from '@nestjs/common';
import { gpioLoaderProvider } from './gpio-class.provider';
import { IrLedFactory } from './ir-led.factory';

/** One camera's IR night-vision LEDs: a GPIO pin driven through onoff, manual and auto modes. */
@Module({
  providers: [gpioLoaderProvider, IrLedFactory],
  exports: [IrLedFactory],
})
export class IrLedModule {}
