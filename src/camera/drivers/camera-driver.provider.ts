import type { FactoryProvider } from '@nestjs/common';
import { CameraConfig } from '../../config/app-config';
import { CAMERA_DRIVER } from '../camera.constants';
import type { CameraDriver } from '../camera-driver.interface';
import { EmulatedDriver } from './emulated.driver';
import { ImagesDriver } from './images.driver';

/** Builds only the driver `CAMERA` names, so hardware drivers never load where they cannot run. */
export function createCameraDriver(config: CameraConfig): CameraDriver {
  switch (config.driver) {
    case 'emulated':
      return new EmulatedDriver();
    case 'images':
      // Validation guarantees a source for this driver.
      return new ImagesDriver(config.source ?? '');
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
