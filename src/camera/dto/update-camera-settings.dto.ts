import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsInt, IsNumber, Max, Min } from 'class-validator';
import { OptionalField } from '../../common/validation/optional-field';
import { ROTATIONS, type Rotation } from '../camera-driver.interface';

/*
 * The bounds here are what any camera could mean; each driver narrows them further through its
 * capabilities (GET /camera/capabilities). Every message names the field and what it allows.
 */
const SIZE = { min: 16, max: 8192 } as const;
const sizeMessage = (field: string): string =>
  `${field} must be an integer from ${SIZE.min} to ${SIZE.max}`;
const FRAMERATE_MESSAGE = 'framerate must be a number from 0.1 to 120';
const QUALITY_MESSAGE = 'quality must be an integer from 1 to 100';

/** A partial update of the camera settings: only the fields given change. */
export class UpdateCameraSettingsDto {
  @ApiPropertyOptional({
    minimum: SIZE.min,
    maximum: SIZE.max,
    example: 1280,
    description: 'Capture width in pixels',
  })
  @OptionalField()
  @IsInt({ message: sizeMessage('width') })
  @Min(SIZE.min, { message: sizeMessage('width') })
  @Max(SIZE.max, { message: sizeMessage('width') })
  width?: number;

  @ApiPropertyOptional({
    minimum: SIZE.min,
    maximum: SIZE.max,
    example: 720,
    description: 'Capture height in pixels',
  })
  @OptionalField()
  @IsInt({ message: sizeMessage('height') })
  @Min(SIZE.min, { message: sizeMessage('height') })
  @Max(SIZE.max, { message: sizeMessage('height') })
  height?: number;

  @ApiPropertyOptional({
    minimum: 0.1,
    maximum: 120,
    example: 15,
    description: 'Frames per second',
  })
  @OptionalField()
  @IsNumber({ allowNaN: false, allowInfinity: false }, { message: FRAMERATE_MESSAGE })
  @Min(0.1, { message: FRAMERATE_MESSAGE })
  @Max(120, { message: FRAMERATE_MESSAGE })
  framerate?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: 100, example: 80, description: 'JPEG quality' })
  @OptionalField()
  @IsInt({ message: QUALITY_MESSAGE })
  @Min(1, { message: QUALITY_MESSAGE })
  @Max(100, { message: QUALITY_MESSAGE })
  quality?: number;

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
