import {
  Controller,
  Get,
  Header,
  NotFoundException,
  Param,
  Query,
  Req,
  Res,
  ServiceUnavailableException,
  StreamableFile,
} from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { ErrorResponseDto } from '../common/error-response.dto';
import { FrameProducerService } from '../camera/frame-producer.service';
import { StreamConfig } from '../config/app-config';
import { SESSION_PATTERN, SnapshotQueryDto, VideoFeedQueryDto } from './dto/video-feed-query.dto';
import { chooseFraming } from './mjpeg-framing';
import { MjpegStreamService, type StreamClientInfo } from './mjpeg-stream.service';
import { formatTimestamp } from './mjpeg-part';
import { ViewerAuthService } from '../viewer-auth/viewer-auth.service';

@Controller()
@ApiTags('stream')
export class StreamController {
  constructor(
    private readonly streams: MjpegStreamService,
    private readonly producer: FrameProducerService,
    private readonly config: StreamConfig,
    private readonly auth: ViewerAuthService,
  ) {}

  /** The live Motion-JPEG stream, for an <img> tag. The response owns the socket until it closes. */
  @Get('video_feed')
  @ApiOperation({
    summary: 'The live stream (Motion-JPEG), for an `<img>` tag',
    description:
      'multipart/x-mixed-replace; boundary=frame. Each part: Content-Type image/jpeg, Content-Length and ' +
      'X-Timestamp (capture time, Unix seconds), the JPEG, then the boundary. Browsers showing it in an ' +
      '`<img>` (`Sec-Fetch-Dest: image`) get the boundary and the next part’s headers right after each JPEG ' +
      'instead, so they paint every frame on arrival; those parts carry no Content-Length. Unknown query ' +
      'parameters (cache-busters) are ignored. Also served at /stream and /?action=stream.',
  })
  @ApiProduces('multipart/x-mixed-replace; boundary=frame')
  @ApiOkResponse({ description: 'An endless multipart stream of JPEG frames' })
  @ApiBadRequestResponse({ type: ErrorResponseDto })
  videoFeed(@Req() req: Request, @Res() res: Response, @Query() query: VideoFeedQueryDto): void {
    const framing = chooseFraming({
      fetchDest: req.headers['sec-fetch-dest'],
      accept: req.headers.accept,
      advanceHeaders: query.advance_headers,
    });
    this.streams.open(req, res, { maxFps: query.fps, session: query.session, framing });
  }

  /** Whether the stream a page opened with ?session=ID is still open, and how it is doing. */
  @Get('video_feed/sessions/:id')
  @ApiOperation({
    summary: 'Whether the stream opened with ?session=ID is still open, and how it is doing',
  })
  @ApiOkResponse({
    description: 'framesSent, framesDropped, bufferedBytes, stalledMs, maxFps, connectedAt',
  })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: 'No open stream with this session' })
  @Header('Cache-Control', 'no-store')
  streamSession(@Param('id') id: string, @Req() req: Request): Partial<StreamClientInfo> {
    const info = SESSION_PATTERN.test(id) ? this.streams.session(id) : undefined;
    if (info === undefined)
      throw new NotFoundException(`No open stream with session ${JSON.stringify(id)}`);
    // A stream token may ask how its stream is doing, but not who else is watching from where.
    const signedIn = req.viewerCredential === 'basic' || req.viewerCredential === 'api-token';
    if (!this.auth.enabled || signedIn) return info;
    const { remoteAddress: _hidden, ...rest } = info;
    return rest;
  }

  /** The newest frame as one JPEG; starts the camera if it is idle. */
  @Get('snapshot.jpg')
  @ApiOperation({
    summary: 'The newest frame as one JPEG; starts the camera if it is idle',
    description:
      'Also served at /snapshot and /?action=snapshot. Unknown query parameters are ignored.',
  })
  @ApiProduces('image/jpeg')
  @ApiOkResponse({ description: 'image/jpeg, with X-Timestamp' })
  @ApiServiceUnavailableResponse({
    type: ErrorResponseDto,
    description: 'No frame within SNAPSHOT_TIMEOUT',
  })
  @Header('Cache-Control', 'no-cache, no-store, must-revalidate, max-age=0')
  async snapshot(
    @Res({ passthrough: true }) res: Response,
    // Validated (a token must be a string) but otherwise unused: viewer auth reads it.
    @Query() _query: SnapshotQueryDto,
  ): Promise<StreamableFile> {
    const timeoutMs = this.config.snapshotTimeoutMs;
    const frame = await this.producer.snapshot(timeoutMs);
    if (frame === undefined) {
      const { lastError, state } = this.producer.status();
      throw new ServiceUnavailableException({
        statusCode: 503,
        error: 'Service Unavailable',
        message: `No frame from the camera within ${timeoutMs / 1000} s`,
        cameraState: state,
        reason: lastError,
      });
    }
    res.setHeader('X-Timestamp', formatTimestamp(frame.capturedAt));
    return new StreamableFile(frame.jpeg, { type: 'image/jpeg', length: frame.jpeg.length });
  }
}
