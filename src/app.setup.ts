import type { NestApplicationOptions } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { jsonBodyParser } from './common/middleware/json-body';
import { securityHeaders } from './auth/security-headers.middleware';
import { corsMiddleware } from './auth/cors.middleware';
import { crossSiteGuard } from './auth/cross-site.middleware';
import { CorsConfig } from './auth/auth.config';
import { CameraRegistry } from './cameras/camera-registry.service';
import { HttpConfig, TlsConfig } from './server/server.config';
import { compatUrlMiddleware } from './stream/compat-urls';
import { viewerAuthMiddleware } from './auth/viewer-auth.middleware';
import { ViewerAuthService } from './auth/viewer-auth.service';
import { PinoLoggerService } from './logging/pino-logger.service';
import { requestLogMiddleware } from './logging/request-log.middleware';
import { httpMetricsMiddleware } from './metrics/http-metrics.middleware';
import { MetricsService } from './metrics/metrics.service';

/** Options for NestFactory.create, shared by main.ts and the apps e2e tests build. */
export const APP_OPTIONS: NestApplicationOptions = {
  // Endless /video_feed responses would otherwise hold app.close() open forever.
  forceCloseConnections: true,
  // Replaced by jsonBodyParser(): JSON only, small, with clear 400s.
  bodyParser: false,
};

/**
 * How long a client may take to send its request. Node's defaults (5 min for the whole request,
 * 1 min for headers) let a slow client hold a connection for minutes; a camera's requests are
 * small. Responses are not limited: a stream lasts as long as the viewer watches.
 */
export const REQUEST_TIMEOUT_MS = 15_000;
export const HEADERS_TIMEOUT_MS = 10_000;

export function applyServerTimeouts(server: Server): void {
  server.requestTimeout = REQUEST_TIMEOUT_MS;
  server.headersTimeout = HEADERS_TIMEOUT_MS;
}

/** Settings shared by the real server (main.ts) and the apps e2e tests build. */
export function configureApp(app: NestExpressApplication): NestExpressApplication {
  app.disable('x-powered-by');
  applyServerTimeouts(app.getHttpServer());
  app.set('trust proxy', app.get(HttpConfig).trustProxy);
  // Before anything looks at the path: other servers' URLs become camfeed's own.
  const cameras = app.get(CameraRegistry);
  app.use(
    compatUrlMiddleware(
      (index) => cameras.at(index)?.id,
      () => cameras.ids,
    ),
  );
  // First after that, so that every request is counted and logged, whatever answers it.
  app.use(httpMetricsMiddleware(app.get(MetricsService)));
  app.use(requestLogMiddleware(app.get(PinoLoggerService)));
  const tls = app.get(TlsConfig);
  app.use(securityHeaders(tls.certPath !== undefined));
  // Preflights carry no credentials, so CORS answers them before viewer auth would refuse them.
  app.use(corsMiddleware(app.get(CorsConfig).origins));
  app.use(crossSiteGuard());
  app.use(viewerAuthMiddleware(app.get(ViewerAuthService)));
  app.use(...jsonBodyParser());
  // The page's script and stylesheet; the page itself is served by WebController.
  app.useStaticAssets(join(__dirname, 'web', 'public', 'assets'), {
    prefix: '/assets/',
    index: false,
    maxAge: '10m',
  });
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('camfeed')
      .setDescription(
        'Live camera streaming server. Watch `GET /video_feed` in an `<img>`; change camera settings and the IR LEDs ' +
          'through this API. With API_TOKEN set, calls that change something need `Authorization: Bearer <token>`.',
      )
      .setVersion('1')
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { customSiteTitle: 'camfeed API' });
  return app;
}
