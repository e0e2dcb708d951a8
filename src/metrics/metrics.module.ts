import { Module } from '@nestjs/common';
import { CamerasModule } from '../cameras/cameras.module';
import { StreamModule } from '../stream/stream.module';
import { WebRtcModule } from '../webrtc/webrtc.module';
import { MetricsController } from './metrics.controller';
import { MetricsService } from './metrics.service';

@Module({
  imports: [CamerasModule, StreamModule, WebRtcModule],
  controllers: [MetricsController],
  providers: [MetricsService],
  exports: [MetricsService],
})
export class MetricsModule {}
