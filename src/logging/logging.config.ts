import { defineConfigSection, provide } from '../config/config-section';
import { EnvEnum } from '../config/env-decorators';

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const LOG_FORMATS = ['pretty', 'json'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

export class LoggingConfig {
  readonly level!: LogLevel;
  /** pretty: readable lines for a terminal or journald; json: one JSON object per line. */
  readonly format!: LogFormat;
}

export class LoggingEnv {
  @EnvEnum(LOG_LEVELS)
  LOG_LEVEL: LogLevel = 'info';

  @EnvEnum(LOG_FORMATS)
  LOG_FORMAT: LogFormat = 'pretty';
}

export const loggingConfigSection = defineConfigSection({
  env: LoggingEnv,
  provides: [
    provide(LoggingConfig, (env: LoggingEnv) => ({ level: env.LOG_LEVEL, format: env.LOG_FORMAT })),
  ],
});
