import { Type } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import {
  CAMERA_DRIVER_NAMES,
  CAMERA_ID_PATTERN,
  type CameraDriverName,
} from '../camera/camera-definition';
import { sourceProblem } from '../camera/camera-source';
import { UpdateCameraSettingsDto } from '../camera/settings/update-camera-settings.dto';
import { ObjectCheck } from '../common/validation/object-check';
import { OptionalField } from '../common/validation/optional-field';
import { IR_LED_DRIVER_NAMES, type IrLedDriverName } from '../ir-led/ir-led.constants';
import { IR_LED_LIMITS } from '../ir-led/ir-led-limits';

const between = (
  field: string,
  { min, max }: { min: number; max: number },
  integer = true,
): PropertyDecorator[] => {
  const message = `${field} must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max}`;
  return [
    OptionalField(),
    integer ? IsInt({ message }) : IsNumber({ allowNaN: false, allowInfinity: false }, { message }),
    Min(min, { message }),
    Max(max, { message }),
  ];
};
const apply =
  (decorators: PropertyDecorator[]): PropertyDecorator =>
  (target, key) => {
    for (const decorator of decorators) decorator(target, key);
  };

/** A camera's IR LEDs in the cameras file: `irLed: { gpio: 17, activeLow: false }`. */
export class IrLedEntryDto {
  @OptionalField()
  @IsIn(IR_LED_DRIVER_NAMES, {
    message: `irLed.driver must be one of: ${IR_LED_DRIVER_NAMES.join(', ')}`,
  })
  driver?: IrLedDriverName;

  @apply(between('irLed.gpio', IR_LED_LIMITS.bcmGpio))
  gpio?: number;

  @apply(between('irLed.sysfsGpio', IR_LED_LIMITS.sysfsGpio))
  sysfsGpio?: number;

  @OptionalField()
  @IsBoolean({ message: 'irLed.activeLow must be a boolean (true or false)' })
  activeLow?: boolean;

  @apply(between('irLed.autoOnBelow', IR_LED_LIMITS.luminance))
  autoOnBelow?: number;

  @apply(between('irLed.autoOffAbove', IR_LED_LIMITS.luminance))
  // The dark threshold must stay below the bright one, or auto mode could never settle.
  @ObjectCheck(({ autoOnBelow, autoOffAbove }: IrLedEntryDto) =>
    typeof autoOnBelow === 'number' &&
    typeof autoOffAbove === 'number' &&
    autoOffAbove <= autoOnBelow
      ? 'irLed.autoOffAbove must be greater than irLed.autoOnBelow'
      : undefined,
  )
  autoOffAbove?: number;

  @apply(between('irLed.autoHold', IR_LED_LIMITS.holdSeconds, false))
  autoHold?: number;
}

/**
 * One entry of the cameras file. The settings fields are POST /camera/settings' own (the same
 * class, so the same bounds and messages), as first-run settings of this camera.
 */
export class CameraEntryDto extends UpdateCameraSettingsDto {
  // One rule, one message, whether the id is missing or malformed.
  @Matches(CAMERA_ID_PATTERN, {
    message:
      'id must be set to 1 to 63 lower-case letters, digits, _ or -, starting with a letter or digit (such as printer)',
  })
  id!: string;

  @OptionalField()
  @IsString({ message: 'name must be a string' })
  @MaxLength(100, { message: 'name must be at most 100 characters' })
  name?: string;

  @IsIn(CAMERA_DRIVER_NAMES, {
    message: `driver must be one of: ${CAMERA_DRIVER_NAMES.join(', ')}`,
  })
  driver!: CameraDriverName;

  // No OptionalField: a driver that needs a source must be told when it has none. It must suit
  // the driver: the same rule as CAMERA_SOURCE for CAMERA.
  @ObjectCheck(({ driver, source }: CameraEntryDto) => {
    if (source !== undefined && typeof source !== 'string') return 'source must be a string';
    // An unknown driver is reported on its own field.
    if (!(CAMERA_DRIVER_NAMES as readonly string[]).includes(driver)) return undefined;
    return sourceProblem(driver, source, 'source', 'driver');
  })
  source?: string;

  @OptionalField()
  @IsString({
    message: 'sourceFormat must be an ffmpeg input format name, such as v4l2, lavfi or x11grab',
  })
  @Matches(/^[\w-]+$/, {
    message: 'sourceFormat must be an ffmpeg input format name, such as v4l2, lavfi or x11grab',
  })
  sourceFormat?: string;

  @OptionalField()
  @IsString({ message: 'ffmpegPath must be the path of an executable ffmpeg program' })
  ffmpegPath?: string;

  @apply(between('idleTimeout', { min: 0, max: 86400 }, false))
  idleTimeout?: number;

  @apply(between('stallTimeout', { min: 1, max: 3600 }, false))
  stallTimeout?: number;

  @apply(between('maxClients', { min: 1, max: 100000 }))
  maxClients?: number;

  @OptionalField()
  @ValidateNested()
  @Type(() => IrLedEntryDto)
  irLed?: IrLedEntryDto;
}

/** The keys an entry may have (every declared field is an own key of an instance). */
export const CAMERA_ENTRY_KEYS: readonly string[] = Object.keys(new CameraEntryDto());
export const IR_LED_ENTRY_KEYS: readonly string[] = Object.keys(new IrLedEntryDto());
