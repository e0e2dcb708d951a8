import { SetMetadata } from '@nestjs/common';

export const VIEWER_ACTION = 'camfeed:viewer-action';

/**
 * A POST that viewers may make (asking for a stream token): it changes nothing, so it needs
 * viewer credentials (STREAM_AUTH), not the API token.
 */
export const ViewerAction = (): MethodDecorator => SetMetadata(VIEWER_ACTION, true);
