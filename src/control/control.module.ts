import { Module } from '@nestjs/common';
import { CameraModule } from '../camera/camera.module';
import { IrLedModule } from '../ir-led/ir-led.module';
import { ControlController } from './control.controller';

@Module({
  imports: [CameraModule, IrLedModule],
  controllers: [ControlController],
})
export class ControlModule {}
