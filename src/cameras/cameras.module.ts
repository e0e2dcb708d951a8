import { Module } from '@nestjs/common';
import { CameraModule } from '../camera/camera.module';
import { IrLedModule } from '../ir-led/ir-led.module';
import { CameraRegistry } from './camera-registry.service';
import { CamerasController } from './cameras.controller';

/** How many cameras there are, which, and the API to list and reload them. */
@Module({
  imports: [CameraModule, IrLedModule],
  controllers: [CamerasController],
  providers: [CameraRegistry],
  exports: [CameraRegistry],
})
export class CamerasModule {}
