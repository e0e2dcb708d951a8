import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { FrameProducerService } from '../camera/frame-producer.service';

/** The camera for /health: up when idle or delivering, degraded (still HTTP 200) when silent. */
@Injectable()
export class CameraHealthIndicator {
  constructor(
    private readonly indicators: HealthIndicatorService,
    private readonly producer: FrameProducerService,
  ) {}

  check(key: string) {
    const indicator = this.indicators.check(key);
    const { degraded, details } = this.producer.health();
    return degraded ? indicator.degraded(details) : indicator.up(details);
  }
}
