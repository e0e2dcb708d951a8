import { Module } from '@nestjs/common';
import { CamerasModule } from '../cameras/cameras.module';
import { MjpegStreamService } from './mjpeg-stream.service';
import { StreamController } from './stream.controller';

/** Motion-JPEG for every camera: the streams, snapshots and stream sessions. */
@Module({
  imports: [CamerasModule],
  controllers: [StreamController],
  providers: [MjpegStreamService],
  exports: [MjpegStreamService],
})
export class StreamModule {}
