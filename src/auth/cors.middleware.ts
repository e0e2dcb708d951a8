import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { isWhepPath, SESSION_PATH, SNAPSHOT_PATH, STREAM_PATH } from '../common/http/media-paths';
import { type CorsOrigins, originAllowed } from './cors-origins';

/** What a page elsewhere may read: the media, and the read-only status and settings. */
const READABLE_PATHS = [
  STREAM_PATH,
  SNAPSHOT_PATH,
  SESSION_PATH,
  /^\/camera\/(status|settings|capabilities)$/,
  /^\/ir-led$/,
  /^\/cameras$/,
  /^\/cameras\/[^/]+\/(status|settings|capabilities|ir-led)$/,
  /^\/health$/,
];

const READ_METHODS = ['GET', 'HEAD'];
/** Request headers a cross-origin reader may send: credentials, and what fetch() adds for no-cache. */
const ALLOWED_HEADERS = ['authorization', 'cache-control', 'pragma'];
const EXPOSED_HEADERS = 'Content-Length, Content-Type, X-Timestamp';

/**
 * WHEP is watching too (a WebRTC player on a Mainsail page): its POST only opens a viewer's
 * session and DELETE ends it, so they are opened like the stream. Browsers always preflight
 * them (application/sdp, DELETE, PATCH are not "simple"), which is where this answers.
 */
const WHEP_METHODS = ['POST', 'DELETE', 'PATCH'];
const WHEP_HEADERS = [...ALLOWED_HEADERS, 'content-type', 'if-match'];
const WHEP_EXPOSED_HEADERS = 'Location, Link, ETag, Accept-Patch, Content-Type, Retry-After';
const PREFLIGHT_MAX_AGE_SECONDS = 600;

export const isCorsReadable = (path: string): boolean =>
  READABLE_PATHS.some((pattern) => pattern.test(path));

/**
 * CORS for the read-only media and status endpoints (Mainsail's player reads the stream with
 * fetch(url, {mode: 'cors'})). Nothing that changes state is ever opened this way. With `*` any
 * page may read but never with the viewer's credentials; with a list, those pages may read with
 * them (Basic auth of STREAM_AUTH). Preflights are answered here, before viewer auth, because
 * browsers send them without credentials.
 */
export function corsMiddleware(allowed: CorsOrigins | undefined): RequestHandler {
  return (req: Request, res: Response, next: NextFunction): void => {
    const origin = req.headers.origin;
    const whep = isWhepPath(req.path);
    if (allowed === undefined || origin === undefined || !(whep || isCorsReadable(req.path))) {
      next();
      return;
    }
    const permitted = originAllowed(allowed, origin);
    if (allowed !== '*') res.vary('Origin');
    const preflight =
      req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined;
    if (permitted) {
      res.setHeader('Access-Control-Allow-Origin', allowed === '*' ? '*' : origin);
      if (allowed !== '*') res.setHeader('Access-Control-Allow-Credentials', 'true');
    }
    if (!preflight) {
      if (permitted)
        res.setHeader(
          'Access-Control-Expose-Headers',
          whep ? WHEP_EXPOSED_HEADERS : EXPOSED_HEADERS,
        );
      next();
      return;
    }
    // A preflight for anything but a read, or from an origin not listed, gets no permission:
    // the browser then refuses the real request itself.
    const method = String(req.headers['access-control-request-method']).toUpperCase();
    const methods = whep ? [...READ_METHODS, ...WHEP_METHODS] : READ_METHODS;
    const headers = whep ? WHEP_HEADERS : ALLOWED_HEADERS;
    if (permitted && methods.includes(method)) {
      const requested = String(req.headers['access-control-request-headers'] ?? '')
        .split(',')
        .map((header) => header.trim().toLowerCase())
        .filter((header) => headers.includes(header));
      res.setHeader('Access-Control-Allow-Methods', methods.join(', '));
      if (requested.length > 0) res.setHeader('Access-Control-Allow-Headers', requested.join(', '));
      res.setHeader('Access-Control-Max-Age', String(PREFLIGHT_MAX_AGE_SECONDS));
    } else {
      res.removeHeader('Access-Control-Allow-Origin');
      res.removeHeader('Access-Control-Allow-Credentials');
    }
    res.setHeader('Allow', whep ? 'POST, DELETE, PATCH, OPTIONS' : 'GET, HEAD, OPTIONS');
    res.status(204).end();
  };
}
