import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import type { Camera } from '../cameras/camera';
import { CameraRegistry } from '../cameras/camera-registry.service';

/**
 * The cameras for /health: each up when idle or delivering, degraded (still HTTP 200) when
 * silent. Every camera is reported as `camera:<id>`; `camera` is the first one, as monitors set
 * up for a single camera expect.
 */
@Injectable()
export class CameraHealthIndicator {
  constructor(
    private readonly indicators: HealthIndicatorService,
    private readonly registry: CameraRegistry,
  ) {}

  checks(): Array<() => ReturnType<CameraHealthIndicator['check']>> {
    const cameras = this.registry.served();
    const checks = cameras.map((camera) => () => this.check(`camera:${camera.id}`, camera));
    const first = cameras[0];
    if (first !== undefined) checks.unshift(() => this.check('camera', first));
    return checks;
  }

  check(key: string, camera: Camera) {
    const indicator = this.indicators.check(key);
    const { degraded, details } = camera.producer.health();
    const described = { camera: camera.id, ...details };
    return degraded ? indicator.degraded(described) : indicator.up(described);
  }
}
