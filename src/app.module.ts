import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { CONFIG_SECTIONS } from './app.config';
import { AuthModule } from './auth/auth.module';
import { CameraModule } from './camera/camera.module';
import { CamerasModule } from './cameras/cameras.module';
import { DomainErrorFilter } from './common/filters/domain-error.filter';
import { AppValidationPipe } from './common/validation/app-validation.pipe';
import {
  AppConfigModule,
  type AppConfigOptions,
  type LoadedConfig,
} from './config/app-config.module';
import { ClusterConfig } from './cluster/cluster.config';
import { ClusterModule } from './cluster/cluster.module';
import { ControlModule } from './control/control.module';
import { HealthModule } from './health/health.module';
import { IrLedModule } from './ir-led/ir-led.module';
import { LoggingModule } from './logging/logging.module';
import { MetricsModule } from './metrics/metrics.module';
import { PersistenceModule } from './persistence/persistence.module';
import { StreamModule } from './stream/stream.module';
import { WebModule } from './web/web.module';
import { WebRtcModule } from './webrtc/webrtc.module';

export interface AppModuleOptions extends AppConfigOptions {
  /** The configuration main.ts already validated (it needed TLS before creating the app). */
  readonly config?: { readonly module: DynamicModule; readonly config: LoadedConfig };
}

@Module({})
export class AppModule {
  static forRoot(options: AppModuleOptions = {}): DynamicModule {
    const loaded = Promise.resolve(
      options.config ?? AppConfigModule.load(CONFIG_SECTIONS, options),
    );
    // A bad environment rejects before Nest awaits the imports: without a handler Node would
    // report an unhandled rejection instead of letting app creation reject with the message.
    const config = loaded.then((done) => done.module);
    // Empty without NATS_URL: nothing of the cluster is loaded.
    const cluster = loaded.then((done) => ClusterModule.register(done.config.get(ClusterConfig)));
    for (const imported of [config, cluster]) imported.catch(() => undefined);
    return {
      module: AppModule,
      imports: [
        config,
        LoggingModule,
        PersistenceModule,
        AuthModule,
        CameraModule,
        IrLedModule,
        CamerasModule,
        StreamModule,
        WebRtcModule,
        ControlModule,
        HealthModule,
        MetricsModule,
        WebModule,
        cluster,
      ],
      // Registered as providers, not in main.ts, so apps built by e2e tests behave the same way.
      providers: [
        { provide: APP_FILTER, useClass: DomainErrorFilter },
        { provide: APP_PIPE, useClass: AppValidationPipe },
      ],
    };
  }
}
