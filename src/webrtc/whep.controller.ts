import {
  applyDecorators,
  Controller,
  Delete,
  Header,
  HttpCode,
  HttpException,
  NotFoundException,
  Options,
  Param,
  Patch,
  Post,
  Req,
  Res,
} from '@nestjs/common';
import {
  ApiBody,
  ApiConsumes,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOperation,
  ApiProduces,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import type { Request, Response } from 'express';
import { ViewerAction } from '../auth/viewer-action.decorator';
import type { Camera } from '../cameras/camera';
import { CameraRegistry } from '../cameras/camera-registry.service';
import { ErrorResponseDto } from '../common/error-response.dto';
import { iceServerLinks } from './ice-server-links';
import { WebRtcService } from './webrtc.service';

const SDP = 'application/sdp';
const SDP_FRAGMENT = 'application/trickle-ice-sdpfrag';
const OFFER_DESCRIPTION =
  'WHEP (RFC 9725 for playback): post an SDP offer that receives H.264 video; the answer (201) carries ' +
  'the SDP answer with the server’s candidates, `Location` (DELETE it to leave, PATCH it with trickle ICE ' +
  'candidates) and `Link` headers for the configured STUN/TURN servers. Viewer auth is as for the ' +
  'MJPEG stream: Basic, or a stream token as `Authorization: Bearer` or `?token=`. Counts against MAX_CLIENTS.';

/** How a WHEP endpoint route is documented. */
const OfferRoute = (summary: string): MethodDecorator =>
  applyDecorators(
    ApiOperation({ summary, description: OFFER_DESCRIPTION }),
    ApiConsumes(SDP),
    ApiProduces(SDP),
    ApiBody({ description: 'The SDP offer', schema: { type: 'string' } }),
    ApiCreatedResponse({ description: 'The SDP answer' }),
    ApiUnauthorizedResponse({ type: ErrorResponseDto }),
    ApiServiceUnavailableResponse({
      type: ErrorResponseDto,
      description: 'WebRTC is off here, the camera has no H.264, or MAX_CLIENTS is reached',
    }),
    HttpCode(201),
    ViewerAction(),
  );

/** A body of the wrong type: 415 naming the one expected. */
class UnsupportedBody extends HttpException {
  constructor(req: Request, expected: string) {
    super(
      {
        statusCode: 415,
        error: 'Unsupported Media Type',
        message: `Content-Type must be ${expected} (got ${req.headers['content-type'] ?? 'none'})`,
      },
      415,
    );
  }
}

const bodyOf = (req: Request, type: string): string => {
  if (!req.is(type) || typeof req.body !== 'string') throw new UnsupportedBody(req, type);
  return req.body;
};

/**
 * WHEP endpoints, one per camera (and the first camera's without an id), and the sessions they
 * open. Standard players (OBS, GStreamer's whepsrc, MediaMTX's player) need nothing else.
 */
@Controller()
@ApiTags('webrtc')
@ApiNotFoundResponse({ type: ErrorResponseDto, description: 'No such camera or session' })
// A viewer joining, like GET /video_feed, is bounded by MAX_CLIENTS, not by the change rate limit
// (a classroom behind one address opens thirty at once).
@SkipThrottle()
export class WhepController {
  constructor(
    private readonly webrtc: WebRtcService,
    private readonly registry: CameraRegistry,
  ) {}

  @Post('cameras/:camera/whep')
  @OfferRoute('Watch a camera over WebRTC (H.264)')
  async cameraOffer(
    @Param('camera') camera: string,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<string> {
    return this.offer(this.registry.get(camera), req, res, true);
  }

  @Post('whep')
  @OfferRoute('Watch the first camera over WebRTC (H.264)')
  async offerFirst(
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<string> {
    return this.offer(this.registry.first(), req, res, false);
  }

  @Delete('cameras/:camera/whep/:session')
  @ViewerAction()
  @ApiOperation({ summary: 'Leave a WebRTC session: its peer connection and UDP port are freed' })
  @ApiCreatedResponse({ description: 'Ended' })
  @HttpCode(200)
  cameraLeave(@Param('camera') camera: string, @Param('session') session: string): void {
    this.sessionOf(this.registry.get(camera).id, session).close('viewer left (DELETE)');
  }

  @Delete('whep/:session')
  @ViewerAction()
  @ApiOperation({ summary: 'Leave a WebRTC session of the first camera' })
  @HttpCode(200)
  leave(@Param('session') session: string): void {
    this.sessionOf(this.registry.first().id, session).close('viewer left (DELETE)');
  }

  @Patch('cameras/:camera/whep/:session')
  @ViewerAction()
  @ApiOperation({
    summary: 'Trickle ICE: more candidates of the viewer (application/trickle-ice-sdpfrag)',
    description: 'An ICE restart (new ufrag) is answered 422: post a new offer instead.',
  })
  @ApiConsumes(SDP_FRAGMENT)
  @ApiNoContentResponse({ description: 'Candidates added' })
  @HttpCode(204)
  cameraTrickle(
    @Param('camera') camera: string,
    @Param('session') session: string,
    @Req() req: Request,
  ): void {
    this.trickle(this.registry.get(camera).id, session, req);
  }

  @Patch('whep/:session')
  @ViewerAction()
  @ApiOperation({ summary: 'Trickle ICE for a session of the first camera' })
  @ApiConsumes(SDP_FRAGMENT)
  @HttpCode(204)
  trickleFirst(@Param('session') session: string, @Req() req: Request): void {
    this.trickle(this.registry.first().id, session, req);
  }

  /** Without a CORS preflight (which CORS_ORIGINS answers before this): what the endpoint takes. */
  @Options(['cameras/:camera/whep', 'whep'])
  @ApiOperation({ summary: 'What the WHEP endpoint accepts (Accept-Post), and its ICE servers' })
  @ApiNoContentResponse({ description: 'Allow, Accept-Post, Link' })
  @HttpCode(204)
  @Header('Allow', 'POST, OPTIONS')
  @Header('Accept-Post', SDP)
  describeEndpoint(@Res({ passthrough: true }) res: Response): void {
    this.addIceLinks(res);
  }

  @Options(['cameras/:camera/whep/:session', 'whep/:session'])
  @HttpCode(204)
  @Header('Allow', 'DELETE, PATCH, OPTIONS')
  @Header('Accept-Patch', SDP_FRAGMENT)
  describeSession(): void {}

  private async offer(
    camera: Camera,
    req: Request,
    res: Response,
    named: boolean,
  ): Promise<string> {
    const offer = bodyOf(req, SDP);
    const remote = req.ip ?? req.socket.remoteAddress ?? 'unknown';
    const { session, answer } = await this.webrtc.open(camera, offer, remote);
    const base = named ? `/cameras/${encodeURIComponent(camera.id)}/whep` : '/whep';
    res.setHeader('Location', `${base}/${session.id}`);
    res.setHeader('Content-Type', SDP);
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Accept-Patch', SDP_FRAGMENT);
    this.addIceLinks(res);
    return answer;
  }

  private trickle(cameraId: string, id: string, req: Request): void {
    const session = this.sessionOf(cameraId, id);
    const fragment = bodyOf(req, SDP_FRAGMENT);
    if (!session.trickle(fragment)) {
      throw new HttpException(
        {
          statusCode: 422,
          error: 'Unprocessable Content',
          message: 'ICE restarts are not supported: post a new offer to the WHEP endpoint',
        },
        422,
      );
    }
  }

  private sessionOf(cameraId: string, id: string) {
    const session = this.webrtc.find(cameraId, id);
    if (session === undefined)
      throw new NotFoundException(`No WebRTC session ${JSON.stringify(id)}`);
    return session;
  }

  private addIceLinks(res: Response): void {
    const links = iceServerLinks(this.webrtc.iceServers);
    if (links.length > 0) res.setHeader('Link', links);
  }
}
