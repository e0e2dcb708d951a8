import { Module } from '@nestjs/common';
import { CameraModule } from '../camera/camera.module';
import { MjpegStreamService } from './mjpeg-stream.service';
import { StreamController } from './stream.controller';

@Module({
  imports: [CameraModule],
  controllers: [StreamController],
  providers: [MjpegStreamService],
  exports: [MjpegStreamService],
})
export class StreamModule {}
