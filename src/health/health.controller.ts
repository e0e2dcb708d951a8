import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, type HealthCheckResult } from '@nestjs/terminus';
import { CameraHealthIndicator } from './camera.health';

@Controller('health')
@ApiTags('monitoring')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly camera: CameraHealthIndicator,
  ) {}

  @Get()
  @HealthCheck()
  @ApiOperation({
    summary: 'Health for monitoring',
    description:
      'status "ok" while the server runs and the camera is idle or delivering frames; "degraded" (still 200), ' +
      'with details.camera.reason, when a running camera has given no frame for CAMERA_STALL_TIMEOUT.',
  })
  @ApiOkResponse({ description: 'Terminus health report' })
  async check(): Promise<HealthCheckResult> {
    return this.health.check([() => this.camera.check('camera')]);
  }
}
