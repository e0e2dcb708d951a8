import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { AddressInfo } from 'node:net';
import { AppModule } from './app.module';
import { APP_OPTIONS, configureApp } from './app.setup';
import { CameraConfig, HttpConfig } from './config/app-config';
import { EnvValidationError } from './config/env.validation';
import { PinoLoggerService } from './logging/pino-logger.service';

/** Open streams end at shutdown, but a stuck driver must not keep the process alive. */
const SHUTDOWN_DEADLINE_MS = 2500;

async function bootstrap(): Promise<void> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(), {
    ...APP_OPTIONS,
    abortOnError: false,
    // Silent while the container is built: a failure there (a bad environment variable) is
    // reported once, cleanly, by the catch below instead of as a stack trace.
    logger: false,
  });
  app.useLogger(app.get(PinoLoggerService));
  configureApp(app);
  app.enableShutdownHooks();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      setTimeout(() => {
        Logger.error(`Shutdown took longer than ${SHUTDOWN_DEADLINE_MS} ms; exiting now`, 'Main');
        process.exit(1);
      }, SHUTDOWN_DEADLINE_MS).unref();
    });
  }
  const http = app.get(HttpConfig);
  const camera = app.get(CameraConfig);
  await app.listen(http.port, http.host);
  // The bound port, not the configured one: PORT=0 picks a free port.
  const { port } = app.getHttpServer().address() as AddressInfo;
  Logger.log(`camfeed listening on http://${http.host}:${port} (camera: ${camera.driver})`, 'Main');
}

bootstrap().catch((error: unknown) => {
  if (error instanceof EnvValidationError) {
    console.error(`camfeed: ${error.message}`);
  } else {
    console.error('camfeed failed to start:', error);
  }
  process.exit(1);
});
