import { BadRequestException } from '@nestjs/common';
import express, {
  type NextFunction,
  type Request,
  type RequestHandler,
  type Response,
} from 'express';

/** Control requests are a few hundred bytes; anything larger is a mistake or an attack. */
export const JSON_BODY_LIMIT = '8kb';

const hasBody = (req: Request): boolean =>
  req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;

/**
 * Parses JSON request bodies and refuses, as a 400 naming the problem, everything else: a body
 * that is not application/json, malformed JSON, or one over JSON_BODY_LIMIT.
 */
export function jsonBodyParser(): RequestHandler[] {
  const requireJson = (req: Request, _res: Response, next: NextFunction): void => {
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
  const explain = (error: unknown, _req: Request, _res: Response, next: NextFunction): void => {
    const type = (error as { type?: string }).type;
    if (type === 'entity.too.large') {
      next(new BadRequestException(`Request body is larger than ${JSON_BODY_LIMIT}`));
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
