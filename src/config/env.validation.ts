import { plainToInstance } from 'class-transformer';
import {
  IsOptional,
  MinLength,
  registerDecorator,
  validateSync,
  ValidateIf,
  type ValidationArguments,
} from 'class-validator';
import { CAMERA_DRIVER_NAMES, type CameraDriverName } from '../camera/camera.constants';
import { ROTATIONS, type Rotation } from '../camera/camera-driver.interface';
import { IR_LED_DRIVER_NAMES, type IrLedDriverName } from '../ir-led/ir-led.constants';
import {
  LOG_FORMATS,
  LOG_LEVELS,
  type LogFormat,
  type LogLevel,
} from '../logging/logging.constants';
import {
  EnvBoolean,
  EnvEnum,
  EnvInt,
  EnvNumber,
  EnvNumberChoice,
  EnvParsed,
  EnvString,
} from './env-decorators';

import { accessSync, constants, statSync } from 'node:fs';
import { parseCorsOrigins } from '../auth/cors-origins';
import { redactSecrets } from '../common/redact-secrets';
import { isHostValue, parseTrustProxy } from './network-values';

/** The path, if it names an executable file (checked once, at start). */
function executableFile(path: string): string | undefined {
  try {
    if (!statSync(path).isFile()) return undefined;
    accessSync(path, constants.X_OK);
    return path;
  } catch {
    return undefined;
  }
}

/** Drivers that cannot run without a CAMERA_SOURCE. */
const SOURCE_REQUIRED = new Set<string>(['images', 'ffmpeg', 'mjpeg']);

/** What CAMERA_SOURCE must look like for the drivers that give it a fixed meaning. */
function SourceFitsCamera(): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'sourceFitsCamera',
      target: target.constructor,
      propertyName: String(propertyName),
      options: {
        message: (args: ValidationArguments) =>
          (args.object as EnvironmentVariables).CAMERA === 'pi'
            ? 'CAMERA_SOURCE must be the camera index (0, 1, ...) when CAMERA=pi'
            : 'CAMERA_SOURCE must be the http:// or https:// URL of an MJPEG stream when CAMERA=mjpeg',
      },
      validator: {
        validate: (value: unknown, args: ValidationArguments) => {
          if (typeof value !== 'string') return true;
          const camera = (args.object as EnvironmentVariables).CAMERA;
          if (camera === 'pi') return /^\d+$/.test(value);
          if (camera !== 'mjpeg') return true;
          try {
            return ['http:', 'https:'].includes(new URL(value).protocol);
          } catch {
            return false;
          }
        },
      },
    });
}

/** The dark threshold must stay below the bright one, or auto mode could never settle. */
function GreaterThanProperty(other: string): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'greaterThanProperty',
      target: target.constructor,
      propertyName: String(propertyName),
      constraints: [other],
      options: { message: `$property must be greater than ${other}` },
      validator: {
        validate: (value: unknown, args: ValidationArguments) =>
          typeof value === 'number' &&
          value > ((args.object as Record<string, unknown>)[other] as number),
      },
    });
}

/**
 * Every environment variable camfeed reads, with its default. This class and `.env.example`
 * list the same variables; README documents them.
 */
export class EnvironmentVariables {
  @EnvInt(0, 65535)
  PORT = 8080;

  @EnvParsed(
    (value) => (isHostValue(value) ? value : undefined),
    'a host name or IP address to listen on, such as 0.0.0.0, :: or 127.0.0.1',
  )
  HOST = '0.0.0.0';

  @EnvParsed(
    parseTrustProxy,
    'false, true, a hop count, or proxy names, addresses and subnets such as loopback or 10.0.0.0/8',
  )
  TRUST_PROXY = 'false';

  @EnvEnum(CAMERA_DRIVER_NAMES)
  CAMERA: CameraDriverName = 'emulated';

  @ValidateIf(
    (env: EnvironmentVariables) =>
      SOURCE_REQUIRED.has(env.CAMERA) || env.CAMERA_SOURCE !== undefined,
  )
  @EnvString(
    /\S/,
    'set to the camera source (images: a folder of .jpg files; ffmpeg: a device, URL, file or lavfi graph; mjpeg: the stream URL)',
  )
  @SourceFitsCamera()
  CAMERA_SOURCE?: string;

  @IsOptional()
  @EnvString(/^[\w-]+$/, 'an ffmpeg input format name, such as v4l2, lavfi or x11grab')
  CAMERA_SOURCE_FORMAT?: string;

  @IsOptional()
  @EnvParsed(executableFile, 'the path of an executable ffmpeg program')
  FFMPEG_PATH?: string;

  @EnvInt(16, 8192)
  CAMERA_WIDTH = 640;

  @EnvInt(16, 8192)
  CAMERA_HEIGHT = 480;

  @EnvNumber(0.1, 120)
  CAMERA_FRAMERATE = 30;

  @EnvInt(1, 100)
  CAMERA_QUALITY = 80;

  @EnvNumberChoice(ROTATIONS)
  CAMERA_ROTATION: Rotation = 0;

  @EnvBoolean()
  CAMERA_HFLIP = false;

  @EnvBoolean()
  CAMERA_VFLIP = false;

  @EnvNumber(0, 86400)
  CAMERA_IDLE_TIMEOUT = 10;

  @EnvNumber(1, 3600)
  CAMERA_STALL_TIMEOUT = 10;

  @EnvString(/\S/, 'a folder path')
  DATA_DIR = './data';

  @IsOptional()
  @EnvString(/^\S+$/, 'a token without spaces, at least 12 characters long')
  @MinLength(12, {
    message: 'API_TOKEN must be a token without spaces, at least 12 characters long',
  })
  API_TOKEN?: string;

  @EnvEnum(IR_LED_DRIVER_NAMES)
  IR_LED_DRIVER: IrLedDriverName = 'gpio';

  @IsOptional()
  @EnvInt(0, 53)
  IR_LED_GPIO?: number;

  @IsOptional()
  @EnvInt(0, 100000)
  IR_LED_SYSFS_GPIO?: number;

  @EnvBoolean()
  IR_LED_ACTIVE_LOW = false;

  @EnvInt(0, 255)
  IR_LED_AUTO_ON_BELOW = 50;

  @EnvInt(0, 255)
  @GreaterThanProperty('IR_LED_AUTO_ON_BELOW')
  IR_LED_AUTO_OFF_ABOVE = 90;

  @EnvNumber(0, 3600)
  IR_LED_AUTO_HOLD = 10;

  @EnvNumber(1, 3600)
  STREAM_DRAIN_TIMEOUT = 15;

  @EnvNumber(0.5, 60)
  SNAPSHOT_TIMEOUT = 5;

  @EnvInt(0, 100000)
  MAX_CLIENTS = 1000;

  @EnvInt(1, 10000)
  CONTROL_RATE_LIMIT = 60;

  @EnvBoolean()
  STREAM_AUTH = false;

  @ValidateIf((env: EnvironmentVariables) => env.STREAM_AUTH || env.STREAM_USERNAME !== undefined)
  @EnvString(/^[^:\s]+$/, 'set to a user name without spaces or colons when STREAM_AUTH is on')
  STREAM_USERNAME?: string;

  @ValidateIf((env: EnvironmentVariables) => env.STREAM_AUTH || env.STREAM_PASSWORD !== undefined)
  @EnvString(
    /^\S{8,}$/,
    'set to a password of at least 8 characters, without spaces, when STREAM_AUTH is on',
  )
  STREAM_PASSWORD?: string;

  @IsOptional()
  @EnvString(/^\S{32,}$/, 'a random string of at least 32 characters')
  STREAM_TOKEN_SECRET?: string;

  @EnvInt(60, 31_536_000)
  STREAM_TOKEN_TTL = 3600;

  @ValidateIf(
    (env: EnvironmentVariables) => env.TLS_KEY !== undefined || env.TLS_CERT !== undefined,
  )
  @EnvString(/\S/, 'the path of a PEM certificate (chain), set together with TLS_KEY')
  TLS_CERT?: string;

  @ValidateIf(
    (env: EnvironmentVariables) => env.TLS_CERT !== undefined || env.TLS_KEY !== undefined,
  )
  @EnvString(/\S/, 'the path of the PEM private key, set together with TLS_CERT')
  TLS_KEY?: string;

  @IsOptional()
  @EnvParsed(
    parseCorsOrigins,
    '* or a list of origins such as https://mainsail.local,http://192.168.1.20 (scheme, host and port; no path)',
  )
  CORS_ORIGINS?: string;

  @EnvEnum(LOG_LEVELS)
  LOG_LEVEL: LogLevel = 'info';

  @EnvEnum(LOG_FORMATS)
  LOG_FORMAT: LogFormat = 'pretty';

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

/** Never echoed back, not even when wrong: the message may end up in a log or a terminal. */
const SECRET_VARIABLES = new Set(['API_TOKEN', 'STREAM_PASSWORD', 'STREAM_TOKEN_SECRET']);

/** What a bad value is shown as: secrets not at all, a camera URL without its password. */
function shownValue(name: string, value: unknown): string {
  if (SECRET_VARIABLES.has(name)) return '';
  return ` (got ${quote(redactSecrets(String(value)))})`;
}

/**
 * Validates the raw environment once, at boot. Empty values count as unset, so a copied
 * `.env.example` with blank optional lines boots with the defaults.
 */
export function validateEnv(raw: Record<string, unknown>): EnvironmentVariables {
  // Every declared field is an own key of an instance (ES2022 class fields), optional ones included.
  const known = new Set(Object.keys(new EnvironmentVariables()));
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
        const got =
          error.property in present ? shownValue(error.property, present[error.property]) : '';
        return `${unique}${got}`;
      }),
    );
  }
  return env;
}
