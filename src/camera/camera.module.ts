import { Module } from '@nestjs/common';
import { CameraSettingsService } from './camera-settings.service';
import { cameraDriverProvider } from './drivers/camera-driver.provider';
import { FrameProducerService } from './frame-producer.service';

/** The camera: the configured driver, its settings, and the one producer that shares its frames. */
@Module({
  providers: [cameraDriverProvider, FrameProducerService, CameraSettingsService],
  exports: [FrameProducerService, CameraSettingsService],
})
export class CameraModule {}
