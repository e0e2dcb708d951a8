import type { TestingModuleBuilder } from '@nestjs/testing';
import { Test } from '@nestjs/testing';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { AddressInfo } from 'node:net';
import { AppModule } from '../../src/app.module';
import { configureApp } from '../../src/app.setup';

export interface TestApp {
  readonly app: NestExpressApplication;
  readonly baseUrl: string;
  close(): Promise<void>;
}

/**
 * The real application on a real listening socket (127.0.0.1, a free port), configured only by
 * `env`: neither the machine's environment file nor main.ts's process handling is involved.
 */
export async function startApp(
  env: Record<string, string>,
  customize: (builder: TestingModuleBuilder) => TestingModuleBuilder = (builder) => builder,
): Promise<TestApp> {
  const builder = Test.createTestingModule({
    imports: [AppModule.forRoot({ env: { HOST: '127.0.0.1', PORT: '0', ...env }, envFile: false })],
  });
  const moduleRef = await customize(builder).compile();
  const app = moduleRef.createNestApplication<NestExpressApplication>({
    forceCloseConnections: true,
  });
  configureApp(app);
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  return { app, baseUrl: `http://127.0.0.1:${port}`, close: async () => app.close() };
}

export async function getJson<T = Record<string, unknown>>(
  url: string,
): Promise<{ status: number; body: T }> {
  const response = await fetch(url);
  return { status: response.status, body: (await response.json()) as T };
}
