import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeCameraDriver } from './fakes/fake-camera.driver';
import { solidJpeg } from './utils/jpeg-fixtures';
import { MjpegReader } from './utils/mjpeg-reader';
import { parsePrometheus, valueOf } from './utils/prometheus';
import { getJson, startApp, type TestApp, withDriver } from './utils/test-app';
import { delay, waitFor } from './utils/wait-for';

type Health = { status: string; details: { camera: Record<string, unknown> } };
const dataDir = (): string => mkdtempSync(join(tmpdir(), 'camfeed-monitoring-'));

describe('GET /health', () => {
  let t: TestApp;
  let driver: FakeCameraDriver;

  beforeAll(async () => {
    driver = new FakeCameraDriver();
    t = await startApp(
      { CAMERA_STALL_TIMEOUT: '1', CAMERA_IDLE_TIMEOUT: '0.5', DATA_DIR: dataDir() },
      withDriver(driver),
    );
  });

  afterAll(async () => t.close());

  it('is ok while the server runs and the camera is idle', async () => {
    const { status, body } = await getJson<Health>(`${t.baseUrl}/health`);
    expect(status).toBe(200);
    expect(body.status).toBe('ok');
    expect(body.details.camera).toMatchObject({ status: 'up', state: 'idle' });
  });

  it('is ok while the camera delivers frames', async () => {
    const jpeg = await solidJpeg(64, 48);
    const reader = await MjpegReader.open(`${t.baseUrl}/video_feed`);
    driver.push(jpeg);
    await reader.waitForParts(1);
    const { body } = await getJson<Health>(`${t.baseUrl}/health`);
    expect(body).toMatchObject({
      status: 'ok',
      details: {
        camera: {
          status: 'up',
          state: 'running',
          lastFrameAgeSeconds: expect.any(Number) as number,
        },
      },
    });
    reader.close();
    await waitFor(() => driver.activeRuns === 0, 'the camera to go idle', 5000);
  });

  it('reports degraded, with the reason, when a running camera stalls — and stays HTTP 200', async () => {
    const reader = await MjpegReader.open(`${t.baseUrl}/video_feed`);
    // The fake driver starts and then gives nothing: a stalled camera.
    let health: Health | undefined;
    await waitFor(() => false, 'nothing', 0).catch(() => undefined);
    const deadline = Date.now() + 8000;
    while (Date.now() < deadline) {
      const reply = await getJson<Health>(`${t.baseUrl}/health`);
      expect(reply.status).toBe(200);
      health = reply.body;
      if (health.status === 'degraded') break;
      await delay(200);
    }
    expect(health?.status).toBe('degraded');
    expect(health?.details.camera).toMatchObject({
      status: 'degraded',
      reason: expect.stringMatching(/no frame from the camera for/) as string,
    });
    reader.close();
  });
});

describe('GET /metrics', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startApp({
      CAMERA_WIDTH: '160',
      CAMERA_HEIGHT: '120',
      CAMERA_FRAMERATE: '20',
      DATA_DIR: dataDir(),
    });
  });

  afterAll(async () => t.close());

  const scrape = async (): Promise<ReturnType<typeof parsePrometheus>> => {
    const response = await fetch(`${t.baseUrl}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    return parsePrometheus(await response.text());
  };

  it('is valid Prometheus text with camfeed’s metrics and the process metrics', async () => {
    const metrics = await scrape();
    for (const [name, type] of [
      ['camfeed_stream_clients', 'gauge'],
      ['camfeed_frames_captured_total', 'counter'],
      ['camfeed_frames_sent_total', 'counter'],
      ['camfeed_frames_dropped_total', 'counter'],
      ['camfeed_stream_bytes_sent_total', 'counter'],
      ['camfeed_capture_fps', 'gauge'],
      ['camfeed_camera_restarts_total', 'counter'],
      ['camfeed_last_frame_age_seconds', 'gauge'],
      ['camfeed_http_requests_total', 'counter'],
      ['process_cpu_user_seconds_total', 'counter'],
      ['process_resident_memory_bytes', 'gauge'],
      ['nodejs_eventloop_lag_seconds', 'gauge'],
    ]) {
      expect([name, metrics.types.get(name)]).toEqual([name, type]);
    }
  });

  it('moves while a viewer streams', async () => {
    const before = await scrape();
    const reader = await MjpegReader.open(`${t.baseUrl}/video_feed`);
    await reader.waitForParts(10);
    const during = await scrape();
    expect(valueOf(during, 'camfeed_stream_clients')).toBe(1);
    for (const name of [
      'camfeed_frames_captured_total',
      'camfeed_frames_sent_total',
      'camfeed_stream_bytes_sent_total',
    ]) {
      expect((valueOf(during, name) ?? 0) - (valueOf(before, name) ?? 0)).toBeGreaterThanOrEqual(9);
    }
    expect(valueOf(during, 'camfeed_capture_fps')).toBeGreaterThan(10);
    expect(valueOf(during, 'camfeed_last_frame_age_seconds')).toBeLessThan(1);
    reader.close();
    await waitFor(() => reader.ended || true, 'close');
    await delay(100);
    const after = await scrape();
    expect(valueOf(after, 'camfeed_stream_clients')).toBe(0);
    expect(
      valueOf(after, 'camfeed_http_requests_total', {
        method: 'GET',
        route: '/video_feed',
        status: '200',
      }),
    ).toBe(1);
    expect(
      valueOf(after, 'camfeed_http_requests_total', {
        method: 'GET',
        route: '/metrics',
        status: '200',
      }),
    ).toBeGreaterThanOrEqual(2);
  });

  it('counts requests by route template and status, not by raw URL', async () => {
    await fetch(`${t.baseUrl}/video_feed/sessions/abc`);
    await fetch(`${t.baseUrl}/video_feed/sessions/def`);
    await fetch(`${t.baseUrl}/no/such/page`);
    const metrics = await scrape();
    expect(
      valueOf(metrics, 'camfeed_http_requests_total', {
        route: '/video_feed/sessions/:id',
        status: '404',
      }),
    ).toBe(2);
    expect(
      valueOf(metrics, 'camfeed_http_requests_total', { route: 'unmatched', status: '404' }),
    ).toBe(1);
    expect(metrics.samples.some((sample) => JSON.stringify(sample.labels).includes('abc'))).toBe(
      false,
    );
  });
});
