import { Module } from '@nestjs/common';
import { CameraFactory } from './camera.factory';
import { CAMERA_DRIVER_FACTORY, createCameraDriver } from './drivers/camera-driver.factory';

/**
 * One camera's machinery: drivers, the shared producer with its per-client waiter, settings and
 * capabilities. How many cameras there are is the registry's business (cameras/).
 */
@Module({
  providers: [{ provide: CAMERA_DRIVER_FACTORY, useValue: createCameraDriver }, CameraFactory],
  exports: [CameraFactory],
})
export class CameraModule {}
