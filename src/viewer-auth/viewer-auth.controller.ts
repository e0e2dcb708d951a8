import {
  Controller,
  ForbiddenException,
  HttpCode,
  NotFoundException,
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
import { ViewerAction } from '../common/guards/viewer-action.decorator';
import { ViewerAuthService } from './viewer-auth.service';

@Controller('video_feed')
@ApiTags('stream')
export class ViewerAuthController {
  constructor(private readonly auth: ViewerAuthService) {}

  @Post('token')
  @HttpCode(200)
  @ViewerAction()
  @ApiOperation({
    summary: 'A signed, expiring stream token, for `<img src="/video_feed?token=...">`',
    description:
      'With STREAM_AUTH on: ask with the viewer user name and password (Basic) or the API token. A token ' +
      'opens /video_feed and /snapshot.jpg until it expires (STREAM_TOKEN_TTL); a stream already open stays open.',
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
    if (!this.auth.enabled)
      throw new NotFoundException('Stream authentication is off: no token is needed');
    if (req.viewerCredential === 'token') {
      throw new ForbiddenException(
        'A stream token cannot be used to get another one: sign in instead',
      );
    }
    const issued = this.auth.issue();
    return { ...issued, url: `/video_feed?token=${issued.token}` };
  }
}
