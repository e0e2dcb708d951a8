import type { LoggerService } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import type { Redact } from '../../common/redact-secrets';
import { SerialQueue } from '../../common/serial-queue';
import type { SettingsStore } from '../../persistence/settings-store.service';
import type { CameraDriver, DriverCapabilities } from '../drivers/camera-driver.interface';
import { DEFAULT_SETTINGS, SETTINGS_LIMITS } from './settings-limits';
import { findSettingsProblems, fitSettings } from './capabilities';
import {
  type CameraCapabilities,
  type CameraSettings,
  GENERIC_CAPABILITIES,
} from './camera-settings.model';
import { UpdateCameraSettingsDto } from './update-camera-settings.dto';
import { UnsupportedSettingsError } from './unsupported-settings.error';

/** This camera's entry in settings.json. */
const SECTION = 'settings';

/** In one order of keys, so settings compare equal however they were put together. */
const SETTINGS_KEYS = Object.keys(DEFAULT_SETTINGS);
const describe = (settings: CameraSettings): string => JSON.stringify(settings, SETTINGS_KEYS);

export interface CameraSettingsOptions {
  readonly cameraId: string;
  readonly driver: CameraDriver;
  /** The first-run settings from the configuration; saved settings win. */
  readonly defaults: CameraSettings;
  readonly store: SettingsStore;
  readonly logger: LoggerService;
  readonly redact: Redact;
  /** Makes the camera capture with these settings from now on. */
  readonly apply: (settings: CameraSettings) => void;
}

/**
 * One camera's settings: restored from DATA_DIR at start (the configuration only gives first-run
 * defaults), checked against the driver's capabilities, saved atomically and applied live.
 * Updates are applied one at a time, all or nothing.
 */
export class CameraSettingsManager {
  private current: CameraSettings;
  private capabilitiesCache: Promise<CameraCapabilities> | undefined;
  private readonly updates = new SerialQueue();

  constructor(private readonly options: CameraSettingsOptions) {
    this.current = options.defaults;
  }

  get settings(): CameraSettings {
    return this.current;
  }

  /** Takes the saved settings (fitted to what the camera can do) and applies them. */
  async restore(): Promise<void> {
    const restored = { ...this.options.defaults, ...(await this.readSaved()) };
    const fitted = fitSettings(restored, await this.capabilities());
    if (describe(fitted) !== describe(restored)) {
      this.options.logger.warn(
        `Settings ${describe(restored)} are beyond what the "${this.options.driver.name}" camera supports; using ${describe(fitted)}`,
      );
    }
    this.current = fitted;
    this.options.apply(fitted);
  }

  /** The driver's capabilities, asked once; a driver that cannot tell gets generic limits. */
  async capabilities(): Promise<CameraCapabilities> {
    this.capabilitiesCache ??= this.options.driver
      .capabilities()
      .then(withH264Ranges, (error: unknown) => {
        this.options.logger.warn(
          this.options.redact(
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
      await this.options.store.write(this.options.cameraId, SECTION, next);
      const previous = this.current;
      this.current = next;
      if (describe(previous) !== describe(next)) {
        this.options.logger.log(`Camera settings changed to ${describe(next)}`);
        this.options.apply(next);
      }
      return next;
    });
  }

  private async readSaved(): Promise<Partial<CameraSettings>> {
    const saved = await this.options.store.read(this.options.cameraId, SECTION);
    if (saved === undefined) return {};
    const dto = plainToInstance(UpdateCameraSettingsDto, saved);
    const errors = validateSync(dto, { whitelist: true, forbidNonWhitelisted: true });
    if (typeof saved !== 'object' || saved === null || errors.length > 0) {
      const reasons = errors.flatMap((error) => Object.values(error.constraints ?? {}));
      this.options.logger.warn(
        `Saved camera settings in ${this.options.store.path} are invalid (${reasons.join('; ') || 'not an object'}): using the configured defaults`,
      );
      return {};
    }
    return definedOnly(dto as Partial<CameraSettings>);
  }
}

/** The H.264 ranges are the same for every camera: camfeed's encoder, not the camera, sets them. */
const withH264Ranges = (capabilities: DriverCapabilities): CameraCapabilities => ({
  ...capabilities,
  bitrate: SETTINGS_LIMITS.bitrate,
  keyframeInterval: SETTINGS_LIMITS.keyframeInterval,
});

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(value).filter(([, field]) => field !== undefined),
  ) as Partial<T>;
}
