import { Controller, Get } from '@nestjs/common';
import { FrameProducerService, type CameraStatus } from '../camera/frame-producer.service';

/** Camera settings, status and IR LEDs: the REST side of camfeed. */
@Controller('camera')
export class ControlController {
  constructor(private readonly producer: FrameProducerService) {}

  @Get('status')
  status(): CameraStatus {
    return this.producer.status();
  }
}
