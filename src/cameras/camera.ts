import type { CameraDefinition } from '../camera/camera-definition';
import type { CameraRuntime } from '../camera/camera-runtime';
import type { FrameProducer } from '../camera/producer/frame-producer';
import type { CameraSettingsManager } from '../camera/settings/camera-settings';
import type { IrLed } from '../ir-led/ir-led';

/** One camera of the registry: its runtime (driver, producer, settings) and its IR LEDs. */
export class Camera {
  constructor(
    readonly runtime: CameraRuntime,
    public irLed: IrLed,
  ) {}

  get id(): string {
    return this.runtime.definition.id;
  }

  get name(): string {
    return this.runtime.definition.name;
  }

  get definition(): CameraDefinition {
    return this.runtime.definition;
  }

  get producer(): FrameProducer {
    return this.runtime.producer;
  }

  get settings(): CameraSettingsManager {
    return this.runtime.settings;
  }

  async destroy(): Promise<void> {
    await this.irLed.destroy();
    await this.runtime.destroy();
  }
}
