import { Module } from '@nestjs/common';
import { CameraModule } from '../camera/camera.module';
import { ControlController } from './control.controller';

@Module({
  imports: [CameraModule],
  controllers: [ControlController],
})
export class ControlModule {}
