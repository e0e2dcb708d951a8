/** `gpio` drives a real pin through onoff; `simulated` keeps the state in memory (demos, no Pi). */
export const IR_LED_DRIVER_NAMES = ['gpio', 'simulated'] as const;
export type IrLedDriverName = (typeof IR_LED_DRIVER_NAMES)[number];

export const IR_LED_MODES = ['on', 'off', 'auto'] as const;
export type IrLedMode = (typeof IR_LED_MODES)[number];

/** Injection token of the GpioLoader: the onoff-compatible `Gpio` class of real pins. */
export const GPIO_LOADER = Symbol('GPIO_LOADER');
