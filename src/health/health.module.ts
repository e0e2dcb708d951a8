import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { CameraModule } from '../camera/camera.module';
import { CameraHealthIndicator } from './camera.health';
import { HealthController } from './health.controller';

@Module({
  imports: [TerminusModule.forRoot({ logger: false }), CameraModule],
  controllers: [HealthController],
  providers: [CameraHealthIndicator],
})
export class HealthModule {}
