import { Controller, Get, Optional, Req } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  HealthCheck,
  HealthCheckService,
  type HealthCheckResult,
  type HealthIndicatorResult,
} from '@nestjs/terminus';
import type { Request } from 'express';
import { ViewerAuthService } from '../auth/viewer-auth.service';
import { ClusterService } from '../cluster/cluster.service';
import { CameraHealthIndicator } from './camera.health';

/** What a caller without credentials learns of a component: up or not, and roughly why. */
function summarize(details: Partial<HealthIndicatorResult> | undefined): HealthIndicatorResult {
  const summary: HealthIndicatorResult = {};
  for (const [key, component] of Object.entries(details ?? {})) {
    if (component === undefined) continue;
    const { status } = component;
    const what = key.startsWith('camera:') ? `camera ${key.slice('camera:'.length)}` : `the ${key}`;
    const problem = key === 'cluster' ? 'not connected to NATS' : 'not delivering frames';
    summary[key] = status === 'up' ? { status } : { status, reason: `${what} is ${problem}` };
  }
  return summary;
}

@Controller('health')
@ApiTags('monitoring')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly camera: CameraHealthIndicator,
    private readonly auth: ViewerAuthService,
    /** Only with NATS_URL: the node's link to its cluster. */
    @Optional() private readonly cluster?: ClusterService,
  ) {}

  @Get()
  @HealthCheck()
  @ApiOperation({
    summary: 'Health for monitoring',
    description:
      'status "ok" while the server runs and the camera is idle or delivering frames; "degraded" (still 200), ' +
      'with details.camera.reason, when a running camera has given no frame for CAMERA_STALL_TIMEOUT. ' +
      'With STREAM_AUTH on, callers without credentials get only the status and a reason without details.',
  })
  @ApiOkResponse({ description: 'Terminus health report' })
  async check(@Req() req: Request): Promise<HealthCheckResult> {
    const cluster = this.cluster;
    const checks = cluster === undefined ? [] : [() => cluster.health()];
    const result = await this.health.check([...this.camera.checks(), ...checks]);
    if (!this.auth.enabled || req.viewerCredential !== undefined) return result;
    return {
      status: result.status,
      info: summarize(result.info),
      error: summarize(result.error),
      details: summarize(result.details),
    };
  }
}
