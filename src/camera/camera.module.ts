import { Module } from '@nestjs/common';
import { cameraDriverProvider } from './drivers/camera-driver.provider';
import { FrameProducerService } from './frame-producer.service';

/** The camera: the configured driver, and the one producer that shares its frames. */
@Module({
  providers: [cameraDriverProvider, FrameProducerService],
  exports: [FrameProducerService],
})
export class CameraModule {}
