import { Inject, Injectable } from '@nestjs/common';
import type { IrLedDefinition } from '../camera/camera-definition';
import { cameraLogger } from '../logging/scoped-logger';
import { SettingsStore } from '../persistence/settings-store.service';
import type { GpioLoader } from './gpio-class.provider';
import { GPIO_LOADER } from './ir-led.constants';
import { IrLed, type IrLedOptions } from './ir-led';
import { IrLedConfig } from './ir-led.config';
import { SimulatedGpio } from './simulated-gpio';

/** Makes the IR LEDs of one camera. */
@Injectable()
export class IrLedFactory {
  constructor(
    @Inject(GPIO_LOADER) private readonly loadGpio: GpioLoader,
    private readonly config: IrLedConfig,
    private readonly store: SettingsStore,
  ) {}

  /** The LEDs the IR_LED_* variables describe, for the camera those variables go with. */
  get fromEnvironment(): IrLedDefinition {
    return this.config.fromEnvironment;
  }

  /**
   * `definition` undefined: the camera's description has no IR LEDs; they then report why, as
   * `unconfiguredReason` says, and refuse changes.
   */
  create(
    cameraId: string,
    definition: IrLedDefinition | undefined,
    unconfiguredReason: string,
    producer: IrLedOptions['producer'],
  ): IrLed {
    const pinless: IrLedDefinition = {
      ...this.config.fromEnvironment,
      bcmGpio: undefined,
      sysfsGpio: undefined,
    };
    const used = definition ?? pinless;
    const hasPin = used.bcmGpio !== undefined || used.sysfsGpio !== undefined;
    return new IrLed({
      cameraId,
      definition: used,
      unconfiguredReason,
      Gpio: used.driver === 'simulated' || !hasPin ? SimulatedGpio : this.loadGpio(),
      runtime: {
        autoIntervalMs: this.config.autoIntervalMs,
        sysfsRoot: this.config.sysfsRoot,
        openRetry: this.config.openRetry,
      },
      store: this.store,
      producer,
      logger: cameraLogger('IrLed', cameraId),
    });
  }
}
