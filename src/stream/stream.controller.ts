import {
  applyDecorators,
  Controller,
  Get,
  Header,
  NotFoundException,
  Param,
  Query,
  Req,
  Res,
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
import { ViewerAuthService } from '../auth/viewer-auth.service';
import type { Camera } from '../cameras/camera';
import { CameraRegistry } from '../cameras/camera-registry.service';
import { ErrorResponseDto } from '../common/error-response.dto';
import { SESSION_PATTERN, SnapshotQueryDto, VideoFeedQueryDto } from './dto/video-feed-query.dto';
import { chooseFraming } from './mjpeg-framing';
import { formatTimestamp } from './mjpeg-part';
import { MjpegStreamService, type StreamClientInfo } from './mjpeg-stream.service';
import { StreamConfig } from './stream.config';

const STREAM_DESCRIPTION =
  'multipart/x-mixed-replace; boundary=frame. Each part: Content-Type image/jpeg, Content-Length and ' +
  'X-Timestamp (capture time, Unix seconds), the JPEG, then the boundary. Browsers showing it in an ' +
  '`<img>` (`Sec-Fetch-Dest: image`) get the boundary and the next part’s headers right after each JPEG ' +
  'instead, so they paint every frame on arrival; those parts carry no Content-Length. Unknown query ' +
  'parameters (cache-busters) are ignored.';
const FIRST = ' Without a camera in the URL: the first camera.';

/** How a snapshot route answers: one JPEG, never cached, 503 when the camera gives none. */
const SnapshotRoute = (summary: string, description?: string): MethodDecorator =>
  applyDecorators(
    ApiOperation({ summary, description }),
    ApiProduces('image/jpeg'),
    ApiOkResponse({ description: 'image/jpeg, with X-Timestamp' }),
    ApiServiceUnavailableResponse({
      type: ErrorResponseDto,
      description: 'No frame within SNAPSHOT_TIMEOUT',
    }),
    Header('Cache-Control', 'no-cache, no-store, must-revalidate, max-age=0'),
  );

/** How a stream route answers. */
const StreamRoute = (summary: string, description: string): MethodDecorator =>
  applyDecorators(
    ApiOperation({ summary, description }),
    ApiProduces('multipart/x-mixed-replace; boundary=frame'),
    ApiOkResponse({ description: 'An endless multipart stream of JPEG frames' }),
    ApiBadRequestResponse({ type: ErrorResponseDto }),
  );

/** The media of each camera: its MJPEG stream, its snapshots, and the state of a stream. */
@Controller()
@ApiTags('stream')
@ApiNotFoundResponse({ type: ErrorResponseDto, description: 'No such camera (the known ids)' })
export class StreamController {
  constructor(
    private readonly streams: MjpegStreamService,
    private readonly registry: CameraRegistry,
    private readonly config: StreamConfig,
    private readonly auth: ViewerAuthService,
  ) {}

  @Get('cameras/:camera/video_feed')
  @StreamRoute('A camera’s live stream (Motion-JPEG), for an `<img>` tag', STREAM_DESCRIPTION)
  cameraFeed(
    @Param('camera') camera: string,
    @Req() req: Request,
    @Res() res: Response,
    @Query() query: VideoFeedQueryDto,
  ): void {
    this.open(this.registry.get(camera), req, res, query);
  }

  /** The first camera's stream, at the URL camfeed always had (and /stream, /?action=stream). */
  @Get('video_feed')
  @StreamRoute(
    'The live stream (Motion-JPEG) of the first camera, for an `<img>` tag',
    `${STREAM_DESCRIPTION} Also served at /stream and /?action=stream; /?action=stream_N is camera N.`,
  )
  videoFeed(@Req() req: Request, @Res() res: Response, @Query() query: VideoFeedQueryDto): void {
    this.open(this.registry.first(), req, res, query);
  }

  @Get('cameras/:camera/video_feed/sessions/:id')
  @ApiOperation({
    summary: 'Whether the stream opened with ?session=ID is still open, and how it is doing',
  })
  @ApiOkResponse({
    description:
      'framesSent, framesDropped, bufferedBytes, stalledMs, maxFps, connectedAt, framing',
  })
  @Header('Cache-Control', 'no-store')
  cameraSession(
    @Param('camera') camera: string,
    @Param('id') id: string,
    @Req() req: Request,
  ): Partial<StreamClientInfo> {
    return this.session(id, req, this.registry.get(camera).id);
  }

  @Get('video_feed/sessions/:id')
  @ApiOperation({
    summary: 'Whether the stream opened with ?session=ID is still open, and how it is doing',
    description: 'Whatever camera the stream shows.',
  })
  @ApiOkResponse({
    description:
      'framesSent, framesDropped, bufferedBytes, stalledMs, maxFps, connectedAt, framing',
  })
  @Header('Cache-Control', 'no-store')
  streamSession(@Param('id') id: string, @Req() req: Request): Partial<StreamClientInfo> {
    return this.session(id, req);
  }

  @Get('cameras/:camera/snapshot.jpg')
  @SnapshotRoute('A camera’s newest frame as one JPEG; starts the camera if it is idle')
  async cameraSnapshot(
    @Param('camera') camera: string,
    @Res({ passthrough: true }) res: Response,
    // Validated (a token must be a string) but otherwise unused: viewer auth reads it.
    @Query() _query: SnapshotQueryDto,
  ): Promise<StreamableFile> {
    return this.snapshotOf(this.registry.get(camera), res);
  }

  @Get('snapshot.jpg')
  @SnapshotRoute(
    'The first camera’s newest frame as one JPEG; starts the camera if it is idle',
    `Also served at /snapshot and /?action=snapshot; /?action=snapshot_N is camera N. Unknown query parameters are ignored.${FIRST}`,
  )
  async snapshot(
    @Res({ passthrough: true }) res: Response,
    @Query() _query: SnapshotQueryDto,
  ): Promise<StreamableFile> {
    return this.snapshotOf(this.registry.first(), res);
  }

  private open(camera: Camera, req: Request, res: Response, query: VideoFeedQueryDto): void {
    const framing = chooseFraming({
      fetchDest: req.headers['sec-fetch-dest'],
      accept: req.headers.accept,
      advanceHeaders: query.advance_headers,
    });
    this.streams.open(camera, req, res, { maxFps: query.fps, session: query.session, framing });
  }

  private session(id: string, req: Request, cameraId?: string): Partial<StreamClientInfo> {
    const info = SESSION_PATTERN.test(id) ? this.streams.session(id, cameraId) : undefined;
    if (info === undefined)
      throw new NotFoundException(`No open stream with session ${JSON.stringify(id)}`);
    // A stream token may ask how its stream is doing, but not who else is watching from where.
    const signedIn = req.viewerCredential === 'basic' || req.viewerCredential === 'api-token';
    if (!this.auth.enabled || signedIn) return info;
    const { remoteAddress: _hidden, ...rest } = info;
    return rest;
  }

  private async snapshotOf(camera: Camera, res: Response): Promise<StreamableFile> {
    const frame = await camera.control.snapshot(this.config.snapshotTimeoutMs);
    res.setHeader('X-Timestamp', formatTimestamp(frame.capturedAt));
    return new StreamableFile(frame.jpeg, { type: 'image/jpeg', length: frame.jpeg.length });
  }
}
