import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { ViewerAuthService, ViewerCredential } from './viewer-auth.service';

/** Left open even with STREAM_AUTH: monitoring must reach them without viewer credentials. */
const OPEN_PATHS = new Set(['/health', '/metrics']);

declare module 'express-serve-static-core' {
  interface Request {
    /** How this request proved it may watch (only with STREAM_AUTH on). */
    viewerCredential?: ViewerCredential;
  }
}

/**
 * With STREAM_AUTH on, everything a viewer reaches (the page, its files, the stream, snapshots,
 * status, settings, the API docs) needs Basic credentials, a stream token (?token=) or the API
 * token. A browser shows its login prompt once, then sends the credentials with every request.
 */
export function viewerAuthMiddleware(auth: ViewerAuthService): RequestHandler {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (!auth.enabled || OPEN_PATHS.has(req.path)) {
      next();
      return;
    }
    const token = typeof req.query.token === 'string' ? req.query.token : undefined;
    const credential = auth.authenticate(req.headers.authorization, token);
    if (credential !== undefined) {
      req.viewerCredential = credential;
      next();
      return;
    }
    const tokenProblem = token === undefined ? undefined : auth.check(token);
    res.setHeader('WWW-Authenticate', 'Basic realm="camfeed", charset="UTF-8"');
    res.setHeader('Cache-Control', 'no-store');
    res.status(401).json({
      statusCode: 401,
      error: 'Unauthorized',
      message:
        tokenProblem && !tokenProblem.valid
          ? `The stream token is ${tokenProblem.reason}`
          : 'This camera needs a user name and password, or a stream token (?token=)',
    });
  };
}
