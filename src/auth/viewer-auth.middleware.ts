import type { NextFunction, Request, RequestHandler, Response } from 'express';
import {
  isWhepPath,
  SESSION_PATH,
  SNAPSHOT_PATH,
  STREAM_PATH,
  TOKEN_PATH,
  WHEP_PATH,
  WHEP_SESSION_PATH,
} from '../common/http/media-paths';
import type { ViewerAuthService, ViewerCredential } from './viewer-auth.service';

/** Left open even with STREAM_AUTH: monitoring must reach them without viewer credentials. */
const OPEN_PATHS = new Set(['/health', '/metrics']);

/**
 * What a stream token opens: the media (MJPEG and WebRTC), and the state of the stream it opened.
 * A token sits in an <img> URL on some dashboard, so it must not open the page, the settings or
 * the API docs. The token route sees it too, only to refuse trading it for a new one with a clear
 * reason.
 */
const TOKEN_PATHS = [
  STREAM_PATH,
  SNAPSHOT_PATH,
  SESSION_PATH,
  TOKEN_PATH,
  WHEP_PATH,
  WHEP_SESSION_PATH,
];
const tokenOpens = (path: string): boolean => TOKEN_PATHS.some((pattern) => pattern.test(path));

declare module 'express-serve-static-core' {
  interface Request {
    /** How this request proved it may watch (only with STREAM_AUTH on). */
    viewerCredential?: ViewerCredential;
  }
}

/**
 * With STREAM_AUTH on, everything a viewer reaches (the page, its files, the stream, snapshots,
 * status, settings, the API docs) needs Basic credentials or the API token; the stream and
 * snapshots also open with a stream token (?token=). A browser shows its login prompt once, then
 * sends the credentials with every request. Open paths are still told who is calling, so they
 * can say less to strangers.
 */
export function viewerAuthMiddleware(auth: ViewerAuthService): RequestHandler {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (!auth.enabled) {
      next();
      return;
    }
    const query = typeof req.query.token === 'string' ? req.query.token : undefined;
    // WHEP players (OBS, whepsrc) send their token as `Authorization: Bearer`, as RFC 9725 says.
    const bearer = isWhepPath(req.path)
      ? /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '')?.[1]
      : undefined;
    const token = tokenOpens(req.path) ? (query ?? bearer) : undefined;
    const credential = auth.authenticate(req.headers.authorization, token);
    if (credential !== undefined || OPEN_PATHS.has(req.path)) {
      req.viewerCredential = credential;
      next();
      return;
    }
    const tokenProblem = token === undefined ? undefined : auth.check(token);
    const misplacedToken = query !== undefined && token === undefined;
    res.setHeader('WWW-Authenticate', 'Basic realm="camfeed", charset="UTF-8"');
    res.setHeader('Cache-Control', 'no-store');
    res.status(401).json({
      statusCode: 401,
      error: 'Unauthorized',
      message:
        tokenProblem && !tokenProblem.valid
          ? `The stream token is ${tokenProblem.reason}`
          : misplacedToken
            ? 'A stream token opens only the stream and snapshots: this needs the user name and password'
            : isWhepPath(req.path)
              ? 'This camera needs a user name and password, or a stream token (Authorization: Bearer or ?token=)'
              : 'This camera needs a user name and password, or a stream token (?token=)',
    });
  };
}
