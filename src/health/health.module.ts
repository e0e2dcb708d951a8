import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { CamerasModule } from '../cameras/cameras.module';
import { CameraHealthIndicator } from './camera.health';
import { HealthController } from './health.controller';

@Module({
  imports: [TerminusModule.forRoot({ logger: false }), CamerasModule],
  controllers: [HealthController],
  providers: [CameraHealthIndicator],
})
export class HealthModule {}
