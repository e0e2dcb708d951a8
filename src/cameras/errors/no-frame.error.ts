import { DomainError } from '../../common/errors/domain.error';

/** A snapshot found no camera frame in time: the camera is down, or slow to start. */
export class NoFrameError extends DomainError {
  readonly status = 503;

  constructor(camera: string, timeoutMs: number, cameraState: string, reason: string | null) {
    super(`No frame from the camera within ${timeoutMs / 1000} s`, {
      camera,
      cameraState,
      reason,
    });
  }
}
