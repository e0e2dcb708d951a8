import { DomainError } from '../../common/errors/domain.error';
import type { CameraCapabilities } from '../drivers/camera-driver.interface';

/** The settings are well formed but outside what this camera can do. */
export class UnsupportedSettingsError extends DomainError {
  readonly status = 400;

  constructor(problems: string[], capabilities: CameraCapabilities) {
    super(problems.join('; '), { problems, capabilities });
  }
}
