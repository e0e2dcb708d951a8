import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import { CamerasModule } from '../cameras/cameras.module';
import { ControlConfig } from './auth.config';
import { ApiTokenGuard } from './api-token.guard';
import { ChangeThrottlerGuard } from './change-throttler.guard';
import { ViewerAuthController } from './viewer-auth.controller';
import { ViewerAuthService } from './viewer-auth.service';

/**
 * Who may do what: the API token for changes (throttled per client), and, with STREAM_AUTH,
 * Basic credentials or signed stream tokens for viewers. The HTTP-level parts (viewer auth,
 * CORS, cross-site refusal, security headers) are middleware in this folder, installed by
 * app.setup.ts in the order they must run.
 */
@Global()
@Module({
  imports: [
    CamerasModule,
    ThrottlerModule.forRootAsync({
      inject: [ControlConfig],
      useFactory: (control: ControlConfig) => ({
        // The throttler named "default" answers with the standard Retry-After header.
        throttlers: [{ name: 'default', ttl: 60_000, limit: control.rateLimitPerMinute }],
      }),
    }),
  ],
  controllers: [ViewerAuthController],
  providers: [
    ViewerAuthService,
    // In this order: a client that floods is refused before its token is even looked at.
    { provide: APP_GUARD, useClass: ChangeThrottlerGuard },
    { provide: APP_GUARD, useClass: ApiTokenGuard },
  ],
  exports: [ViewerAuthService],
})
export class AuthModule {}
