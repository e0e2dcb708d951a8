import { Logger } from '@nestjs/common';
import type { HttpsOptions } from '@nestjs/common/interfaces/external/https-options.interface';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { CONFIG_SECTIONS } from './app.config';
import { AppModule } from './app.module';
import { APP_OPTIONS, configureApp } from './app.setup';
import { CameraRegistry } from './cameras/camera-registry.service';
import { CamerasFileError } from './cameras/cameras-file';
import { AppConfigModule } from './config/app-config.module';
import { EnvValidationError } from './config/validate-env';
import { PinoLoggerService } from './logging/pino-logger.service';
import { HttpConfig, TlsConfig } from './server/server.config';

/**
 * Open streams end at shutdown, but a stuck driver must not keep the process alive. SIGHUP is
 * not among them: it is what `systemctl reload` sends, and reloads the cameras file.
 */
const SHUTDOWN_SIGNALS = ['SIGINT', 'SIGTERM'] as const;
const SHUTDOWN_DEADLINE_MS = 2500;

/** A start-up failure with a message that says it all; printed without a stack trace. */
class StartupError extends Error {}

/** Why the server cannot listen, in words that say which variable to change. */
function listenProblem(error: unknown, host: string, port: number): string {
  const code = (error as NodeJS.ErrnoException).code;
  const where = `HOST=${host} PORT=${port}`;
  switch (code) {
    case 'EADDRINUSE':
      return `cannot listen on ${where}: the port is in use by another program`;
    case 'EACCES':
      return `cannot listen on ${where}: ports below 1024 need privileges (use PORT=8080, or let systemd or a proxy take port 80)`;
    case 'EADDRNOTAVAIL':
      return `cannot listen on ${where}: this machine has no such address (use 0.0.0.0 for all, or one of its own addresses)`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `cannot listen on ${where}: the host name does not resolve to an address of this machine`;
    default:
      return `cannot listen on ${where}: ${(error as Error).message}`;
  }
}

async function httpsOptions(tls: TlsConfig): Promise<HttpsOptions | undefined> {
  const { certPath, keyPath } = tls;
  if (certPath === undefined || keyPath === undefined) return undefined;
  try {
    return { cert: await readFile(certPath), key: await readFile(keyPath) };
  } catch (error) {
    throw new StartupError(`cannot read TLS_CERT or TLS_KEY: ${(error as Error).message}`);
  }
}

async function bootstrap(): Promise<void> {
  // Validated once: the same configuration decides HTTPS here and configures every module.
  const loaded = await AppConfigModule.load(CONFIG_SECTIONS);
  const { config } = loaded;
  const tls = await httpsOptions(config.get(TlsConfig));
  const app = await NestFactory.create<NestExpressApplication>(
    AppModule.forRoot({ config: loaded }),
    {
      ...APP_OPTIONS,
      httpsOptions: tls,
      abortOnError: false,
      // Silent while the container is built: a failure there (a bad cameras file) is reported
      // once, cleanly, by the catch below instead of as a stack trace.
      logger: false,
    },
  );
  app.useLogger(app.get(PinoLoggerService));
  configureApp(app);
  // Only the signals that mean "stop": Nest's default list also takes SIGUSR2, which Node's
  // diagnostics (--heapsnapshot-signal, --report-signal) use on a running server.
  app.enableShutdownHooks([...SHUTDOWN_SIGNALS]);
  for (const signal of SHUTDOWN_SIGNALS) {
    process.once(signal, () => {
      setTimeout(() => {
        Logger.error(`Shutdown took longer than ${SHUTDOWN_DEADLINE_MS} ms; exiting now`, 'Main');
        process.exit(1);
      }, SHUTDOWN_DEADLINE_MS).unref();
    });
  }
  // Module start-up (the cameras file is read here) before listening: a bad file is its own error.
  await app.init();
  const http = config.get(HttpConfig);
  try {
    await app.listen(http.port, http.host);
  } catch (error) {
    await app.close().catch(() => undefined);
    throw new StartupError(listenProblem(error, http.host, http.port));
  }
  // The bound port, not the configured one: PORT=0 picks a free port.
  const { port } = app.getHttpServer().address() as AddressInfo;
  const scheme = tls === undefined ? 'http' : 'https';
  const cameras = app.get(CameraRegistry).local();
  Logger.log(
    `camfeed listening on ${scheme}://${http.host}:${port} (camera: ${cameras.map((camera) => camera.definition.driver).join(', ') || 'none'})`,
    'Main',
  );
}

bootstrap().catch((error: unknown) => {
  if (
    error instanceof EnvValidationError ||
    error instanceof StartupError ||
    error instanceof CamerasFileError
  ) {
    console.error(`camfeed: ${error.message}`);
  } else {
    console.error('camfeed failed to start:', error);
  }
  process.exit(1);
});
