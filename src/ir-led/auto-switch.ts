export interface AutoSwitchOptions {
  /** Luminance below which the LEDs should come on. */
  readonly onBelow: number;
  /** Luminance above which they should go off (greater than onBelow: the hysteresis). */
  readonly offAbove: number;
  /** Minimum time between two switches. */
  readonly holdMs: number;
  /** How many readings in a row must agree before switching. */
  readonly samples?: number;
}

/**
 * The decision part of IR auto mode, free of timers and I/O.
 *
 * Three things keep it from flickering: hysteresis (on below one threshold, off only above a
 * higher one), agreement of several readings in a row, and a minimum hold time between switches.
 * A fourth handles the LEDs' own light: with the LEDs on, a night-vision camera sees an IR-lit
 * scene that can be brighter than `offAbove`. So right after switching on, it measures that
 * IR-lit brightness (the lowest of the first few readings, since auto-exposure overshoots at
 * first) and then switches off only when the scene is clearly brighter than it.
 */
const IR_LIT_READINGS = 3;

export class IrAutoSwitch {
  private lastSwitchAt = Number.NEGATIVE_INFINITY;
  private streak = 0;
  private irLitLevel: number | undefined;
  private irLitReadingsLeft = 0;

  constructor(private readonly options: AutoSwitchOptions) {}

  /** Call when the LEDs were switched on by anyone, so the next reading is taken as IR-lit. */
  ledsSwitchedOn(): void {
    this.irLitReadingsLeft = IR_LIT_READINGS;
    this.irLitLevel = undefined;
  }

  reset(): void {
    this.streak = 0;
    this.lastSwitchAt = Number.NEGATIVE_INFINITY;
    this.irLitLevel = undefined;
    this.irLitReadingsLeft = 0;
  }

  /** The level auto mode now requires to switch the LEDs off. */
  get offThreshold(): number {
    const margin = this.options.offAbove - this.options.onBelow;
    return Math.max(this.options.offAbove, (this.irLitLevel ?? 0) + margin);
  }

  /** Returns the state to switch to, or undefined to stay as they are. */
  update(luminance: number, now: number, ledsOn: boolean): boolean | undefined {
    if (ledsOn && this.irLitReadingsLeft > 0) {
      this.irLitLevel = Math.min(this.irLitLevel ?? Number.POSITIVE_INFINITY, luminance);
      this.irLitReadingsLeft -= 1;
    }
    const wanted = ledsOn
      ? luminance > this.offThreshold
        ? false
        : undefined
      : luminance < this.options.onBelow
        ? true
        : undefined;
    if (wanted === undefined) {
      this.streak = 0;
      return undefined;
    }
    this.streak += 1;
    if (this.streak < (this.options.samples ?? 3) || now - this.lastSwitchAt < this.options.holdMs)
      return undefined;
    this.streak = 0;
    this.lastSwitchAt = now;
    if (wanted) this.ledsSwitchedOn();
    else this.irLitLevel = undefined;
    return wanted;
  }
}
