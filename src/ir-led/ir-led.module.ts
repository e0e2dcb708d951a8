import { Module } from '@nestjs/common';
import { CameraModule } from '../camera/camera.module';
import { gpioClassProvider } from './gpio-class.provider';
import { IrLedService } from './ir-led.service';

/** The IR night-vision LEDs: a GPIO pin driven through onoff, with manual and auto modes. */
@Module({
  imports: [CameraModule],
  providers: [gpioClassProvider, IrLedService],
  exports: [IrLedService],
})
export class IrLedModule {}
