import {
  type CanActivate,
  type ExecutionContext,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  UnauthorizedException,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import { createHash, timingSafeEqual } from 'node:crypto';
import { ControlConfig } from './auth.config';
import { VIEWER_ACTION } from './viewer-action.decorator';

/** Requests that only read: open to viewers, never throttled, never asked for the API token. */
export const READ_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Compares two secrets in time that does not depend on where they differ. Hashing first makes
 * both sides the same length, so not even the length of the token leaks.
 */
export function secretsEqual(given: string, expected: string): boolean {
  const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/**
 * With API_TOKEN set, every call that changes something needs `Authorization: Bearer <token>`.
 * Reading (GET) stays open: the stream and the status are for viewers.
 */
@Injectable()
export class ApiTokenGuard implements CanActivate, OnApplicationBootstrap {
  private readonly logger = new Logger('Security');

  constructor(
    private readonly config: ControlConfig,
    private readonly reflector: Reflector,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.apiToken === undefined) {
      this.logger.warn(
        'API_TOKEN is not set: anyone who can reach this server can change the camera settings and switch the IR LEDs',
      );
    }
  }

  canActivate(context: ExecutionContext): boolean {
    const token = this.config.apiToken;
    const request = context.switchToHttp().getRequest<Request>();
    if (token === undefined || READ_METHODS.has(request.method)) return true;
    const forViewers = this.reflector.getAllAndOverride<boolean>(VIEWER_ACTION, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (forViewers) return true;
    const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
    if (match !== null && secretsEqual(match[1], token)) return true;
    context
      .switchToHttp()
      .getResponse<Response>()
      .setHeader('WWW-Authenticate', 'Bearer realm="camfeed"');
    throw new UnauthorizedException(
      match === null
        ? 'This call needs an Authorization: Bearer <API_TOKEN> header'
        : 'Wrong API token',
    );
  }
}
