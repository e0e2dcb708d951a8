import { Module } from '@nestjs/common';
import { CameraModule } from '../camera/camera.module';
import { StreamModule } from '../stream/stream.module';
import { MetricsController } from './metrics.controller';
import { MetricsService } from './metrics.service';

@Module({
  imports: [CameraModule, StreamModule],
  controllers: [MetricsController],
  providers: [MetricsService],
  exports: [MetricsService],
})
export class MetricsModule {}
