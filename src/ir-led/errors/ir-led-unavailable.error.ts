import { DomainError } from '../../common/errors/domain.error';

export class IrLedUnavailableError extends DomainError {
  readonly status = 503;

  constructor(reason: string) {
    super(`IR LEDs are not available: ${reason}`, { reason });
  }
}
