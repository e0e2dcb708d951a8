import { ApiExtraModels, ApiProperty, ApiPropertyOptional, getSchemaPath } from '@nestjs/swagger';
import { ROTATIONS, type Rotation, SETTINGS_LIMITS } from './settings-limits';

/*
 * The shapes of a camera's settings and capabilities: the types the code uses and, through their
 * decorators, what the API documentation shows. One definition for both.
 */

/**
 * What a driver is asked to capture. `width`×`height` is the capture size; with `rotation` 90 or
 * 270 the stream's frames are `height`×`width`. Flips apply to the camera image, before rotation.
 */
export class CameraSettings {
  @ApiProperty({ ...SETTINGS_LIMITS.width, example: 640, description: 'Capture width in pixels' })
  readonly width!: number;

  @ApiProperty({ ...SETTINGS_LIMITS.height, example: 480, description: 'Capture height in pixels' })
  readonly height!: number;

  @ApiProperty({
    ...SETTINGS_LIMITS.framerate,
    example: 30,
    description: 'Frames per second; fractions allowed (0.5 = one frame every two seconds)',
  })
  readonly framerate!: number;

  @ApiProperty({ ...SETTINGS_LIMITS.quality, example: 80, description: 'JPEG quality' })
  readonly quality!: number;

  @ApiProperty({ enum: ROTATIONS, example: 0, description: 'Clockwise rotation in degrees' })
  readonly rotation!: Rotation;

  @ApiProperty({ example: false, description: 'Mirror left to right' })
  readonly hflip!: boolean;

  @ApiProperty({ example: false, description: 'Mirror top to bottom' })
  readonly vflip!: boolean;

  @ApiProperty({
    ...SETTINGS_LIMITS.bitrate,
    example: 2000,
    description: 'H.264 (WebRTC) bitrate, kbit/s',
  })
  readonly bitrate!: number;

  @ApiProperty({
    ...SETTINGS_LIMITS.keyframeInterval,
    example: 1,
    description: 'Seconds between H.264 keyframes',
  })
  readonly keyframeInterval!: number;
}

export class Range {
  @ApiProperty() readonly min!: number;
  @ApiProperty() readonly max!: number;
}

export class CaptureMode {
  @ApiProperty() readonly width!: number;
  @ApiProperty() readonly height!: number;
  @ApiPropertyOptional({ description: 'The highest frame rate the camera offers at this size' })
  readonly maxFramerate?: number;
}

/** The fastest frame rate a camera reaches at sizes up to `width`×`height`. */
export class SizeFramerateLimit {
  @ApiProperty() readonly width!: number;
  @ApiProperty() readonly height!: number;
  @ApiProperty() readonly maxFramerate!: number;
}

export class RangeSizes {
  @ApiProperty({ enum: ['range'] }) readonly kind!: 'range';
  @ApiProperty({ type: Range }) readonly width!: Range;
  @ApiProperty({ type: Range }) readonly height!: Range;
}

export class ModeSizes {
  @ApiProperty({ enum: ['modes'] }) readonly kind!: 'modes';
  @ApiProperty({ type: [CaptureMode] }) readonly modes!: readonly CaptureMode[];
}

/** What a driver can do; requests outside it are refused with the allowed values. */
@ApiExtraModels(RangeSizes, ModeSizes)
export class CameraCapabilities {
  @ApiProperty({
    description: 'Any size within the ranges, or only the listed modes',
    oneOf: [{ $ref: getSchemaPath(RangeSizes) }, { $ref: getSchemaPath(ModeSizes) }],
  })
  readonly sizes!: RangeSizes | ModeSizes;

  @ApiProperty({ type: Range }) readonly framerate!: Range;

  /**
   * For cameras that scale from a few sensor modes (a small mode reads out faster than the full
   * sensor): a size may go as fast as the fastest entry that covers it in width and height, or the
   * largest entry beyond all of them. Without it `framerate.max` holds at every size.
   */
  @ApiPropertyOptional({
    type: [SizeFramerateLimit],
    description:
      'Frame-rate limits by size (Raspberry Pi cameras): a size may go as fast as the fastest entry at least as wide and as tall',
  })
  readonly framerateBySize?: readonly SizeFramerateLimit[];

  @ApiProperty({
    type: Range,
    nullable: true,
    description: 'null: the source JPEGs pass through unchanged, their quality cannot change',
  })
  readonly quality!: Range | null;

  @ApiProperty({ type: Range, description: 'H.264 (WebRTC) bitrate, kbit/s' })
  readonly bitrate!: Range;

  @ApiProperty({ type: Range, description: 'Seconds between H.264 keyframes' })
  readonly keyframeInterval!: Range;

  @ApiProperty({ enum: ROTATIONS, isArray: true }) readonly rotations!: readonly Rotation[];

  @ApiProperty({ description: 'Whether hflip and vflip are supported' }) readonly flips!: boolean;
}

/** What any camera may be asked for, when a driver cannot tell what it supports. */
export const GENERIC_CAPABILITIES: CameraCapabilities = {
  sizes: { kind: 'range', width: SETTINGS_LIMITS.width, height: SETTINGS_LIMITS.height },
  framerate: SETTINGS_LIMITS.framerate,
  quality: SETTINGS_LIMITS.quality,
  bitrate: SETTINGS_LIMITS.bitrate,
  keyframeInterval: SETTINGS_LIMITS.keyframeInterval,
  rotations: ROTATIONS,
  flips: true,
};
