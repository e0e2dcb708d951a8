/*
 * What any camera setting may be, whatever the camera: the one place these bounds are written.
 * The environment, the cameras file, the API's DTO and the generic capabilities all use them;
 * each driver narrows them further through its capabilities.
 */

export const ROTATIONS = [0, 90, 180, 270] as const;
export type Rotation = (typeof ROTATIONS)[number];

export const SETTINGS_LIMITS = {
  width: { min: 16, max: 8192 },
  height: { min: 16, max: 8192 },
  /** Frames per second; fractions allowed (0.5 = one frame every two seconds). */
  framerate: { min: 0.1, max: 120 },
  /** JPEG quality. */
  quality: { min: 1, max: 100 },
  /** H.264 (WebRTC) bitrate, kbit/s. */
  bitrate: { min: 100, max: 20_000 },
  /** Seconds between H.264 keyframes: how long a viewer who lost packets waits at most. */
  keyframeInterval: { min: 0.2, max: 10 },
} as const;

/** The settings a camera starts with when nobody configured or saved any. */
export const DEFAULT_SETTINGS = {
  width: 640,
  height: 480,
  framerate: 30,
  quality: 80,
  rotation: 0,
  hflip: false,
  vflip: false,
  bitrate: 2000,
  keyframeInterval: 1,
} as const;
