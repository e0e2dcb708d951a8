import { DynamicModule, Module, ValidationPipe } from '@nestjs/common';
import { APP_PIPE } from '@nestjs/core';
import { CameraModule } from './camera/camera.module';
import { AppConfigModule, type AppConfigOptions } from './config/app-config.module';
import { ControlModule } from './control/control.module';
import { StreamModule } from './stream/stream.module';
import { WebModule } from './web/web.module';

@Module({})
export class AppModule {
  static forRoot(options: AppConfigOptions = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [
        AppConfigModule.forRoot(options),
        CameraModule,
        StreamModule,
        ControlModule,
        WebModule,
      ],
      providers: [
        // Registered as a provider, not in main.ts, so apps built by e2e tests validate the same way.
        {
          provide: APP_PIPE,
          useValue: new ValidationPipe({
            whitelist: true,
            forbidNonWhitelisted: true,
            transform: true,
          }),
        },
      ],
    };
  }
}
