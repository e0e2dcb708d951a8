import { DynamicModule, Global, Module, Provider } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import {
  AppConfig,
  CameraConfig,
  ControlConfig,
  CorsConfig,
  HttpConfig,
  IrLedConfig,
  LoggingConfig,
  StorageConfig,
  StreamConfig,
  TlsConfig,
  toAppConfig,
  ViewerAuthConfig,
} from './app-config';
import { validateEnv } from './env.validation';

const APP_CONFIG_KEY = 'camfeed';

export interface AppConfigOptions {
  /** Variables that win over the process environment; tests use it to configure one app. */
  readonly env?: Record<string, string | undefined>;
  /** Read `.env` from the working directory (default true). */
  readonly envFile?: boolean;
}

function section<T>(token: abstract new () => T, pick: (config: AppConfig) => T): Provider {
  return {
    provide: token,
    inject: [ConfigService],
    useFactory: (config: ConfigService) => pick(config.getOrThrow<AppConfig>(APP_CONFIG_KEY)),
  };
}

const sections: Provider[] = [
  section(HttpConfig, (config) => config.http),
  section(CameraConfig, (config) => config.camera),
  section(StreamConfig, (config) => config.stream),
  section(StorageConfig, (config) => config.storage),
  section(ControlConfig, (config) => config.control),
  section(IrLedConfig, (config) => config.irLed),
  section(LoggingConfig, (config) => config.logging),
  section(ViewerAuthConfig, (config) => config.viewerAuth),
  section(TlsConfig, (config) => config.tls),
  section(CorsConfig, (config) => config.cors),
];

/**
 * Validates the environment once at boot (a bad value rejects app creation with a message naming
 * the variable) and provides the typed config sections to every module.
 */
@Global()
@Module({})
export class AppConfigModule {
  static forRoot(options: AppConfigOptions = {}): DynamicModule {
    const config = ConfigModule.forRoot({
      ignoreEnvFile: options.envFile === false,
      validate: (raw) => ({
        [APP_CONFIG_KEY]: toAppConfig(validateEnv({ ...raw, ...options.env })),
      }),
    });
    // forRoot validates at once and rejects before Nest awaits the import; without a handler
    // Node would report an unhandled rejection and crash with a stack trace instead of letting
    // NestFactory.create reject with the validation message.
    config.catch(() => undefined);
    return {
      module: AppConfigModule,
      imports: [config],
      providers: sections,
      exports: sections,
    };
  }
}
