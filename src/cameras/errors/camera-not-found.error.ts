import { DomainError } from '../../common/errors/domain.error';

export class CameraNotFoundError extends DomainError {
  readonly status = 404;

  constructor(id: string, known: readonly string[]) {
    super(
      known.length === 0
        ? `No camera ${JSON.stringify(id)}: this server has no cameras`
        : `No camera ${JSON.stringify(id)}; the cameras are: ${known.join(', ')}`,
      { cameras: known },
    );
  }
}
