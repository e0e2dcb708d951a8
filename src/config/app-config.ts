import type { CameraDriverName } from '../camera/camera.constants';
import type { IrLedDriverName } from '../ir-led/ir-led.constants';
import type { LogFormat, LogLevel } from '../logging/logging.constants';
import type { CameraSettings } from '../camera/camera-driver.interface';
import type { EnvironmentVariables } from './env.validation';
import { type CorsOrigins, parseCorsOrigins } from '../auth/cors-origins';
import { parseTrustProxy } from './network-values';

/*
 * Typed configuration, one class per concern. The classes double as injection tokens, so a
 * service asks for exactly the part it needs: `constructor(private readonly config: CameraConfig)`.
 * They are built once from the validated environment by `toAppConfig`; nothing else reads
 * `process.env`.
 */

export class HttpConfig {
  readonly host!: string;
  readonly port!: number;
  /** Express's "trust proxy": whose X-Forwarded-For to believe for the client address. */
  readonly trustProxy!: boolean | number | string;
}

export class CameraConfig {
  readonly driver!: CameraDriverName;
  /**
   * Driver-specific source: images: a folder of JPEG files; ffmpeg: an ffmpeg input; mjpeg: a
   * stream URL; pi: the camera index.
   */
  readonly source?: string;
  /** ffmpeg's -f input format, when it cannot be inferred from the source. */
  readonly sourceFormat?: string;
  readonly ffmpegPath?: string;
  /** The settings used until someone changes them through the API. */
  readonly defaults!: CameraSettings;
  /** How long the camera keeps running after the last viewer leaves. */
  readonly idleTimeoutMs!: number;
  /** A camera that gives no frame for this long is restarted. */
  readonly stallTimeoutMs!: number;
}

export class StreamConfig {
  /** A viewer whose socket has not drained for this long is disconnected. */
  readonly drainTimeoutMs!: number;
  /** Viewers beyond this many get 503 (0 = no limit). */
  readonly maxClients!: number;
  /** How long /snapshot.jpg waits for a frame before answering 503. */
  readonly snapshotTimeoutMs!: number;
}

export class StorageConfig {
  /** Where settings survive restarts (settings.json). */
  readonly dataDir!: string;
}

export class ControlConfig {
  /** Bearer token every mutating API call must carry; undefined = control is open. */
  readonly apiToken?: string;
  /** Changes allowed per client and minute. */
  readonly rateLimitPerMinute!: number;
}

export class ViewerAuthConfig {
  /** Viewers must authenticate: Basic credentials or a signed token. */
  readonly enabled!: boolean;
  readonly username?: string;
  readonly password?: string;
  /** Signs stream tokens; random per start when not configured (tokens then end with the process). */
  readonly tokenSecret?: string;
  readonly tokenTtlMs!: number;
}

export class CorsConfig {
  /** Pages of these origins may read the media and status endpoints; undefined = none. */
  readonly origins?: CorsOrigins;
}

export class TlsConfig {
  /** PEM certificate and key paths; both undefined = plain HTTP. */
  readonly certPath?: string;
  readonly keyPath?: string;
}

export class IrLedConfig {
  readonly driver!: IrLedDriverName;
  /** BCM number of the pin, as printed on Raspberry Pi pinout diagrams. */
  readonly bcmGpio?: number;
  /** Absolute sysfs GPIO number, for boards whose numbering camfeed cannot work out. */
  readonly sysfsGpio?: number;
  /** The LED board switches on when the pin is low. */
  readonly activeLow!: boolean;
  readonly auto!: {
    /** Mean scene luminance (0–255) below which auto mode switches the LEDs on. */
    readonly onBelow: number;
    /** Mean scene luminance above which auto mode switches them off again. */
    readonly offAbove: number;
    /** Minimum time between two automatic switches. */
    readonly holdMs: number;
    /** How often the scene is measured. */
    readonly intervalMs: number;
  };
  readonly sysfsRoot!: string;
  /**
   * How long to retry opening a pin whose files are not writable yet (EACCES), and the first
   * wait: udev gives the gpio group access only after the export, at boot sometimes late.
   */
  readonly openRetry!: { readonly forMs: number; readonly firstDelayMs: number };
}

export class LoggingConfig {
  readonly level!: LogLevel;
  /** pretty: readable lines for a terminal or journald; json: one JSON object per line. */
  readonly format!: LogFormat;
}

export interface AppConfig {
  readonly http: HttpConfig;
  readonly camera: CameraConfig;
  readonly stream: StreamConfig;
  readonly storage: StorageConfig;
  readonly control: ControlConfig;
  readonly irLed: IrLedConfig;
  readonly logging: LoggingConfig;
  readonly viewerAuth: ViewerAuthConfig;
  readonly tls: TlsConfig;
  readonly cors: CorsConfig;
}

export function toAppConfig(env: EnvironmentVariables): AppConfig {
  return {
    // Validation has made sure it parses.
    http: { host: env.HOST, port: env.PORT, trustProxy: parseTrustProxy(env.TRUST_PROXY) ?? false },
    camera: {
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
      },
      idleTimeoutMs: Math.round(env.CAMERA_IDLE_TIMEOUT * 1000),
      stallTimeoutMs: Math.round(env.CAMERA_STALL_TIMEOUT * 1000),
    },
    stream: {
      drainTimeoutMs: Math.round(env.STREAM_DRAIN_TIMEOUT * 1000),
      snapshotTimeoutMs: Math.round(env.SNAPSHOT_TIMEOUT * 1000),
      maxClients: env.MAX_CLIENTS,
    },
    storage: { dataDir: env.DATA_DIR },
    control: { apiToken: env.API_TOKEN, rateLimitPerMinute: env.CONTROL_RATE_LIMIT },
    irLed: {
      driver: env.IR_LED_DRIVER,
      bcmGpio: env.IR_LED_GPIO,
      sysfsGpio: env.IR_LED_SYSFS_GPIO,
      activeLow: env.IR_LED_ACTIVE_LOW,
      auto: {
        onBelow: env.IR_LED_AUTO_ON_BELOW,
        offAbove: env.IR_LED_AUTO_OFF_ABOVE,
        holdMs: Math.round(env.IR_LED_AUTO_HOLD * 1000),
        intervalMs: 1000,
      },
      sysfsRoot: '/sys/class/gpio',
      openRetry: { forMs: 5000, firstDelayMs: 100 },
    },
    logging: { level: env.LOG_LEVEL, format: env.LOG_FORMAT },
    viewerAuth: {
      enabled: env.STREAM_AUTH,
      username: env.STREAM_USERNAME,
      password: env.STREAM_PASSWORD,
      tokenSecret: env.STREAM_TOKEN_SECRET,
      tokenTtlMs: env.STREAM_TOKEN_TTL * 1000,
    },
    tls: { certPath: env.TLS_CERT, keyPath: env.TLS_KEY },
    cors: {
      origins: env.CORS_ORIGINS === undefined ? undefined : parseCorsOrigins(env.CORS_ORIGINS),
    },
  };
}
