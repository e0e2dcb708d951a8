import { Inject, Injectable } from '@nestjs/common';
import { cameraLogger } from '../logging/scoped-logger';
import { SettingsStore } from '../persistence/settings-store.service';
import type { CameraDefinition } from './camera-definition';
import { CameraRuntime } from './camera-runtime';
import { CAMERA_DRIVER_FACTORY, type CameraDriverFactory } from './drivers/camera-driver.factory';

/** Makes the runtime of one camera from its definition. */
@Injectable()
export class CameraFactory {
  constructor(
    @Inject(CAMERA_DRIVER_FACTORY) private readonly drivers: CameraDriverFactory,
    private readonly store: SettingsStore,
  ) {}

  create(definition: CameraDefinition): CameraRuntime {
    return new CameraRuntime(
      definition,
      this.drivers(definition),
      this.store,
      cameraLogger('Camera', definition.id),
    );
  }

  async reconfigure(runtime: CameraRuntime, definition: CameraDefinition): Promise<void> {
    await runtime.reconfigure(definition, this.drivers(definition));
  }
}
