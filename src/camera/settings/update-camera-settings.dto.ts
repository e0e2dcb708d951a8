import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsInt, IsNumber, Max, Min } from 'class-validator';
import { OptionalField } from '../../common/validation/optional-field';
import { ROTATIONS, type Rotation, SETTINGS_LIMITS } from './settings-limits';

type Bounded = keyof typeof SETTINGS_LIMITS;

const DESCRIPTIONS: Record<Bounded, string> = {
  width: 'Capture width in pixels',
  height: 'Capture height in pixels',
  framerate: 'Frames per second; fractions allowed',
  quality: 'JPEG quality',
  bitrate: 'H.264 (WebRTC) bitrate, kbit/s',
  keyframeInterval: 'Seconds between H.264 keyframes',
};
const EXAMPLES: Record<Bounded, number> = {
  width: 1280,
  height: 720,
  framerate: 15,
  quality: 80,
  bitrate: 2000,
  keyframeInterval: 1,
};

/**
 * A bounded setting: its range (SETTINGS_LIMITS), its validation and its documentation, with
 * one message that names the field and what it allows. Each driver narrows the range further
 * through its capabilities.
 */
function BoundedSetting(field: Bounded, integer: boolean): PropertyDecorator {
  const { min, max } = SETTINGS_LIMITS[field];
  const message = `${field} must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max}`;
  return applyDecorators(
    ApiPropertyOptional({
      minimum: min,
      maximum: max,
      example: EXAMPLES[field],
      description: DESCRIPTIONS[field],
    }),
    OptionalField(),
    integer ? IsInt({ message }) : IsNumber({ allowNaN: false, allowInfinity: false }, { message }),
    Min(min, { message }),
    Max(max, { message }),
  );
}

/** A partial update of the camera settings: only the fields given change. */
export class UpdateCameraSettingsDto {
  @BoundedSetting('width', true)
  width?: number;

  @BoundedSetting('height', true)
  height?: number;

  @BoundedSetting('framerate', false)
  framerate?: number;

  @BoundedSetting('quality', true)
  quality?: number;

  @BoundedSetting('bitrate', true)
  bitrate?: number;

  @BoundedSetting('keyframeInterval', false)
  keyframeInterval?: number;

  @ApiPropertyOptional({
    enum: ROTATIONS,
    example: 180,
    description: 'Clockwise rotation in degrees',
  })
  @OptionalField()
  @IsIn(ROTATIONS, { message: `rotation must be one of: ${ROTATIONS.join(', ')}` })
  rotation?: Rotation;

  @ApiPropertyOptional({ example: false, description: 'Mirror left to right' })
  @OptionalField()
  @IsBoolean({ message: 'hflip must be a boolean (true or false)' })
  hflip?: boolean;

  @ApiPropertyOptional({ example: false, description: 'Mirror top to bottom' })
  @OptionalField()
  @IsBoolean({ message: 'vflip must be a boolean (true or false)' })
  vflip?: boolean;
}
