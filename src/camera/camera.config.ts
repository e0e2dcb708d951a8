import { IsOptional } from 'class-validator';
import { accessSync, constants, statSync } from 'node:fs';
import { ObjectCheck } from '../common/validation/object-check';
import { defineConfigSection, provide } from '../config/config-section';
import {
  EnvBoolean,
  EnvEnum,
  EnvInt,
  EnvNumber,
  EnvNumberChoice,
  EnvParsed,
  EnvString,
} from '../config/env-decorators';
import {
  CAMERA_DRIVER_NAMES,
  type CameraDefinition,
  type CameraDriverName,
  CAMERA_ID_PATTERN,
  DEFAULT_CAMERA_ID,
} from './camera-definition';
import { sourceProblem } from './camera-source';
import {
  DEFAULT_SETTINGS,
  ROTATIONS,
  type Rotation,
  SETTINGS_LIMITS,
} from './settings/settings-limits';

/** Settings every camera falls back to, and the one camera the CAMERA* variables describe. */
export class CameraConfig {
  /**
   * The camera the CAMERA* variables describe, id "default": the only camera without a
   * cameras file. Its IR LEDs come from the IR_LED_* variables (the ir-led room adds them).
   */
  readonly fromEnvironment!: CameraDefinition;
  /** Defaults for cameras of a cameras file that do not set their own. */
  readonly idleTimeoutMs!: number;
  readonly stallTimeoutMs!: number;
  readonly ffmpegPath?: string;
}

/** The path, if it names an executable file (checked once, at start). */
export function executableFile(path: string): string | undefined {
  try {
    if (!statSync(path).isFile()) return undefined;
    accessSync(path, constants.X_OK);
    return path;
  } catch {
    return undefined;
  }
}

const { width, height, framerate, quality } = SETTINGS_LIMITS;

export class CameraEnv {
  @EnvEnum(CAMERA_DRIVER_NAMES)
  CAMERA: CameraDriverName = 'emulated';

  // Its URLs (/cameras/<id>/...), and its name in a cluster, where each camera needs its own.
  @EnvString(
    CAMERA_ID_PATTERN,
    '1 to 63 lower-case letters, digits, _ or -, starting with a letter or digit (such as kitchen)',
  )
  CAMERA_ID = DEFAULT_CAMERA_ID;

  @EnvString(/^\S.{0,99}$/, 'a name of 1 to 100 characters, such as Kitchen')
  CAMERA_NAME = 'Camera';

  // It must suit CAMERA (a folder, an index, a URL): the same rule as for the cameras file.
  @ObjectCheck((env: CameraEnv) =>
    sourceProblem(env.CAMERA, env.CAMERA_SOURCE, 'CAMERA_SOURCE', 'CAMERA'),
  )
  CAMERA_SOURCE?: string;

  @IsOptional()
  @EnvString(/^[\w-]+$/, 'an ffmpeg input format name, such as v4l2, lavfi or x11grab')
  CAMERA_SOURCE_FORMAT?: string;

  @IsOptional()
  @EnvParsed(executableFile, 'the path of an executable ffmpeg program')
  FFMPEG_PATH?: string;

  @EnvInt(width.min, width.max)
  CAMERA_WIDTH: number = DEFAULT_SETTINGS.width;

  @EnvInt(height.min, height.max)
  CAMERA_HEIGHT: number = DEFAULT_SETTINGS.height;

  @EnvNumber(framerate.min, framerate.max)
  CAMERA_FRAMERATE: number = DEFAULT_SETTINGS.framerate;

  @EnvInt(quality.min, quality.max)
  CAMERA_QUALITY: number = DEFAULT_SETTINGS.quality;

  @EnvNumberChoice(ROTATIONS)
  CAMERA_ROTATION: Rotation = DEFAULT_SETTINGS.rotation;

  @EnvBoolean()
  CAMERA_HFLIP: boolean = DEFAULT_SETTINGS.hflip;

  @EnvBoolean()
  CAMERA_VFLIP: boolean = DEFAULT_SETTINGS.vflip;

  @EnvInt(SETTINGS_LIMITS.bitrate.min, SETTINGS_LIMITS.bitrate.max)
  CAMERA_BITRATE: number = DEFAULT_SETTINGS.bitrate;

  @EnvNumber(SETTINGS_LIMITS.keyframeInterval.min, SETTINGS_LIMITS.keyframeInterval.max)
  CAMERA_KEYFRAME_INTERVAL: number = DEFAULT_SETTINGS.keyframeInterval;

  @EnvNumber(0, 86400)
  CAMERA_IDLE_TIMEOUT = 10;

  @EnvNumber(1, 3600)
  CAMERA_STALL_TIMEOUT = 10;
}

export const cameraConfigSection = defineConfigSection({
  env: CameraEnv,
  provides: [
    provide(CameraConfig, (env: CameraEnv) => {
      const idleTimeoutMs = Math.round(env.CAMERA_IDLE_TIMEOUT * 1000);
      const stallTimeoutMs = Math.round(env.CAMERA_STALL_TIMEOUT * 1000);
      return {
        fromEnvironment: {
          id: env.CAMERA_ID,
          name: env.CAMERA_NAME,
          driver: env.CAMERA,
          source: env.CAMERA_SOURCE,
          sourceFormat: env.CAMERA_SOURCE_FORMAT,
          ffmpegPath: env.FFMPEG_PATH,
          defaults: {
            width: env.CAMERA_WIDTH,
            height: env.CAMERA_HEIGHT,
            framerate: env.CAMERA_FRAMERATE,
            quality: env.CAMERA_QUALITY,
            rotation: env.CAMERA_ROTATION,
            hflip: env.CAMERA_HFLIP,
            vflip: env.CAMERA_VFLIP,
            bitrate: env.CAMERA_BITRATE,
            keyframeInterval: env.CAMERA_KEYFRAME_INTERVAL,
          },
          idleTimeoutMs,
          stallTimeoutMs,
        },
        idleTimeoutMs,
        stallTimeoutMs,
        ffmpegPath: env.FFMPEG_PATH,
      };
    }),
  ],
});
