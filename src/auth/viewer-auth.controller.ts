import {
  Controller,
  ForbiddenException,
  HttpCode,
  NotFoundException,
  Param,
  Post,
  Req,
} from '@nestjs/common';
import {
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { Request } from 'express';
import { ErrorResponseDto } from '../common/error-response.dto';
import { ViewerAction } from './viewer-action.decorator';
import { CameraRegistry } from '../cameras/camera-registry.service';
import { ViewerAuthService } from './viewer-auth.service';

const TOKEN_DESCRIPTION =
  'With STREAM_AUTH on: ask with the viewer user name and password (Basic) or the API token. A token ' +
  'opens the streams and snapshots of this server’s cameras until it expires (STREAM_TOKEN_TTL), and ' +
  'nothing else; a stream already open stays open.';

@Controller()
@ApiTags('stream')
export class ViewerAuthController {
  constructor(
    private readonly auth: ViewerAuthService,
    private readonly registry: CameraRegistry,
  ) {}

  @Post('cameras/:camera/video_feed/token')
  @HttpCode(200)
  @ViewerAction()
  @ApiOperation({
    summary:
      'A signed, expiring stream token, for `<img src="/cameras/{camera}/video_feed?token=...">`',
    description: TOKEN_DESCRIPTION,
  })
  @ApiOkResponse({ description: '{ token, expiresAt, url }' })
  @ApiNotFoundResponse({
    type: ErrorResponseDto,
    description: 'STREAM_AUTH is off (no token is needed), or no such camera',
  })
  @ApiForbiddenResponse({
    type: ErrorResponseDto,
    description: 'A token cannot be traded for a new one',
  })
  issueForCamera(
    @Param('camera') camera: string,
    @Req() req: Request,
  ): { token: string; expiresAt: string; url: string } {
    const id = this.registry.get(camera).id;
    return this.issueFor(req, `/cameras/${encodeURIComponent(id)}/video_feed`);
  }

  @Post('video_feed/token')
  @HttpCode(200)
  @ViewerAction()
  @ApiOperation({
    summary: 'A signed, expiring stream token, for `<img src="/video_feed?token=...">`',
    description: TOKEN_DESCRIPTION,
  })
  @ApiOkResponse({ description: '{ token, expiresAt, url }' })
  @ApiNotFoundResponse({
    type: ErrorResponseDto,
    description: 'STREAM_AUTH is off: no token is needed',
  })
  @ApiForbiddenResponse({
    type: ErrorResponseDto,
    description: 'A token cannot be traded for a new one',
  })
  issue(@Req() req: Request): { token: string; expiresAt: string; url: string } {
    return this.issueFor(req, '/video_feed');
  }

  private issueFor(
    req: Request,
    stream: string,
  ): { token: string; expiresAt: string; url: string } {
    if (!this.auth.enabled)
      throw new NotFoundException('Stream authentication is off: no token is needed');
    if (req.viewerCredential === 'token') {
      throw new ForbiddenException(
        'A stream token cannot be used to get another one: sign in instead',
      );
    }
    const issued = this.auth.issue();
    return { ...issued, url: `${stream}?token=${issued.token}` };
  }
}
