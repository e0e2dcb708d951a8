import type { NextFunction, Request, RequestHandler, Response } from 'express';
import helmet from 'helmet';
import { isMediaPath } from '../common/http/media-paths';

/**
 * helmet's security headers on the page and the API. Over plain HTTP (the usual Pi on a LAN)
 * there is no upgrade-insecure-requests and no HSTS, which would send browsers to an HTTPS
 * camfeed does not serve.
 */
export function securityHeaders(servingTls: boolean): RequestHandler {
  const headers = helmet({
    contentSecurityPolicy: {
      useDefaults: true,
      directives: {
        'img-src': ["'self'", 'data:', 'blob:'],
        'upgrade-insecure-requests': servingTls ? [] : null,
      },
    },
    strictTransportSecurity: servingTls ? { maxAge: 15_552_000 } : false,
  });
  return (req: Request, res: Response, next: NextFunction): void => {
    // What pages embed from elsewhere: the stream in an <img> (dashboards, Home Assistant) and
    // snapshots. Cross-origin resource policy and the like would break exactly that use.
    if (isMediaPath(req.path)) {
      next();
      return;
    }
    headers(req, res, next);
  };
}
