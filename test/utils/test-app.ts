import type { TestingModuleBuilder } from '@nestjs/testing';
import { Test } from '@nestjs/testing';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { mkdtempSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppModule } from '../../src/app.module';
import { APP_OPTIONS, configureApp } from '../../src/app.setup';
import { CAMERA_DRIVER_FACTORY } from '../../src/camera/drivers/camera-driver.factory';
import type { CameraDriver } from '../../src/camera/drivers/camera-driver.interface';
import type { FrameProducer } from '../../src/camera/producer/frame-producer';
import { CameraRegistry } from '../../src/cameras/camera-registry.service';

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
  /** A fixed port, to bring a server back where its clients expect it; 0 = any free port. */
  port = 0,
): Promise<TestApp> {
  const builder = Test.createTestingModule({
    imports: [
      AppModule.forRoot({
        env: {
          HOST: '127.0.0.1',
          PORT: '0',
          LOG_LEVEL: process.env.TEST_LOGS === '1' ? 'debug' : 'error',
          // Tests make many changes a minute; the throttle has tests of its own.
          CONTROL_RATE_LIMIT: '10000',
          // Never the user's ./data: a test that forgets its own folder still gets a fresh one.
          DATA_DIR: mkdtempSync(join(tmpdir(), 'camfeed-test-')),
          ...env,
        },
        envFile: false,
      }),
    ],
  });
  const moduleRef = await customize(builder).compile();
  const app = moduleRef.createNestApplication<NestExpressApplication>(APP_OPTIONS);
  configureApp(app);
  await app.listen(port, '127.0.0.1');
  const address = app.getHttpServer().address() as AddressInfo;
  return { app, baseUrl: `http://127.0.0.1:${address.port}`, close: async () => app.close() };
}

export async function getJson<T = Record<string, unknown>>(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: T }> {
  const response = await fetch(url, { headers });
  return { status: response.status, body: (await response.json()) as T };
}

export interface JsonReply<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: T;
}

/** Sends `body` (JSON-encoded unless it is already a string) and parses the JSON answer. */
export async function sendJson<T = Record<string, unknown>>(
  method: string,
  url: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<JsonReply<T>> {
  const response = await fetch(url, {
    method,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: (text ? JSON.parse(text) : {}) as T,
  };
}

/** Puts `driver` in place of the first camera's (every camera's, with no cameras file). */
export const withDriver =
  (driver: CameraDriver) =>
  (builder: TestingModuleBuilder): TestingModuleBuilder =>
    builder.overrideProvider(CAMERA_DRIVER_FACTORY).useValue(() => driver);

/** The producer of the first camera of an app under test. */
export const producerOf = (app: NestExpressApplication, camera?: string): FrameProducer => {
  const registry = app.get(CameraRegistry);
  return (camera === undefined ? registry.first() : registry.get(camera)).producer;
};
