import { BadRequestException } from '@nestjs/common';
import express, {
  type NextFunction,
  type Request,
  type RequestHandler,
  type Response,
} from 'express';
import { isWhepPath } from '../http/media-paths';

/** Control requests are a few hundred bytes; anything larger is a mistake or an attack. */
export const JSON_BODY_LIMIT = '8kb';

/**
 * How long a client may take to send a request body. A few hundred bytes arrive in
 * milliseconds; a client trickling them one byte at a time would otherwise hold its
 * connection (and a socket) for as long as Node's own 5-minute request timeout.
 */
export const BODY_DEADLINE_MS = 10_000;

/**
 * WHEP bodies: an SDP offer (a few KB; a browser's with many codecs stays under 16 KB) and the
 * trickle ICE fragments of RFC 8840.
 */
export const SDP_BODY_LIMIT = '64kb';
const SDP_TYPES = ['application/sdp', 'application/trickle-ice-sdpfrag'];

const hasBody = (req: Request): boolean =>
  req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;

/**
 * Parses JSON request bodies and refuses, as a 400 naming the problem, everything else: a body
 * that is not application/json, malformed JSON, or one over JSON_BODY_LIMIT. WHEP's URLs take
 * SDP instead, as text, checked by their controller (415 for anything else).
 */
export function jsonBodyParser(): RequestHandler[] {
  const sdp = express.text({ type: SDP_TYPES, limit: SDP_BODY_LIMIT });
  const requireJson = (req: Request, res: Response, next: NextFunction): void => {
    if (hasBody(req)) bodyDeadline(req, res);
    if (isWhepPath(req.path)) {
      if (hasBody(req) && req.is(SDP_TYPES)) {
        sdp(req, res, next);
        return;
      }
      next();
      return;
    }
    if (hasBody(req) && !req.is('application/json')) {
      next(
        new BadRequestException(
          `Content-Type must be application/json (got ${req.headers['content-type'] ?? 'none'})`,
        ),
      );
      return;
    }
    next();
  };
  const parse = express.json({ limit: JSON_BODY_LIMIT, strict: true });
  const explain = (error: unknown, req: Request, _res: Response, next: NextFunction): void => {
    const type = (error as { type?: string }).type;
    if (type === 'entity.too.large') {
      const limit = isWhepPath(req.path) ? SDP_BODY_LIMIT : JSON_BODY_LIMIT;
      next(new BadRequestException(`Request body is larger than ${limit}`));
    } else if (type === 'entity.parse.failed') {
      next(new BadRequestException(`Request body is not valid JSON: ${(error as Error).message}`));
    } else if (type === 'charset.unsupported' || type === 'encoding.unsupported') {
      next(
        new BadRequestException(
          `Request body encoding is not supported: ${(error as Error).message}`,
        ),
      );
    } else {
      next(error);
    }
  };
  return [requireJson, parse, explain as unknown as RequestHandler];
}

/** Answers 408 and closes the connection if the body has not fully arrived in time. */
function bodyDeadline(req: Request, res: Response): void {
  const timer = setTimeout(() => {
    if (req.complete) return;
    res.once('finish', () => req.socket.destroy());
    if (res.headersSent) {
      req.socket.destroy();
      return;
    }
    res.setHeader('Connection', 'close');
    res.status(408).json({
      statusCode: 408,
      error: 'Request Timeout',
      message: `The request body did not arrive within ${BODY_DEADLINE_MS / 1000} s`,
    });
  }, BODY_DEADLINE_MS);
  timer.unref();
  const clear = (): void => clearTimeout(timer);
  req.once('end', clear);
  res.once('close', clear);
}
