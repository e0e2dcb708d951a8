import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { CameraModule } from './camera/camera.module';
import { AppConfigModule, type AppConfigOptions } from './config/app-config.module';
import { DomainErrorFilter } from './common/filters/domain-error.filter';
import { AppValidationPipe } from './common/validation/app-validation.pipe';
import { ApiTokenGuard } from './common/guards/api-token.guard';
import { ChangeThrottlerGuard } from './common/guards/change-throttler.guard';
import { ThrottlerModule } from '@nestjs/throttler';
import { ControlConfig } from './config/app-config';
import { ControlModule } from './control/control.module';
import { ViewerAuthModule } from './viewer-auth/viewer-auth.module';
import { HealthModule } from './health/health.module';
import { LoggingModule } from './logging/logging.module';
import { MetricsModule } from './metrics/metrics.module';
import { PersistenceModule } from './persistence/persistence.module';
import { StreamModule } from './stream/stream.module';
import { WebModule } from './web/web.module';

@Module({})
export class AppModule {
  static forRoot(options: AppConfigOptions = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [
        AppConfigModule.forRoot(options),
        PersistenceModule,
        CameraModule,
        StreamModule,
        ControlModule,
        HealthModule,
        MetricsModule,
        LoggingModule,
        ViewerAuthModule,
        ThrottlerModule.forRootAsync({
          inject: [ControlConfig],
          useFactory: (control: ControlConfig) => ({
            // The throttler named "default" answers with the standard Retry-After header.
            throttlers: [{ name: 'default', ttl: 60_000, limit: control.rateLimitPerMinute }],
          }),
        }),
        WebModule,
      ],
      // Registered as providers, not in main.ts, so apps built by e2e tests behave the same way.
      providers: [
        // In this order: a client that floods is refused before its token is even looked at.
        { provide: APP_GUARD, useClass: ChangeThrottlerGuard },
        { provide: APP_GUARD, useClass: ApiTokenGuard },
        { provide: APP_FILTER, useClass: DomainErrorFilter },
        { provide: APP_PIPE, useClass: AppValidationPipe },
      ],
    };
  }
}
