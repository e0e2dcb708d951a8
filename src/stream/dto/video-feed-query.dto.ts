import { Type } from 'class-transformer';
import { IsNumber, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { OptionalField } from '../../common/validation/optional-field';

export const SESSION_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
const SESSION_MESSAGE = 'session must be 1 to 64 letters, digits, _ or -';

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

  /**
   * A name the page gives this connection, so it can ask later whether the stream is still open
   * (GET /video_feed/sessions/:id): browsers report no event when an image stream ends.
   */
  @OptionalField()
  @IsString({ message: SESSION_MESSAGE })
  @Matches(SESSION_PATTERN, { message: SESSION_MESSAGE })
  session?: string;

  /** A stream token (STREAM_AUTH), checked before the request gets here. */
  @OptionalField()
  @IsString({ message: 'token must be a string' })
  @MaxLength(200, { message: 'token must be a string of up to 200 characters' })
  token?: string;
}
