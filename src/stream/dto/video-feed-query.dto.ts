import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsBoolean, IsNumber, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { IgnoresUnknownFields } from '../../common/validation/app-validation.pipe';
import { OptionalField } from '../../common/validation/optional-field';

export const SESSION_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
const SESSION_MESSAGE = 'session must be 1 to 64 letters, digits, _ or -';
const FPS_MESSAGE = 'fps must be a number from 0.1 to 120';
const ADVANCE_HEADERS_MESSAGE = 'advance_headers must be 0 or 1 (or false or true)';

const FLAGS: Record<string, boolean> = { '1': true, true: true, '0': false, false: false };

/** What a snapshot URL understands: a stream token; anything else is ignored. */
@IgnoresUnknownFields()
export class SnapshotQueryDto {
  @ApiPropertyOptional({
    description: 'A stream token from POST /video_feed/token, when STREAM_AUTH is on',
  })
  @OptionalField()
  @IsString({ message: 'token must be a string' })
  @MaxLength(200, { message: 'token must be a string of up to 200 characters' })
  token?: string;
}

/**
 * What /video_feed (and its aliases) understands. Anything else in the query is ignored, because
 * players add cache-busters of their own; what is here is still checked.
 */
@IgnoresUnknownFields()
export class VideoFeedQueryDto extends SnapshotQueryDto {
  /** Caps the frame rate for this one viewer, for slow links. */
  @ApiPropertyOptional({
    description: 'Caps the frame rate for this viewer only (0.1–120), for slow links',
    minimum: 0.1,
    maximum: 120,
    example: 5,
  })
  @OptionalField()
  @Type(() => Number)
  @IsNumber({ allowNaN: false, allowInfinity: false }, { message: FPS_MESSAGE })
  @Min(0.1, { message: FPS_MESSAGE })
  @Max(120, { message: FPS_MESSAGE })
  fps?: number;

  /**
   * A name the page gives this connection, so it can ask later whether the stream is still open
   * (GET /video_feed/sessions/:id): browsers report no event when an image stream ends.
   */
  @ApiPropertyOptional({
    description:
      'A name for this connection (1–64 letters, digits, _ or -), to ask GET /video_feed/sessions/{id} whether it is still open',
    pattern: SESSION_PATTERN.source,
  })
  @OptionalField()
  @IsString({ message: SESSION_MESSAGE })
  @Matches(SESSION_PATTERN, { message: SESSION_MESSAGE })
  session?: string;

  /**
   * Forces the framing (µStreamer's name): 1 = the next part's headers right after each JPEG
   * (browsers), 0 = Content-Length in every part (players). Chosen from the request when absent.
   */
  @ApiPropertyOptional({
    description:
      'Forces the framing: 1 = the next part’s headers right after each JPEG (what browsers get, painted on ' +
      'arrival, no Content-Length), 0 = Content-Length in every part (what players get). Default: chosen from ' +
      'the request (`Sec-Fetch-Dest: image` means a browser)',
    enum: ['0', '1'],
  })
  @OptionalField()
  @Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' && Object.hasOwn(FLAGS, value.toLowerCase())
      ? FLAGS[value.toLowerCase()]
      : value,
  )
  @IsBoolean({ message: ADVANCE_HEADERS_MESSAGE })
  advance_headers?: boolean;
}
