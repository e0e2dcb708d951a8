import { DomainError } from '../../common/errors/domain.error';

/** The new settings could not be written to DATA_DIR; nothing was changed. */
export class SettingsNotSavedError extends DomainError {
  readonly status = 500;

  constructor(path: string, cause: unknown) {
    super(
      `The settings could not be saved to ${path}: ${(cause as Error).message}; nothing was changed`,
      {},
      { cause },
    );
  }
}
