import type { CameraDriverName } from '../camera/camera.constants';
import type { CameraSettings } from '../camera/camera-driver.interface';
import type { EnvironmentVariables } from './env.validation';

/*
 * Typed configuration, one class per concern. The classes double as injection tokens, so a
 * service asks for exactly the part it needs: `constructor(private readonly config: CameraConfig)`.
 * They are built once from the validated environment by `toAppConfig`; nothing else reads
 * `process.env`.
 */

export class HttpConfig {
  readonly host!: string;
  readonly port!: number;
}

export class CameraConfig {
  readonly driver!: CameraDriverName;
  /** Driver-specific source: for `images`, a folder of JPEG files. */
  readonly source?: string;
  /** The settings used until someone changes them through the API. */
  readonly defaults!: CameraSettings;
  /** How long the camera keeps running after the last viewer leaves. */
  readonly idleTimeoutMs!: number;
}

export class StreamConfig {
  /** A viewer whose socket has not drained for this long is disconnected. */
  readonly drainTimeoutMs!: number;
  /** How long /snapshot.jpg waits for a frame before answering 503. */
  readonly snapshotTimeoutMs!: number;
}

export interface AppConfig {
  readonly http: HttpConfig;
  readonly camera: CameraConfig;
  readonly stream: StreamConfig;
}

export function toAppConfig(env: EnvironmentVariables): AppConfig {
  return {
    http: { host: env.HOST, port: env.PORT },
    camera: {
      driver: env.CAMERA,
      source: env.CAMERA_SOURCE,
      defaults: {
        width: env.CAMERA_WIDTH,
        height: env.CAMERA_HEIGHT,
        framerate: env.CAMERA_FRAMERATE,
        quality: env.CAMERA_QUALITY,
      },
      idleTimeoutMs: Math.round(env.CAMERA_IDLE_TIMEOUT * 1000),
    },
    stream: {
      drainTimeoutMs: Math.round(env.STREAM_DRAIN_TIMEOUT * 1000),
      snapshotTimeoutMs: Math.round(env.SNAPSHOT_TIMEOUT * 1000),
    },
  };
}
