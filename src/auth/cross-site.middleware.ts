import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { isWhepPath } from '../common/http/media-paths';
import { READ_METHODS } from './api-token.guard';

/** The host (with port) of an Origin header, or undefined for `null` and garbage. */
function originHost(origin: string): string | undefined {
  try {
    return new URL(origin).host;
  } catch {
    return undefined;
  }
}

/**
 * Refuses changes sent from another site's page. A browser that signed in with Basic
 * credentials (STREAM_AUTH) sends them with every request to this host, including a plain HTML
 * form posted from anywhere, and a body-less POST such as /ir-led/toggle needs no JSON that a
 * form could not forge. Browsers say where a request comes from (Origin, Sec-Fetch-Site);
 * scripts and tools send neither and are not affected, nor is a call with a Bearer token, which a
 * form cannot set. WHEP is left to CORS: it changes nothing but a viewer's own session, and a
 * browser cannot send it cross-origin without a preflight (an SDP body, DELETE, PATCH), which
 * CORS_ORIGINS answers.
 */
export function crossSiteGuard(): RequestHandler {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (
      READ_METHODS.has(req.method) ||
      /^Bearer\s/i.test(req.headers.authorization ?? '') ||
      isWhepPath(req.path)
    ) {
      next();
      return;
    }
    const origin = req.headers.origin;
    const site = req.headers['sec-fetch-site'];
    const crossSite =
      origin !== undefined
        ? originHost(origin) !== req.host?.toLowerCase()
        : site === 'cross-site' || site === 'same-site';
    if (!crossSite) {
      next();
      return;
    }
    res.setHeader('Cache-Control', 'no-store');
    res.status(403).json({
      statusCode: 403,
      error: 'Forbidden',
      message:
        'Changes from another site are refused: call the API from this server’s page, or with the API token',
    });
  };
}
