import { ApiProperty } from '@nestjs/swagger';
import { H264Status } from '../h264/h264-stream';
import { CameraSettings } from '../settings/camera-settings.model';

export const CAMERA_STATES = ['idle', 'starting', 'running', 'retrying', 'stopping'] as const;
export type CameraState = (typeof CAMERA_STATES)[number];

class FrameSize {
  @ApiProperty() readonly width!: number;
  @ApiProperty() readonly height!: number;
}

/** The capture's side of GET /cameras/:id/status, as the producer builds it. */
export class CameraStatus {
  @ApiProperty({ example: 'emulated' }) readonly driver!: string;
  @ApiProperty({ enum: CAMERA_STATES }) readonly state!: CameraState;
  @ApiProperty() readonly running!: boolean;
  @ApiProperty({ description: 'Viewers and snapshot requests currently using the camera' })
  readonly clients!: number;
  @ApiProperty({ type: CameraSettings }) readonly settings!: CameraSettings;
  @ApiProperty({
    type: FrameSize,
    nullable: true,
    description: 'Size of the newest frame, which is what viewers actually get',
  })
  readonly frameSize!: FrameSize | null;
  @ApiProperty({ example: 30 }) readonly measuredFps!: number;
  @ApiProperty() readonly framesCaptured!: number;
  @ApiProperty({ nullable: true, format: 'date-time' }) readonly lastFrameAt!: string | null;
  @ApiProperty() readonly restarts!: number;
  @ApiProperty({ nullable: true, description: 'Why the camera failed last (credentials masked)' })
  readonly lastError!: string | null;
  @ApiProperty({ nullable: true, format: 'date-time' }) readonly lastErrorAt!: string | null;
}

/** What GET /cameras/:id/status answers: the capture's status and the H.264 stream's. */
export class CameraStatusResponse extends CameraStatus {
  @ApiProperty({ type: H264Status, description: 'The H.264 stream that WebRTC viewers get' })
  readonly h264!: H264Status;
}

export interface CameraHealth {
  readonly degraded: boolean;
  readonly details: Record<string, unknown>;
}

/** Cheap readings for metrics, without building a status object. */
export interface CameraCounters {
  readonly framesCaptured: number;
  readonly restarts: number;
  readonly lastFrameAt: number;
  readonly fps: number;
}
