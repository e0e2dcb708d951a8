import { IsOptional, MinLength, ValidateIf } from 'class-validator';
import { defineConfigSection, provide } from '../config/config-section';
import { EnvBoolean, EnvInt, EnvParsed, EnvString } from '../config/env-decorators';
import { type CorsOrigins, parseCorsOrigins } from './cors-origins';

export class ControlConfig {
  /** Bearer token every mutating API call must carry; undefined = control is open. */
  readonly apiToken?: string;
  /** Changes allowed per client and minute. */
  readonly rateLimitPerMinute!: number;
}

export class ViewerAuthConfig {
  /** Viewers must authenticate: Basic credentials or a signed token. */
  readonly enabled!: boolean;
  readonly username?: string;
  readonly password?: string;
  /** Signs stream tokens; random per start when not configured (tokens then end with the process). */
  readonly tokenSecret?: string;
  readonly tokenTtlMs!: number;
}

export class CorsConfig {
  /** Pages of these origins may read the media and status endpoints; undefined = none. */
  readonly origins?: CorsOrigins;
}

/** Who may change things (API token, rate limit), who may watch, and which pages may read. */
export class AuthEnv {
  @IsOptional()
  @EnvString(/^\S+$/, 'a token without spaces, at least 12 characters long')
  @MinLength(12, {
    message: 'API_TOKEN must be a token without spaces, at least 12 characters long',
  })
  API_TOKEN?: string;

  @EnvInt(1, 10000)
  CONTROL_RATE_LIMIT = 60;

  @EnvBoolean()
  STREAM_AUTH = false;

  @ValidateIf((env: AuthEnv) => env.STREAM_AUTH || env.STREAM_USERNAME !== undefined)
  @EnvString(/^[^:\s]+$/, 'set to a user name without spaces or colons when STREAM_AUTH is on')
  STREAM_USERNAME?: string;

  @ValidateIf((env: AuthEnv) => env.STREAM_AUTH || env.STREAM_PASSWORD !== undefined)
  @EnvString(
    /^\S{8,}$/,
    'set to a password of at least 8 characters, without spaces, when STREAM_AUTH is on',
  )
  STREAM_PASSWORD?: string;

  @IsOptional()
  @EnvString(/^\S{32,}$/, 'a random string of at least 32 characters')
  STREAM_TOKEN_SECRET?: string;

  @EnvInt(60, 31_536_000)
  STREAM_TOKEN_TTL = 3600;

  @IsOptional()
  @EnvParsed(
    parseCorsOrigins,
    '* or a list of origins such as https://mainsail.local,http://192.168.1.20 (scheme, host and port; no path)',
  )
  CORS_ORIGINS?: string;
}

export const authConfigSection = defineConfigSection({
  env: AuthEnv,
  secrets: ['API_TOKEN', 'STREAM_PASSWORD', 'STREAM_TOKEN_SECRET'],
  provides: [
    provide(ControlConfig, (env: AuthEnv) => ({
      apiToken: env.API_TOKEN,
      rateLimitPerMinute: env.CONTROL_RATE_LIMIT,
    })),
    provide(ViewerAuthConfig, (env: AuthEnv) => ({
      enabled: env.STREAM_AUTH,
      username: env.STREAM_USERNAME,
      password: env.STREAM_PASSWORD,
      tokenSecret: env.STREAM_TOKEN_SECRET,
      tokenTtlMs: env.STREAM_TOKEN_TTL * 1000,
    })),
    provide(CorsConfig, (env: AuthEnv) => ({
      origins: env.CORS_ORIGINS === undefined ? undefined : parseCorsOrigins(env.CORS_ORIGINS),
    })),
  ],
});
