import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { performance } from 'node:perf_hooks';
import { isStreamPath } from '../common/http/media-paths';
import type { PinoLoggerService } from './pino-logger.service';

/**
 * One line per HTTP request, when it ends: errors as errors, refusals as warnings, changes at
 * info, and reads (the page polls its status every two seconds) at debug. Streams are left to
 * the stream service, which logs one line per viewing session instead.
 */
export function requestLogMiddleware(logger: PinoLoggerService): RequestHandler {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (isStreamPath(req.path)) {
      next();
      return;
    }
    const started = performance.now();
    res.once('finish', () => {
      const status = res.statusCode;
      const read = req.method === 'GET' || req.method === 'HEAD';
      const level = status >= 500 ? 'error' : status >= 400 ? 'warn' : read ? 'debug' : 'info';
      const path = req.originalUrl.split('?')[0];
      logger.pino[level](
        {
          context: 'HTTP',
          method: req.method,
          path,
          status,
          durationMs: Math.round((performance.now() - started) * 10) / 10,
          remote: req.ip,
        },
        `${req.method} ${path} ${status}`,
      );
    });
    next();
  };
}
