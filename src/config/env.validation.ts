import { plainToInstance } from 'class-transformer';
import { IsOptional, validateSync, ValidateIf } from 'class-validator';
import { CAMERA_DRIVER_NAMES, type CameraDriverName } from '../camera/camera.constants';
import { EnvEnum, EnvInt, EnvNumber, EnvString } from './env-decorators';

/**
 * Every environment variable camfeed reads, with its default. This class and `.env.example`
 * list the same variables; README documents them.
 */
export class EnvironmentVariables {
  @EnvInt(0, 65535)
  PORT = 8080;

  @EnvString(/^[^\s/]+$/, 'a host name or IP address to listen on, such as 0.0.0.0 or 127.0.0.1')
  HOST = '0.0.0.0';

  @EnvEnum(CAMERA_DRIVER_NAMES)
  CAMERA: CameraDriverName = 'emulated';

  @ValidateIf(
    (env: EnvironmentVariables) => env.CAMERA === 'images' || env.CAMERA_SOURCE !== undefined,
  )
  @EnvString(/\S/, 'set to the camera source (for CAMERA=images: a folder of .jpg files)')
  CAMERA_SOURCE?: string;

  @EnvInt(16, 8192)
  CAMERA_WIDTH = 640;

  @EnvInt(16, 8192)
  CAMERA_HEIGHT = 480;

  @EnvNumber(0.1, 120)
  CAMERA_FRAMERATE = 30;

  @EnvInt(1, 100)
  CAMERA_QUALITY = 80;

  @EnvNumber(0, 86400)
  CAMERA_IDLE_TIMEOUT = 10;

  @EnvNumber(1, 3600)
  STREAM_DRAIN_TIMEOUT = 15;

  @EnvNumber(0.5, 60)
  SNAPSHOT_TIMEOUT = 5;

  @IsOptional()
  @EnvString(/^(development|production|test)$/, 'one of: development, production, test')
  NODE_ENV?: string;
}

export class EnvValidationError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid environment:\n  ${problems.join('\n  ')}`);
    this.name = 'EnvValidationError';
  }
}

const quote = (value: unknown): string => JSON.stringify(String(value));

/**
 * Validates the raw environment once, at boot. Empty values count as unset, so a copied
 * `.env.example` with blank optional lines boots with the defaults.
 */
export function validateEnv(raw: Record<string, unknown>): EnvironmentVariables {
  const known = new Set(Object.keys(new EnvironmentVariables()).concat('CAMERA_SOURCE'));
  const present: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (!known.has(key)) continue;
    if (typeof value === 'string' && value.trim() === '') continue;
    present[key] = value;
  }
  const env = plainToInstance(EnvironmentVariables, present, { exposeDefaultValues: true });
  const errors = validateSync(env, { skipMissingProperties: false });
  if (errors.length > 0) {
    throw new EnvValidationError(
      errors.map((error) => {
        const messages = Object.values(error.constraints ?? {});
        const unique = [...new Set(messages)].join('; ');
        const got = error.property in present ? ` (got ${quote(present[error.property])})` : '';
        return `${unique}${got}`;
      }),
    );
  }
  return env;
}
