import { redactUrls } from '../common/redact-secrets';
import type { LoggerService } from '@nestjs/common';
import type { SettingsStore } from '../persistence/settings-store.service';
import type { CameraDefinition } from './camera-definition';
import type { CameraDriver } from './drivers/camera-driver.interface';
import { H264Stream } from './h264/h264-stream';
import type { CameraStatusResponse } from './producer/camera-status';
import { FrameProducer } from './producer/frame-producer';
import { CameraSettingsManager } from './settings/camera-settings';

/**
 * One camera at work: its driver, the producer that shares its frames, and its settings. Made
 * by CameraFactory; the registry in cameras/ decides how many there are.
 */
export class CameraRuntime {
  readonly producer: FrameProducer;
  /** H.264 for WebRTC viewers, encoded from the same frames: the device is opened once. */
  readonly h264: H264Stream;
  private manager: CameraSettingsManager;

  constructor(
    private definitionValue: CameraDefinition,
    driver: CameraDriver,
    private readonly store: SettingsStore,
    private readonly logger: LoggerService,
  ) {
    this.producer = new FrameProducer({
      driver,
      settings: definitionValue.defaults,
      idleTimeoutMs: definitionValue.idleTimeoutMs,
      stallTimeoutMs: definitionValue.stallTimeoutMs,
      logger,
    });
    this.h264 = new H264Stream({
      producer: this.producer,
      ffmpegPath: definitionValue.ffmpegPath,
      settings: () => this.producer.currentSettings,
      idleTimeoutMs: definitionValue.idleTimeoutMs,
      logger,
      redact: driver.redact,
    });
    this.manager = this.settingsFor(definitionValue, driver);
  }

  get definition(): CameraDefinition {
    return this.definitionValue;
  }

  get settings(): CameraSettingsManager {
    return this.manager;
  }

  /** What GET /cameras/:id/status answers. */
  status(): CameraStatusResponse {
    return { ...this.producer.status(), h264: this.h264.status() };
  }

  /** A change that needs no restart (the display name). */
  rename(definition: CameraDefinition): void {
    this.definitionValue = definition;
  }

  /** Restores the saved settings; the driver itself starts with the first viewer. */
  async start(): Promise<void> {
    await this.manager.restore();
  }

  /**
   * Another description of the same camera (reloaded cameras file): the driver is replaced and
   * the camera restarts if it runs, while its viewers stay connected.
   */
  async reconfigure(definition: CameraDefinition, driver: CameraDriver): Promise<void> {
    this.definitionValue = definition;
    this.manager = this.settingsFor(definition, driver);
    this.producer.reconfigure({
      driver,
      settings: this.producer.currentSettings,
      idleTimeoutMs: definition.idleTimeoutMs,
      stallTimeoutMs: definition.stallTimeoutMs,
    });
    this.h264.restart();
    await this.manager.restore();
  }

  async destroy(): Promise<void> {
    await this.h264.destroy();
    await this.producer.destroy();
  }

  private settingsFor(definition: CameraDefinition, driver: CameraDriver): CameraSettingsManager {
    return new CameraSettingsManager({
      cameraId: definition.id,
      driver,
      defaults: definition.defaults,
      store: this.store,
      logger: this.logger,
      redact: driver.redact ?? redactUrls,
      apply: (settings) => {
        this.producer.applySettings(settings);
        // Bitrate and keyframe interval are the encoder's; a new size needs a new encoder too.
        this.h264.restart();
      },
    });
  }
}
