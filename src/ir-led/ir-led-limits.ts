/** The bounds of IR LED settings, written once: the environment and the cameras file share them. */
export const IR_LED_LIMITS = {
  /** BCM numbers of the Raspberry Pi's GPIO header and beyond (the SoC has 54 lines). */
  bcmGpio: { min: 0, max: 53 },
  sysfsGpio: { min: 0, max: 100_000 },
  /** Mean scene luminance. */
  luminance: { min: 0, max: 255 },
  /** Seconds between two automatic switches. */
  holdSeconds: { min: 0, max: 3600 },
} as const;

export const IR_LED_DEFAULTS = {
  activeLow: false,
  onBelow: 50,
  offAbove: 90,
  holdSeconds: 10,
} as const;
