import { ApiProperty } from '@nestjs/swagger';
import { CameraSettings } from '../settings/camera-settings.model';

export const CAMERA_STATES = ['idle', 'starting', 'running', 'retrying', 'stopping'] as const;
export type CameraState = (typeof CAMERA_STATES)[number];

class FrameSize {
  @ApiProperty() readonly width!: number;
  @ApiProperty() readonly height!: number;
}

/** What GET /cameras/:id/status answers: the type the producer builds and the API documents. */
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
