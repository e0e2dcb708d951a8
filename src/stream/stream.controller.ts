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
import { SESSION_PATTERN, VideoFeedQueryDto } from './dto/video-feed-query.dto';
import { MjpegStreamService, type StreamClientInfo } from './mjpeg-stream.service';
import { formatTimestamp } from './mjpeg-part';

@Controller()
@ApiTags('stream')
export class StreamController {
  constructor(
    private readonly streams: MjpegStreamService,
    private readonly producer: FrameProducerService,
    private readonly config: StreamConfig,
  ) {}

  /** The live Motion-JPEG stream, for an <img> tag. The response owns the socket until it closes. */
  @Get('video_feed')
  @ApiOperation({
    summary: 'The live stream (Motion-JPEG), for an <img> tag',
    description:
      'multipart/x-mixed-replace; boundary=frame. Each part: Content-Type image/jpeg, Content-Length and ' +
      'X-Timestamp (capture time, Unix seconds), the JPEG, then the boundary. ?fps=N caps this viewer; ' +
      '?session=ID names the connection for GET /video_feed/sessions/{id}.',
  })
  @ApiProduces('multipart/x-mixed-replace; boundary=frame')
  @ApiOkResponse({ description: 'An endless multipart stream of JPEG frames' })
  @ApiBadRequestResponse({ type: ErrorResponseDto })
  videoFeed(@Req() req: Request, @Res() res: Response, @Query() query: VideoFeedQueryDto): void {
    this.streams.open(req, res, { maxFps: query.fps, session: query.session });
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
  streamSession(@Param('id') id: string): StreamClientInfo {
    const info = SESSION_PATTERN.test(id) ? this.streams.session(id) : undefined;
    if (info === undefined)
      throw new NotFoundException(`No open stream with session ${JSON.stringify(id)}`);
    return info;
  }

  /** The newest frame as one JPEG; starts the camera if it is idle. */
  @Get('snapshot.jpg')
  @ApiOperation({ summary: 'The newest frame as one JPEG; starts the camera if it is idle' })
  @ApiProduces('image/jpeg')
  @ApiOkResponse({ description: 'image/jpeg, with X-Timestamp' })
  @ApiServiceUnavailableResponse({
    type: ErrorResponseDto,
    description: 'No frame within SNAPSHOT_TIMEOUT',
  })
  @Header('Cache-Control', 'no-cache, no-store, must-revalidate, max-age=0')
  async snapshot(@Res({ passthrough: true }) res: Response): Promise<StreamableFile> {
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
