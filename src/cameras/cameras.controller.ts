import {
  Controller,
  Get,
  Header,
  HttpCode,
  Post,
  UnprocessableEntityException,
} from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiPropertyOptional,
  ApiTags,
  ApiUnauthorizedResponse,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { CAMERA_STATES, type CameraState } from '../camera/producer/camera-status';
import { ErrorResponseDto } from '../common/error-response.dto';
import type { Camera } from './camera';
import { type CameraLocation, CameraRegistry, type ReloadResult } from './camera-registry.service';
import { CamerasFileError } from './cameras-file';

class CameraUrls {
  @ApiProperty({ example: '/cameras/printer/video_feed' }) readonly stream!: string;
  @ApiProperty({ example: '/cameras/printer/snapshot.jpg' }) readonly snapshot!: string;
  @ApiProperty({ example: '/cameras/printer/status' }) readonly status!: string;
  @ApiProperty({ example: '/cameras/printer/settings' }) readonly settings!: string;
  @ApiProperty({ example: '/#/cameras/printer', description: 'The page showing this camera' })
  readonly page!: string;
}

class FrameSize {
  @ApiProperty() readonly width!: number;
  @ApiProperty() readonly height!: number;
}

/** One camera of GET /cameras. */
export class CameraSummary {
  @ApiProperty({ example: 'printer' }) readonly id!: string;
  @ApiProperty({ example: 'Printer' }) readonly name!: string;
  @ApiProperty({ example: 'ffmpeg' }) readonly driver!: string;
  @ApiProperty({ enum: CAMERA_STATES }) readonly state!: CameraState;
  @ApiProperty() readonly running!: boolean;
  @ApiProperty({ description: 'Viewers and snapshot requests using the camera now' })
  readonly clients!: number;
  @ApiProperty({ type: FrameSize, nullable: true }) readonly frameSize!: FrameSize | null;
  @ApiProperty({ nullable: true }) readonly lastError!: string | null;
  @ApiProperty({ type: CameraUrls }) readonly urls!: CameraUrls;
  @ApiPropertyOptional({
    example: 'pi-kitchen',
    description: 'In a cluster (NATS_URL): the node the camera is on',
  })
  readonly node?: string;
  @ApiPropertyOptional({
    description: 'In a cluster: whether the camera is this node’s own (else another node’s)',
  })
  readonly local?: boolean;
  @ApiPropertyOptional({
    type: [String],
    description:
      'In a cluster: the nodes announcing a camera with this same id, when more than one does. Each is listed; on other nodes the id answers 409 until one is renamed.',
  })
  readonly conflict?: string[];
}

class CameraList {
  @ApiProperty({ type: [CameraSummary] }) readonly cameras!: CameraSummary[];
}

class ReloadAnswer {
  @ApiProperty({ type: [String] }) readonly added!: string[];
  @ApiProperty({ type: [String] }) readonly removed!: string[];
  @ApiProperty({ type: [String] }) readonly changed!: string[];
  @ApiProperty({ type: [String] }) readonly unchanged!: string[];
}

function summarize(camera: Camera, location: CameraLocation | undefined): CameraSummary {
  const status = camera.overview();
  const base = `/cameras/${encodeURIComponent(camera.id)}`;
  return {
    id: camera.id,
    name: camera.name,
    driver: status.driver,
    state: status.state,
    running: status.running,
    clients: status.clients,
    frameSize: status.frameSize,
    lastError: status.lastError,
    urls: {
      stream: `${base}/video_feed`,
      snapshot: `${base}/snapshot.jpg`,
      status: `${base}/status`,
      settings: `${base}/settings`,
      page: `/#${base}`,
    },
    ...(location === undefined
      ? {}
      : {
          node: location.node,
          local: camera.local,
          ...(location.conflict.length > 0 ? { conflict: [...location.conflict] } : {}),
        }),
  };
}

@Controller('cameras')
@ApiTags('cameras')
export class CamerasController {
  constructor(private readonly registry: CameraRegistry) {}

  @Get()
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary: 'Every camera, in the order of the cameras file, with its state and URLs',
  })
  @ApiOkResponse({ type: CameraList })
  list(): CameraList {
    return {
      cameras: this.registry
        .list()
        .map((camera) => summarize(camera, this.registry.locate(camera))),
    };
  }

  @Post('reload')
  @HttpCode(200)
  @ApiBearerAuth()
  @ApiOperation({
    summary: 'Read CAMERAS_FILE again (as SIGHUP does) and apply the differences',
    description:
      'Added cameras appear, removed ones end their viewers and release their device, changed ones ' +
      'restart (their viewers stay connected), unchanged ones are not touched. A file that fails ' +
      'validation changes nothing: 422 with the reason.',
  })
  @ApiOkResponse({ type: ReloadAnswer })
  @ApiUnauthorizedResponse({
    type: ErrorResponseDto,
    description: 'API_TOKEN is set and the call lacks it',
  })
  @ApiUnprocessableEntityResponse({
    type: ErrorResponseDto,
    description: 'The file cannot be used (or there is none); nothing was changed',
  })
  async reload(): Promise<ReloadResult> {
    try {
      return await this.registry.reload();
    } catch (error) {
      if (error instanceof CamerasFileError)
        throw new UnprocessableEntityException(`${error.message}; nothing was changed`);
      throw error;
    }
  }
}
