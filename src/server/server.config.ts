import { IsOptional, ValidateIf } from 'class-validator';
import { defineConfigSection, provide } from '../config/config-section';
import { EnvInt, EnvParsed, EnvString } from '../config/env-decorators';
import { isHostValue, parseTrustProxy } from './network-values';

export class HttpConfig {
  readonly host!: string;
  readonly port!: number;
  /** Express's "trust proxy": whose X-Forwarded-For to believe for the client address. */
  readonly trustProxy!: boolean | number | string;
}

export class TlsConfig {
  /** PEM certificate and key paths; both undefined = plain HTTP. */
  readonly certPath?: string;
  readonly keyPath?: string;
}

/** The HTTP server: where it listens, behind which proxies, over HTTP or HTTPS. */
export class ServerEnv {
  @EnvInt(0, 65535)
  PORT = 8080;

  @EnvParsed(
    (value) => (isHostValue(value) ? value : undefined),
    'a host name or IP address to listen on, such as 0.0.0.0, :: or 127.0.0.1',
  )
  HOST = '0.0.0.0';

  @EnvParsed(
    parseTrustProxy,
    'false, true, a hop count, or proxy names, addresses and subnets such as loopback or 10.0.0.0/8',
  )
  TRUST_PROXY = 'false';

  @ValidateIf((env: ServerEnv) => env.TLS_KEY !== undefined || env.TLS_CERT !== undefined)
  @EnvString(/\S/, 'the path of a PEM certificate (chain), set together with TLS_KEY')
  TLS_CERT?: string;

  @ValidateIf((env: ServerEnv) => env.TLS_CERT !== undefined || env.TLS_KEY !== undefined)
  @EnvString(/\S/, 'the path of the PEM private key, set together with TLS_CERT')
  TLS_KEY?: string;

  @IsOptional()
  @EnvString(/^(development|production|test)$/, 'one of: development, production, test')
  NODE_ENV?: string;
}

export const serverConfigSection = defineConfigSection({
  env: ServerEnv,
  provides: [
    provide(HttpConfig, (env: ServerEnv) => ({
      host: env.HOST,
      port: env.PORT,
      // Validation has made sure it parses.
      trustProxy: parseTrustProxy(env.TRUST_PROXY) ?? false,
    })),
    provide(TlsConfig, (env: ServerEnv) => ({ certPath: env.TLS_CERT, keyPath: env.TLS_KEY })),
  ],
});
