import type { FactoryProvider } from '@nestjs/common';
import { CameraConfig } from '../../config/app-config';
import { CAMERA_DRIVER } from '../camera.constants';
import type { CameraDriver } from '../camera-driver.interface';
import { EmulatedDriver } from './emulated.driver';
import { FfmpegDriver } from './ffmpeg.driver';
import { ImagesDriver } from './images.driver';
import { MjpegRelayDriver } from './mjpeg-relay.driver';
import { RpicamDriver } from './rpicam.driver';

/** Builds only the driver `CAMERA` names, so hardware drivers never load where they cannot run. */
export function createCameraDriver(config: CameraConfig): CameraDriver {
  switch (config.driver) {
    case 'emulated':
      return new EmulatedDriver();
    // Validation guarantees a source for the drivers that need one.
    case 'images':
      return new ImagesDriver(config.source ?? '');
    case 'ffmpeg':
      return new FfmpegDriver({
        source: config.source ?? '',
        format: config.sourceFormat,
        ffmpegPath: config.ffmpegPath,
      });
    case 'pi':
      return new RpicamDriver(config.source);
    case 'mjpeg':
      return new MjpegRelayDriver(config.source ?? '');
    default: {
      const unknown: never = config.driver;
      throw new Error(`Unsupported CAMERA: ${String(unknown)}`);
    }
  }
}

export const cameraDriverProvider: FactoryProvider<CameraDriver> = {
  provide: CAMERA_DRIVER,
  inject: [CameraConfig],
  useFactory: createCameraDriver,
};
