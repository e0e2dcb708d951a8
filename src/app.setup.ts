import type { NestExpressApplication } from '@nestjs/platform-express';

/** Settings shared by the real server (main.ts) and the apps e2e tests build. */
export function configureApp(app: NestExpressApplication): NestExpressApplication {
  app.disable('x-powered-by');
  return app;
}
