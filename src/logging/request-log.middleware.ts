import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { performance } from 'node:perf_hooks';
import { isStreamPath } from '../common/http/media-paths';
import type { PinoLoggerService } from './pino-logger.service';

export type RequestLogLevel = 'error' | 'warn' | 'info' | 'debug';

/**
 * Faults of this server are errors. A 503 is not one: a camera, its node or a limit is unavailable
 * for now, said with the reason and Retry-After, and logged where it happened; a monitor polling
 * through an outage must not fill the log with errors.
 */
export function requestLogLevel(method: string, status: number): RequestLogLevel {
  if (status >= 500 && status !== 503) return 'error';
  if (status >= 400) return 'warn';
  return method === 'GET' || method === 'HEAD' ? 'debug' : 'info';
}

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
      const level = requestLogLevel(req.method, status);
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
