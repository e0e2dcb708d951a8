import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ROTATIONS, type Rotation } from '../camera/camera-driver.interface';
import { IR_LED_MODES, type IrLedMode } from '../ir-led/ir-led.constants';

/* Response shapes, for the OpenAPI document only: the handlers return plain objects. */

export class CameraSettingsResponse {
  @ApiProperty({ example: 640 }) width!: number;
  @ApiProperty({ example: 480 }) height!: number;
  @ApiProperty({ example: 30 }) framerate!: number;
  @ApiProperty({ example: 80 }) quality!: number;
  @ApiProperty({ enum: ROTATIONS, example: 0 }) rotation!: Rotation;
  @ApiProperty({ example: false }) hflip!: boolean;
  @ApiProperty({ example: false }) vflip!: boolean;
}

class RangeResponse {
  @ApiProperty() min!: number;
  @ApiProperty() max!: number;
}

class CaptureModeResponse {
  @ApiProperty() width!: number;
  @ApiProperty() height!: number;
  @ApiPropertyOptional() maxFramerate?: number;
}

class SizesResponse {
  @ApiProperty({ enum: ['range', 'modes'] }) kind!: 'range' | 'modes';
  @ApiPropertyOptional({ type: RangeResponse }) width?: RangeResponse;
  @ApiPropertyOptional({ type: RangeResponse }) height?: RangeResponse;
  @ApiPropertyOptional({ type: [CaptureModeResponse] }) modes?: CaptureModeResponse[];
}

class SizeFramerateLimitResponse {
  @ApiProperty() width!: number;
  @ApiProperty() height!: number;
  @ApiProperty() maxFramerate!: number;
}

export class CameraCapabilitiesResponse {
  @ApiProperty({ type: SizesResponse }) sizes!: SizesResponse;
  @ApiProperty({ type: RangeResponse }) framerate!: RangeResponse;
  @ApiPropertyOptional({
    type: [SizeFramerateLimitResponse],
    description:
      'Frame-rate limits by size (Raspberry Pi cameras): a size may go as fast as the fastest entry at least as wide and as tall',
  })
  framerateBySize?: SizeFramerateLimitResponse[];
  @ApiProperty({
    type: RangeResponse,
    nullable: true,
    description: 'null: the source JPEGs pass through unchanged',
  })
  quality!: RangeResponse | null;
  @ApiProperty({ enum: ROTATIONS, isArray: true }) rotations!: Rotation[];
  @ApiProperty() flips!: boolean;
}

class FrameSizeResponse {
  @ApiProperty() width!: number;
  @ApiProperty() height!: number;
}

export class CameraStatusResponse {
  @ApiProperty({ example: 'emulated' }) driver!: string;
  @ApiProperty({ enum: ['idle', 'starting', 'running', 'retrying', 'stopping'] }) state!: string;
  @ApiProperty() running!: boolean;
  @ApiProperty({ description: 'Viewers and snapshot requests currently using the camera' })
  clients!: number;
  @ApiProperty({ type: CameraSettingsResponse }) settings!: CameraSettingsResponse;
  @ApiProperty({ type: FrameSizeResponse, nullable: true }) frameSize!: FrameSizeResponse | null;
  @ApiProperty({ example: 30 }) measuredFps!: number;
  @ApiProperty() framesCaptured!: number;
  @ApiProperty({ nullable: true, format: 'date-time' }) lastFrameAt!: string | null;
  @ApiProperty() restarts!: number;
  @ApiProperty({ nullable: true }) lastError!: string | null;
  @ApiProperty({ nullable: true, format: 'date-time' }) lastErrorAt!: string | null;
}

class IrAutoResponse {
  @ApiProperty({ nullable: true, description: 'Last measured mean luminance, 0-255' }) luminance!:
    number | null;
  @ApiProperty() onBelow!: number;
  @ApiProperty() offAbove!: number;
}

export class IrLedStateResponse {
  @ApiProperty() available!: boolean;
  @ApiProperty() on!: boolean;
  @ApiProperty({ enum: IR_LED_MODES }) mode!: IrLedMode;
  @ApiProperty({ nullable: true, description: 'BCM pin number' }) gpio!: number | null;
  @ApiProperty({ nullable: true }) sysfsGpio!: number | null;
  @ApiProperty() activeLow!: boolean;
  @ApiProperty({ enum: ['gpio', 'simulated'] }) driver!: string;
  @ApiProperty({ nullable: true }) reason!: string | null;
  @ApiProperty({ type: IrAutoResponse }) auto!: IrAutoResponse;
}
