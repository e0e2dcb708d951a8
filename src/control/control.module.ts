import { Module } from '@nestjs/common';
import { CamerasModule } from '../cameras/cameras.module';
import { ControlController } from './control.controller';

/** Each camera's REST API: settings, capabilities, status and IR LEDs. */
@Module({
  imports: [CamerasModule],
  controllers: [ControlController],
})
export class ControlModule {}
