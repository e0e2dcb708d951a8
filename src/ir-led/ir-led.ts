import { type LoggerService } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import type { IrLedDefinition } from '../camera/camera-definition';
import type { FrameProducer } from '../camera/producer/frame-producer';
import { sleep } from '../common/abortable-sleep';
import { SerialQueue } from '../common/serial-queue';
import type { SettingsStore } from '../persistence/settings-store.service';
import { IrAutoSwitch } from './auto-switch';
import { IrLedUnavailableError } from './errors/ir-led-unavailable.error';
import type { GpioClass, GpioPin } from './gpio.interface';
import { IR_LED_MODES, type IrLedMode } from './ir-led.constants';
import { retryDelays } from './retry-delays';
import { meanLuminance } from './scene-brightness';
import { missingSysfsExport } from './sysfs-gpio-export';
import { resolveSysfsGpio } from './sysfs-gpio-number';

class IrAutoState {
  @ApiProperty({ nullable: true, description: 'Last measured mean luminance, 0-255' })
  readonly luminance!: number | null;
  @ApiProperty() readonly onBelow!: number;
  @ApiProperty() readonly offAbove!: number;
}

/** What GET /cameras/:id/ir-led answers: built here, documented by the same class. */
export class IrLedState {
  @ApiProperty() readonly available!: boolean;
  @ApiProperty() readonly on!: boolean;
  @ApiProperty({ enum: IR_LED_MODES }) readonly mode!: IrLedMode;
  @ApiProperty({ nullable: true, description: 'BCM pin number, as configured' })
  readonly gpio!: number | null;
  @ApiProperty({ nullable: true, description: 'The sysfs number actually used' })
  readonly sysfsGpio!: number | null;
  @ApiProperty() readonly activeLow!: boolean;
  @ApiProperty({ enum: ['gpio', 'simulated'] }) readonly driver!: string;
  @ApiProperty({ nullable: true, description: 'Why the LEDs cannot be used, when they cannot' })
  readonly reason!: string | null;
  @ApiProperty({
    type: IrAutoState,
    description: "Auto mode: the scene's last measured mean luminance and the current thresholds",
  })
  readonly auto!: IrAutoState;
}

/** Settings of the IR LEDs that are the same for every camera. */
export interface IrLedRuntime {
  readonly autoIntervalMs: number;
  readonly sysfsRoot: string;
  readonly openRetry: { readonly forMs: number; readonly firstDelayMs: number };
}

export interface IrLedOptions {
  readonly cameraId: string;
  /** The pin and thresholds; a definition without a pin leaves the LEDs unavailable. */
  readonly definition: IrLedDefinition;
  /** Why there are no LEDs when the definition names no pin (which setting to make). */
  readonly unconfiguredReason: string;
  readonly Gpio: GpioClass;
  readonly runtime: IrLedRuntime;
  readonly store: SettingsStore;
  /** The camera's producer: auto mode measures its frames, only while it runs. */
  readonly producer: Pick<FrameProducer, 'isRunning' | 'latestFrame'>;
  readonly logger: LoggerService;
}

const SECTION = 'irLed';

/**
 * One camera's infrared night-vision LEDs on a GPIO pin.
 *
 * Modes: on, off, or auto, where the LEDs follow the scene's brightness while the camera runs.
 * The pin is written only when its state changes, every change is logged, and at shutdown the
 * LEDs are switched off and the pin is released. Without a usable pin the rest of camfeed runs
 * normally and changes are refused with the reason. A pin refused at start because udev has not
 * yet given the gpio group access is retried in the background for a few seconds.
 */
export class IrLed {
  private readonly logger: LoggerService;
  private readonly config: IrLedDefinition & IrLedRuntime;
  private readonly Gpio: GpioClass;
  private readonly store: SettingsStore;
  private readonly producer: IrLedOptions['producer'];
  private readonly autoSwitch: IrAutoSwitch;
  private pin: GpioPin | undefined;
  private sysfsGpio: number | null = null;
  /** onoff could not reset a leftover active_low=1, so the kernel inverts what is written. */
  private kernelInverts = false;
  private unavailableReason: string | null = null;
  private mode: IrLedMode = 'off';
  private on = false;
  private autoTimer: NodeJS.Timeout | undefined;
  private measuring = false;
  private luminance: number | null = null;
  /** Auto mode switched the LEDs off because the camera stopped: restore them when it restarts. */
  private resumeOnAtStart = false;
  private readonly writes = new SerialQueue();
  /** Whole mode changes (read the state, save, apply), one at a time, like settings changes. */
  private readonly modeChanges = new SerialQueue();
  /** The background retry of a pin refused with EACCES, awaited at shutdown. */
  private opening: Promise<void> | undefined;
  private readonly closing = new AbortController();

  constructor(private readonly options: IrLedOptions) {
    this.logger = options.logger;
    this.config = { ...options.definition, ...options.runtime };
    this.Gpio = options.Gpio;
    this.store = options.store;
    this.producer = options.producer;
    this.autoSwitch = new IrAutoSwitch(options.definition.auto);
  }

  /** Restores the saved mode and opens the pin (a pin not yet writable is retried behind). */
  async start(): Promise<void> {
    this.mode = await this.readSavedMode();
    const gpio = await this.locatePin();
    if (gpio === undefined) {
      this.logger.log(`IR LEDs unavailable: ${this.unavailableReason}`);
      return;
    }
    let pin: GpioPin;
    try {
      pin = this.openPin(gpio);
    } catch (error) {
      if (!isPermissionDenied(error) || this.config.openRetry.forMs <= 0) {
        this.unavailableReason = `cannot open the GPIO pin: ${(error as Error).message}`;
        this.logger.log(`IR LEDs unavailable: ${this.unavailableReason}`);
        return;
      }
      // In the background, so the server does not wait for udev to start: until then the state
      // says why the LEDs are unavailable, and changes are refused with that reason.
      this.unavailableReason =
        `opening GPIO ${gpio}: its files are not writable yet (EACCES; udev gives the gpio group access ` +
        `shortly after the export), retrying for up to ${seconds(this.config.openRetry.forMs)}`;
      this.logger.log(`IR LEDs: ${this.unavailableReason}`);
      this.opening = this.keepOpening(gpio);
      return;
    }
    await this.modeChanges.run(async () => this.usePin(pin));
  }

  /** Switches the LEDs off and gives the pin back; pending retries and changes end first. */
  async destroy(): Promise<void> {
    this.closing.abort();
    await this.opening;
    // Behind the changes already queued, and as one write: nothing can switch the LEDs back on
    // between switching them off and releasing the pin.
    await this.modeChanges.run(async () => {
      this.stopAuto();
      await this.writes.run(async () => {
        const pin = this.pin;
        if (pin === undefined) return;
        try {
          await this.writePin(false, 'shutdown');
        } catch (error) {
          this.logger.warn(
            `Could not switch the IR LEDs off at shutdown: ${(error as Error).message}`,
          );
        }
        this.pin = undefined;
        pin.unexport();
      });
    });
  }

  state(): IrLedState {
    return {
      available: this.pin !== undefined,
      on: this.on,
      mode: this.mode,
      gpio: this.config.bcmGpio ?? null,
      sysfsGpio: this.sysfsGpio,
      activeLow: this.config.activeLow,
      driver: this.config.driver,
      reason: this.unavailableReason,
      auto: {
        luminance: this.luminance === null ? null : Math.round(this.luminance * 10) / 10,
        onBelow: this.config.auto.onBelow,
        offAbove: Math.round(this.autoSwitch.offThreshold * 10) / 10,
      },
    };
  }

  /** Sets the mode, saves it, and applies it; refused (nothing changes) without a usable pin. */
  async setMode(mode: IrLedMode): Promise<IrLedState> {
    return this.modeChanges.run(async () => this.changeMode(mode));
  }

  async setOn(on: boolean): Promise<IrLedState> {
    return this.setMode(on ? 'on' : 'off');
  }

  /** Flips the LEDs and leaves them in that manual mode. */
  async toggle(): Promise<IrLedState> {
    // The state is read only once the changes before this one are applied, or concurrent
    // toggles would all see the same state and flip it the same way.
    return this.modeChanges.run(async () => this.changeMode(this.on ? 'off' : 'on'));
  }

  private async changeMode(mode: IrLedMode): Promise<IrLedState> {
    if (this.closing.signal.aborted) throw new IrLedUnavailableError('camfeed is shutting down');
    if (this.pin === undefined)
      throw new IrLedUnavailableError(this.unavailableReason ?? 'no GPIO pin');
    await this.store.write(this.options.cameraId, SECTION, { mode });
    if (mode !== this.mode) this.logger.log(`IR LED mode ${this.mode} -> ${mode}`);
    this.mode = mode;
    await this.applyMode();
    return this.state();
  }

  private async applyMode(): Promise<void> {
    if (this.mode === 'auto') {
      this.startAuto();
      return;
    }
    this.stopAuto();
    await this.switchTo(this.mode === 'on', `mode ${this.mode}`);
  }

  private startAuto(): void {
    if (this.autoTimer !== undefined) return;
    this.autoSwitch.reset();
    if (this.on) this.autoSwitch.ledsSwitchedOn();
    this.autoTimer = setInterval(() => void this.autoTick(), this.config.autoIntervalMs);
    this.autoTimer.unref();
  }

  private stopAuto(): void {
    if (this.autoTimer === undefined) return;
    clearInterval(this.autoTimer);
    this.autoTimer = undefined;
    this.resumeOnAtStart = false;
    this.luminance = null;
  }

  /** One auto-mode step: only while the camera runs, and never two measurements at once. */
  private async autoTick(): Promise<void> {
    if (this.measuring || this.mode !== 'auto') return;
    this.measuring = true;
    try {
      if (!this.producer.isRunning) {
        this.luminance = null;
        if (this.on) {
          this.resumeOnAtStart = true;
          await this.switchTo(false, 'auto: camera stopped');
        }
        return;
      }
      if (this.resumeOnAtStart) {
        this.resumeOnAtStart = false;
        this.autoSwitch.ledsSwitchedOn();
        await this.switchTo(true, 'auto: camera started, the scene was dark');
      }
      const frame = this.producer.latestFrame;
      if (frame === undefined) return;
      const luminance = await meanLuminance(frame.jpeg);
      if (this.mode !== 'auto') return;
      this.luminance = luminance;
      const wanted = this.autoSwitch.update(luminance, Date.now(), this.on);
      if (wanted !== undefined) {
        await this.switchTo(
          wanted,
          `auto: scene luminance ${luminance.toFixed(0)} ${wanted ? '<' : '>'} ${wanted ? this.config.auto.onBelow : 'threshold'}`,
        );
      }
    } catch (error) {
      this.logger.warn(`IR auto mode step failed: ${(error as Error).message}`);
    } finally {
      this.measuring = false;
    }
  }

  /** Writes the pin only when the state changes, one write at a time. */
  private async switchTo(on: boolean, reason: string): Promise<void> {
    return this.writes.run(async () => this.writePin(on, reason));
  }

  /** Only from within `writes`. */
  private async writePin(on: boolean, reason: string): Promise<void> {
    const pin = this.pin;
    if (pin === undefined || on === this.on) return;
    const level = (on !== this.config.activeLow) !== this.kernelInverts ? 1 : 0;
    try {
      await pin.write(level);
    } catch (error) {
      throw new IrLedUnavailableError(
        `writing GPIO ${this.sysfsGpio} failed: ${(error as Error).message}`,
      );
    }
    this.logger.log(`IR LED ${this.on ? 'on' : 'off'} -> ${on ? 'on' : 'off'} (${reason})`);
    this.on = on;
  }

  /** The sysfs number of the configured pin, or undefined with the reason it cannot be used. */
  private async locatePin(): Promise<number | undefined> {
    const { bcmGpio, sysfsGpio, driver, sysfsRoot } = this.config;
    if (bcmGpio === undefined && sysfsGpio === undefined) {
      this.unavailableReason = this.options.unconfiguredReason;
      return undefined;
    }
    const noExport = driver === 'simulated' ? undefined : await missingSysfsExport(sysfsRoot);
    if (noExport !== undefined) {
      this.unavailableReason = noExport;
      return undefined;
    }
    if (!this.Gpio.accessible) {
      this.unavailableReason =
        'GPIO is not accessible here: not a Raspberry Pi, onoff is not installed, or the user is not in the gpio group';
      return undefined;
    }
    try {
      this.sysfsGpio =
        sysfsGpio ??
        (driver === 'simulated'
          ? (bcmGpio as number)
          : (await resolveSysfsGpio(bcmGpio as number, sysfsRoot)).number);
      return this.sysfsGpio;
    } catch (error) {
      this.unavailableReason = `cannot open the GPIO pin: ${(error as Error).message}`;
      return undefined;
    }
  }

  /** Exports and configures the pin; throws what onoff throws. */
  private openPin(gpio: number): GpioPin {
    // Exported straight into the "off" level, so the LEDs never flash on at start: the direction
    // sets the electrical level whatever active_low is. camfeed inverts for active-low boards
    // itself, so the kernel must not: a pin left exported with active_low=1 keeps it unless told.
    const pin = new this.Gpio(gpio, this.config.activeLow ? 'high' : 'low', { activeLow: false });
    this.kernelInverts = readsInverted(pin);
    if (this.kernelInverts)
      this.logger.warn(
        `GPIO ${gpio} stays active_low=1 (exported earlier, and its active_low file is not writable): camfeed inverts its writes to match`,
      );
    return pin;
  }

  /** Only from within `modeChanges`. */
  private async usePin(pin: GpioPin): Promise<void> {
    if (this.closing.signal.aborted) {
      pin.unexport();
      return;
    }
    this.pin = pin;
    this.unavailableReason = null;
    const where =
      this.config.bcmGpio !== undefined
        ? `BCM GPIO ${this.config.bcmGpio} (sysfs ${this.sysfsGpio})`
        : `sysfs GPIO ${this.sysfsGpio}`;
    this.logger.log(
      `IR LEDs on ${where}, active-${this.config.activeLow ? 'low' : 'high'}, ${this.config.driver} driver, mode ${this.mode}`,
    );
    await this.applyMode();
  }

  /** Retries a pin refused with EACCES until it opens, the time is up, or shutdown. */
  private async keepOpening(gpio: number): Promise<void> {
    const { forMs, firstDelayMs } = this.config.openRetry;
    let failure: unknown;
    for (const wait of retryDelays(forMs, firstDelayMs)) {
      if (!(await sleep(wait, this.closing.signal))) return;
      let pin: GpioPin;
      try {
        pin = this.openPin(gpio);
      } catch (error) {
        failure = error;
        if (isPermissionDenied(error)) continue;
        break;
      }
      try {
        await this.modeChanges.run(async () => this.usePin(pin));
      } catch (error) {
        this.logger.warn(`IR LEDs: applying mode ${this.mode} failed: ${(error as Error).message}`);
      }
      return;
    }
    this.unavailableReason =
      `cannot open the GPIO pin: ${(failure as Error).message}` +
      (isPermissionDenied(failure)
        ? ` (still after ${seconds(forMs)}: is the user in the gpio group?)`
        : '');
    this.logger.warn(`IR LEDs unavailable: ${this.unavailableReason}`);
  }

  private async readSavedMode(): Promise<IrLedMode> {
    const saved = (await this.store.read(this.options.cameraId, SECTION)) as
      { mode?: unknown } | undefined;
    const mode = saved?.mode;
    if (mode === undefined) return 'off';
    if (typeof mode === 'string' && (IR_LED_MODES as readonly string[]).includes(mode))
      return mode as IrLedMode;
    this.logger.warn(`Saved IR LED mode ${JSON.stringify(mode)} is invalid: using off`);
    return 'off';
  }
}

function readsInverted(pin: GpioPin): boolean {
  // An unreadable active_low is for the first write to report, with the pin's other problems.
  try {
    return pin.activeLow();
  } catch {
    return false;
  }
}

const isPermissionDenied = (error: unknown): boolean =>
  (error as NodeJS.ErrnoException | undefined)?.code === 'EACCES';

const seconds = (ms: number): string => `${ms / 1000} s`;
