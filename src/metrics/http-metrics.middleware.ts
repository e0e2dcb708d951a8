import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { MetricsService } from './metrics.service';

/** The route template, never the raw URL: labels must not grow with every session id or query. */
function routeOf(req: Request): string {
  const route = (req.route as { path?: unknown } | undefined)?.path;
  if (typeof route === 'string') return route;
  if (req.path.startsWith('/assets/')) return '/assets/*';
  return 'unmatched';
}

/**
 * Counts every HTTP request when it ends, streams included (when the viewer leaves). Installed
 * first, before body parsing and static files, so no request escapes it.
 */
export function httpMetricsMiddleware(metrics: MetricsService): RequestHandler {
  return (req: Request, res: Response, next: NextFunction): void => {
    let counted = false;
    const count = (): void => {
      if (counted) return;
      counted = true;
      metrics.httpRequests.inc({
        method: req.method,
        route: routeOf(req),
        status: String(res.statusCode),
      });
    };
    res.once('finish', count);
    res.once('close', count);
    next();
  };
}
