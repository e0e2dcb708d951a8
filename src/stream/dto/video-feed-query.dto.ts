import { Type } from 'class-transformer';
import { IsNumber, IsString, Max, MaxLength, Min } from 'class-validator';
import { OptionalField } from '../../common/validation/optional-field';

export class VideoFeedQueryDto {
  /** Caps the frame rate for this one viewer, for slow links. */
  @OptionalField()
  @Type(() => Number)
  @IsNumber(
    { allowNaN: false, allowInfinity: false },
    { message: 'fps must be a number from 0.1 to 120' },
  )
  @Min(0.1, { message: 'fps must be a number from 0.1 to 120' })
  @Max(120, { message: 'fps must be a number from 0.1 to 120' })
  fps?: number;

  /** Ignored: lets a page open a fresh connection under a new URL, so no cached image is reused. */
  @OptionalField()
  @IsString({ message: 'r must be a string of up to 64 characters' })
  @MaxLength(64, { message: 'r must be a string of up to 64 characters' })
  r?: string;
}
