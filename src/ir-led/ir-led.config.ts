import { IsOptional } from 'class-validator';
import { ObjectCheck } from '../common/validation/object-check';
import type { IrLedDefinition } from '../camera/camera-definition';
import { defineConfigSection, provide } from '../config/config-section';
import { EnvBoolean, EnvEnum, EnvInt, EnvNumber } from '../config/env-decorators';
import { IR_LED_DRIVER_NAMES, type IrLedDriverName } from './ir-led.constants';
import { IR_LED_DEFAULTS, IR_LED_LIMITS } from './ir-led-limits';

export class IrLedConfig {
  /** The LEDs of the camera the CAMERA* variables describe (no cameras file). */
  readonly fromEnvironment!: IrLedDefinition;
  /** The driver of cameras file entries that do not name one. */
  readonly driver!: IrLedDriverName;
  /** How often auto mode measures the scene. */
  readonly autoIntervalMs!: number;
  readonly sysfsRoot!: string;
  /**
   * How long to retry opening a pin whose files are not writable yet (EACCES), and the first
   * wait: udev gives the gpio group access only after the export, at boot sometimes late.
   */
  readonly openRetry!: { readonly forMs: number; readonly firstDelayMs: number };
}

const { bcmGpio, sysfsGpio, luminance, holdSeconds } = IR_LED_LIMITS;

export class IrLedEnv {
  @EnvEnum(IR_LED_DRIVER_NAMES)
  IR_LED_DRIVER: IrLedDriverName = 'gpio';

  @IsOptional()
  @EnvInt(bcmGpio.min, bcmGpio.max)
  IR_LED_GPIO?: number;

  @IsOptional()
  @EnvInt(sysfsGpio.min, sysfsGpio.max)
  IR_LED_SYSFS_GPIO?: number;

  @EnvBoolean()
  IR_LED_ACTIVE_LOW: boolean = IR_LED_DEFAULTS.activeLow;

  @EnvInt(luminance.min, luminance.max)
  IR_LED_AUTO_ON_BELOW: number = IR_LED_DEFAULTS.onBelow;

  @EnvInt(luminance.min, luminance.max)
  // The dark threshold must stay below the bright one, or auto mode could never settle.
  @ObjectCheck((env: IrLedEnv) =>
    env.IR_LED_AUTO_OFF_ABOVE > env.IR_LED_AUTO_ON_BELOW
      ? undefined
      : 'IR_LED_AUTO_OFF_ABOVE must be greater than IR_LED_AUTO_ON_BELOW',
  )
  IR_LED_AUTO_OFF_ABOVE: number = IR_LED_DEFAULTS.offAbove;

  @EnvNumber(holdSeconds.min, holdSeconds.max)
  IR_LED_AUTO_HOLD: number = IR_LED_DEFAULTS.holdSeconds;
}

export const irLedConfigSection = defineConfigSection({
  env: IrLedEnv,
  provides: [
    provide(IrLedConfig, (env: IrLedEnv) => ({
      fromEnvironment: {
        driver: env.IR_LED_DRIVER,
        bcmGpio: env.IR_LED_GPIO,
        sysfsGpio: env.IR_LED_SYSFS_GPIO,
        activeLow: env.IR_LED_ACTIVE_LOW,
        auto: {
          onBelow: env.IR_LED_AUTO_ON_BELOW,
          offAbove: env.IR_LED_AUTO_OFF_ABOVE,
          holdMs: Math.round(env.IR_LED_AUTO_HOLD * 1000),
        },
      },
      driver: env.IR_LED_DRIVER,
      autoIntervalMs: 1000,
      sysfsRoot: '/sys/class/gpio',
      openRetry: { forMs: 5000, firstDelayMs: 100 },
    })),
  ],
});
