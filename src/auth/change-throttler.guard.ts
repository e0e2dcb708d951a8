import { type ExecutionContext, Injectable } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';
import type { Request } from 'express';
import { READ_METHODS } from './api-token.guard';

/**
 * CONTROL_RATE_LIMIT on every call that changes something (and on stream-token requests),
 * counted per client before the API token is checked, so guessing the token is throttled too.
 * Reads are not counted: an open page polls its status every two seconds.
 */
@Injectable()
export class ChangeThrottlerGuard extends ThrottlerGuard {
  protected override async shouldSkip(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<Request>();
    return READ_METHODS.has(request.method) || (await super.shouldSkip(context));
  }
}
