import { Module } from '@nestjs/common';
import { CamerasModule } from '../cameras/cameras.module';
import { StreamModule } from '../stream/stream.module';
import { WebRtcService } from './webrtc.service';
import { WhepController } from './whep.controller';

/** H.264 over WebRTC for every camera, signalled with WHEP, beside the MJPEG streams. */
@Module({
  imports: [CamerasModule, StreamModule],
  controllers: [WhepController],
  providers: [WebRtcService],
  exports: [WebRtcService],
})
export class WebRtcModule {}
