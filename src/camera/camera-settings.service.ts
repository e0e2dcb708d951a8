import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { redactUrls } from '../common/redact-secrets';
import { SerialQueue } from '../common/serial-queue';
import { CameraConfig } from '../config/app-config';
import { SettingsStore } from '../persistence/settings-store.service';
import { CAMERA_DRIVER } from './camera.constants';
import { findSettingsProblems, fitSettings } from './camera-capabilities';
import type { CameraCapabilities, CameraDriver, CameraSettings } from './camera-driver.interface';
import { UpdateCameraSettingsDto } from './dto/update-camera-settings.dto';
import { UnsupportedSettingsError } from './errors/unsupported-settings.error';
import { FrameProducerService } from './frame-producer.service';

const SECTION = 'camera';

/** What any camera may be asked for, used when a driver cannot tell what it supports. */
const GENERIC_CAPABILITIES: CameraCapabilities = {
  sizes: { kind: 'range', width: { min: 16, max: 8192 }, height: { min: 16, max: 8192 } },
  framerate: { min: 0.1, max: 120 },
  quality: { min: 1, max: 100 },
  rotations: [0, 90, 180, 270],
  flips: true,
};

const describe = (settings: CameraSettings): string => JSON.stringify(settings);

/**
 * The camera's settings: restored from DATA_DIR at boot (the environment only gives first-run
 * defaults), checked against the driver's capabilities, saved atomically and applied live.
 * Updates are applied one at a time, all or nothing.
 */
@Injectable()
export class CameraSettingsService implements OnModuleInit {
  private readonly logger = new Logger(CameraSettingsService.name);
  private current: CameraSettings;
  private capabilitiesCache: Promise<CameraCapabilities> | undefined;
  private readonly updates = new SerialQueue();

  constructor(
    @Inject(CAMERA_DRIVER) private readonly driver: CameraDriver,
    private readonly config: CameraConfig,
    private readonly store: SettingsStore,
    private readonly producer: FrameProducerService,
  ) {
    this.current = config.defaults;
  }

  get settings(): CameraSettings {
    return this.current;
  }

  async onModuleInit(): Promise<void> {
    const restored = { ...this.config.defaults, ...(await this.readSaved()) };
    const fitted = fitSettings(restored, await this.capabilities());
    if (describe(fitted) !== describe(restored)) {
      this.logger.warn(
        `Settings ${describe(restored)} are beyond what the "${this.driver.name}" camera supports; using ${describe(fitted)}`,
      );
    }
    this.current = fitted;
    this.producer.applySettings(fitted);
  }

  /** The driver's capabilities, asked once; a driver that cannot tell gets generic limits. */
  async capabilities(): Promise<CameraCapabilities> {
    this.capabilitiesCache ??= this.driver.capabilities().catch((error: unknown) => {
      const redact = this.driver.redact ?? redactUrls;
      this.logger.warn(
        redact(
          `Cannot read the camera's capabilities (${(error as Error).message}); assuming generic limits`,
        ),
      );
      this.capabilitiesCache = undefined;
      return GENERIC_CAPABILITIES;
    });
    return this.capabilitiesCache;
  }

  /** Checks, saves and applies `patch`; rejects without changing anything if any step fails. */
  async update(patch: Partial<CameraSettings>): Promise<CameraSettings> {
    return this.updates.run(async () => {
      const next: CameraSettings = { ...this.current, ...definedOnly(patch) };
      const capabilities = await this.capabilities();
      const changed = new Set(Object.keys(definedOnly(patch)) as Array<keyof CameraSettings>);
      const problems = findSettingsProblems(next, capabilities, changed);
      if (problems.length > 0) throw new UnsupportedSettingsError(problems, capabilities);
      await this.store.write(SECTION, next);
      const previous = this.current;
      this.current = next;
      if (describe(previous) !== describe(next)) {
        this.logger.log(`Camera settings changed to ${describe(next)}`);
        this.producer.applySettings(next);
      }
      return next;
    });
  }

  private async readSaved(): Promise<Partial<CameraSettings>> {
    const saved = await this.store.read(SECTION);
    if (saved === undefined) return {};
    const dto = plainToInstance(UpdateCameraSettingsDto, saved);
    const errors = validateSync(dto, { whitelist: true, forbidNonWhitelisted: true });
    if (typeof saved !== 'object' || saved === null || errors.length > 0) {
      const reasons = errors.flatMap((error) => Object.values(error.constraints ?? {}));
      this.logger.warn(
        `Saved camera settings in ${this.store.path} are invalid (${reasons.join('; ') || 'not an object'}): using the configured defaults`,
      );
      return {};
    }
    return definedOnly(dto as Partial<CameraSettings>);
  }
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(value).filter(([, field]) => field !== undefined),
  ) as Partial<T>;
}
