import { DomainError } from '../../common/errors/domain.error';

/**
 * The new settings could not be written to DATA_DIR; nothing was changed. The answer says why but
 * not where: error answers never reveal the machine's paths (the log has them).
 */
export class SettingsNotSavedError extends DomainError {
  readonly status = 500;

  constructor(reason: string, cause: unknown) {
    super(`The settings could not be saved: ${reason}; nothing was changed`, {}, { cause });
  }
}
