import type { CameraSettings } from './settings/camera-settings.model';

/** Every driver a camera can use. The names are part of the public config contract. */
export const CAMERA_DRIVER_NAMES = ['emulated', 'images', 'ffmpeg', 'pi', 'mjpeg'] as const;
export type CameraDriverName = (typeof CAMERA_DRIVER_NAMES)[number];

/** Camera ids appear in URLs, metrics labels and file names: lower case, digits, _ and -. */
export const CAMERA_ID_PATTERN = /^[a-z0-9][a-z0-9_-]{0,62}$/;

/** The id of the one camera the CAMERA* variables describe when there is no cameras file. */
export const DEFAULT_CAMERA_ID = 'default';

/** The IR LEDs one camera switches, as its description gives them (the ir-led room runs them). */
export interface IrLedDefinition {
  /** gpio: a real pin through onoff; simulated: in memory. */
  readonly driver: 'gpio' | 'simulated';
  /** BCM number of the pin, as printed on Raspberry Pi pinout diagrams. */
  readonly bcmGpio?: number;
  /** Absolute sysfs GPIO number, for boards whose numbering camfeed cannot work out. */
  readonly sysfsGpio?: number;
  /** The LED board switches on when the pin is low. */
  readonly activeLow: boolean;
  readonly auto: {
    /** Mean scene luminance (0–255) below which auto mode switches the LEDs on. */
    readonly onBelow: number;
    /** Mean scene luminance above which auto mode switches them off again. */
    readonly offAbove: number;
    /** Minimum time between two automatic switches. */
    readonly holdMs: number;
  };
}

/**
 * Everything about one camera that configuration says: from the cameras file, or from the
 * CAMERA* variables for the single camera "default".
 */
export interface CameraDefinition {
  readonly id: string;
  /** For people: the page and the camera list show it. */
  readonly name: string;
  readonly driver: CameraDriverName;
  /**
   * What the driver reads: images: a folder of JPEG files; ffmpeg: an ffmpeg input; mjpeg: a
   * stream URL; pi: the camera index.
   */
  readonly source?: string;
  /** ffmpeg's -f input format, when it cannot be inferred from the source. */
  readonly sourceFormat?: string;
  readonly ffmpegPath?: string;
  /** The settings used until someone changes them through the API (saved ones win). */
  readonly defaults: CameraSettings;
  /** How long the camera keeps running after its last viewer leaves. */
  readonly idleTimeoutMs: number;
  /** The camera is restarted when it gives no frame for this long. */
  readonly stallTimeoutMs: number;
  /** Most viewers of this camera at once; undefined = only the server-wide MAX_CLIENTS. */
  readonly maxClients?: number;
  readonly irLed?: IrLedDefinition;
}

/** Whether a change of definition needs the camera restarted (the name alone does not). */
export function needsRestart(before: CameraDefinition, after: CameraDefinition): boolean {
  const { name: _before, ...a } = before;
  const { name: _after, ...b } = after;
  return JSON.stringify(a) !== JSON.stringify(b);
}
