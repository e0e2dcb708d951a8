import { Logger, type LoggerService } from '@nestjs/common';

/**
 * A logger whose every line carries the same fields, such as the camera it is about: readable
 * lines show it next to the context (`[ffmpeg printer] …`), JSON lines as a field of its own
 * (`"camera":"printer"`), so a log of many cameras can be filtered by camera.
 */
export class ScopedLogger implements LoggerService {
  private readonly logger: Logger;

  constructor(
    context: string,
    private readonly fields: Readonly<Record<string, string>>,
  ) {
    this.logger = new Logger(context);
  }

  log(message: unknown): void {
    this.logger.log(this.structured(message));
  }

  warn(message: unknown): void {
    this.logger.warn(this.structured(message));
  }

  error(message: unknown): void {
    this.logger.error(this.structured(message));
  }

  debug(message: unknown): void {
    this.logger.debug(this.structured(message));
  }

  verbose(message: unknown): void {
    this.logger.verbose(this.structured(message));
  }

  private structured(message: unknown): Record<string, unknown> {
    if (typeof message === 'object' && message !== null && !(message instanceof Error))
      return { ...(message as Record<string, unknown>), ...this.fields };
    return { msg: message instanceof Error ? message.message : String(message), ...this.fields };
  }
}

/** The logger of one camera's `component` (Camera, ffmpeg, IR LEDs, …). */
export const cameraLogger = (component: string, cameraId: string): ScopedLogger =>
  new ScopedLogger(component, { camera: cameraId });
