import { Module } from '@nestjs/common';
import { CamerasModule } from '../cameras/cameras.module';
import { MjpegStreamService } from './mjpeg-stream.service';
import { StreamController } from './stream.controller';
import { ViewerBudget } from './viewer-budget';

/** Motion-JPEG for every camera: the streams, snapshots and stream sessions. */
@Module({
  imports: [CamerasModule],
  controllers: [StreamController],
  providers: [ViewerBudget, MjpegStreamService],
  exports: [ViewerBudget, MjpegStreamService],
})
export class StreamModule {}
