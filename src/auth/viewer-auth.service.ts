import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { secretsEqual } from './api-token.guard';
import { ControlConfig, ViewerAuthConfig } from './auth.config';
import { checkStreamToken, issueStreamToken, type TokenCheck } from './stream-token';

/** How a viewer request proved itself: Basic credentials, a stream token, or the API token. */
export type ViewerCredential = 'basic' | 'token' | 'api-token';

/**
 * Who may watch, when STREAM_AUTH is on: viewers with the configured Basic credentials (what a
 * browser asks for), holders of a stream token (what an <img> elsewhere can carry in its URL),
 * and callers with the API token. Every comparison is constant-time.
 */
@Injectable()
export class ViewerAuthService implements OnApplicationBootstrap {
  private readonly logger = new Logger('Security');
  private readonly secret: Buffer;

  constructor(
    readonly config: ViewerAuthConfig,
    private readonly control: ControlConfig,
  ) {
    this.secret =
      config.tokenSecret !== undefined ? Buffer.from(config.tokenSecret, 'utf8') : randomBytes(32);
  }

  onApplicationBootstrap(): void {
    if (this.config.enabled && this.config.tokenSecret === undefined) {
      this.logger.log(
        'STREAM_TOKEN_SECRET is not set: stream tokens are valid until this process restarts',
      );
    }
  }

  get enabled(): boolean {
    return this.config.enabled;
  }

  /** The credential a request carries, if it is valid; undefined if it carries none that is. */
  authenticate(
    authorization: string | undefined,
    token: string | undefined,
    now = Date.now(),
  ): ViewerCredential | undefined {
    if (authorization !== undefined) {
      const basic = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(authorization);
      if (basic) {
        const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
        const colon = decoded.indexOf(':');
        const user = colon === -1 ? decoded : decoded.slice(0, colon);
        const password = colon === -1 ? '' : decoded.slice(colon + 1);
        // Both compared, always: how far a guess gets must not show in the time taken.
        const userOk = secretsEqual(user, this.config.username ?? '');
        const passwordOk = secretsEqual(password, this.config.password ?? '');
        if (userOk && passwordOk) return 'basic';
      }
      const bearer = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
      if (
        bearer &&
        this.control.apiToken !== undefined &&
        secretsEqual(bearer[1], this.control.apiToken)
      ) {
        return 'api-token';
      }
    }
    if (token !== undefined && this.check(token, now).valid) return 'token';
    return undefined;
  }

  check(token: string, now = Date.now()): TokenCheck {
    return checkStreamToken(this.secret, token, now);
  }

  issue(now = Date.now()): { token: string; expiresAt: string } {
    const expiresAt = now + this.config.tokenTtlMs;
    return {
      token: issueStreamToken(this.secret, expiresAt),
      expiresAt: new Date(expiresAt).toISOString(),
    };
  }
}
