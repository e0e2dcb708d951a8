import { type DynamicModule, Global, Module, type Provider } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import type { AnyConfigSection, ConfigToken } from './config-section';
import { loadSections } from './validate-env';

const CONFIG_KEY = 'camfeed';

export interface AppConfigOptions {
  /** Variables that win over the process environment; tests use it to configure one app. */
  readonly env?: Record<string, string | undefined>;
  /** Read `.env` from the working directory (default true). */
  readonly envFile?: boolean;
}

/** The validated configuration, by token: what main.ts needs before the app exists (TLS). */
export class LoadedConfig {
  constructor(private readonly values: ReadonlyMap<ConfigToken, unknown>) {}

  get<C>(token: ConfigToken<C>): C {
    if (!this.values.has(token)) throw new Error(`no config section provides ${token.name}`);
    return this.values.get(token) as C;
  }

  get tokens(): ConfigToken[] {
    return [...this.values.keys()];
  }
}

/**
 * Validates the environment (and `.env`, through @nestjs/config) once, at boot — a bad value
 * rejects with messages naming each variable — and provides every section's config objects to
 * every module.
 */
@Global()
@Module({})
export class AppConfigModule {
  /** The module and the config it validated, so main.ts can read it without a second context. */
  static async load(
    sections: readonly AnyConfigSection[],
    options: AppConfigOptions = {},
  ): Promise<{ module: DynamicModule; config: LoadedConfig }> {
    let loaded: LoadedConfig | undefined;
    const config = await ConfigModule.forRoot({
      ignoreEnvFile: options.envFile === false,
      validate: (raw) => {
        loaded = new LoadedConfig(loadSections({ ...raw, ...options.env }, sections));
        return { [CONFIG_KEY]: loaded };
      },
    });
    if (loaded === undefined) throw new Error('the configuration was not validated');
    const providers: Provider[] = loaded.tokens.map((token) => ({
      provide: token,
      inject: [ConfigService],
      useFactory: (service: ConfigService) =>
        service.getOrThrow<LoadedConfig>(CONFIG_KEY).get(token),
    }));
    return {
      config: loaded,
      module: { module: AppConfigModule, imports: [config], providers, exports: providers },
    };
  }
}
