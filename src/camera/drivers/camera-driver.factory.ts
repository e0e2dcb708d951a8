import type { CameraDefinition } from '../camera-definition';
import { cameraLogger } from '../../logging/scoped-logger';
import type { CameraDriver } from './camera-driver.interface';
import { EmulatedDriver } from './emulated.driver';
import { FfmpegDriver } from './ffmpeg.driver';
import { ImagesDriver } from './images.driver';
import { MjpegRelayDriver } from './mjpeg-relay.driver';
import { RpicamDriver } from './rpicam.driver';

/** Makes a camera's driver from its definition; tests put a fake in its place. */
export type CameraDriverFactory = (definition: CameraDefinition) => CameraDriver;

/** Injection token of the CameraDriverFactory. */
export const CAMERA_DRIVER_FACTORY = Symbol('CAMERA_DRIVER_FACTORY');

/** Builds only the driver a camera names, so hardware drivers never load where they cannot run. */
export const createCameraDriver: CameraDriverFactory = (definition) => {
  const { id, source } = definition;
  switch (definition.driver) {
    case 'emulated':
      return new EmulatedDriver();
    // Validation guarantees a source for the drivers that need one.
    case 'images':
      return new ImagesDriver(source ?? '');
    case 'ffmpeg':
      return new FfmpegDriver({
        source: source ?? '',
        format: definition.sourceFormat,
        ffmpegPath: definition.ffmpegPath,
        logger: cameraLogger('ffmpeg', id),
      });
    case 'pi':
      return new RpicamDriver(source, cameraLogger('rpicam', id));
    case 'mjpeg':
      return new MjpegRelayDriver(source ?? '', cameraLogger('mjpeg-relay', id));
    default: {
      const unknown: never = definition.driver;
      throw new Error(`Unsupported camera driver: ${String(unknown)}`);
    }
  }
};
