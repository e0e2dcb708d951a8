import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MjpegReader } from './utils/mjpeg-reader';
import { getJson, sendJson, startApp, type TestApp } from './utils/test-app';
import { delay } from './utils/wait-for';

const dataDir = (): string => mkdtempSync(join(tmpdir(), 'camfeed-limits-'));

describe('MAX_CLIENTS', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startApp({
      MAX_CLIENTS: '3',
      CAMERA_WIDTH: '160',
      CAMERA_HEIGHT: '120',
      DATA_DIR: dataDir(),
    });
  });

  afterAll(async () => t.close());

  it('refuses viewers beyond the limit with 503 and Retry-After, leaving the others streaming', async () => {
    const viewers = await Promise.all(
      [1, 2, 3].map(async () => MjpegReader.open(`${t.baseUrl}/video_feed`)),
    );
    await Promise.all(viewers.map(async (viewer) => viewer.waitForParts(2)));

    const refused = await fetch(`${t.baseUrl}/video_feed`);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('10');
    expect(await refused.json()).toEqual({
      statusCode: 503,
      error: 'Service Unavailable',
      message: 'The stream has reached its limit of 3 viewers; try again in 10 s',
    });

    const counts = viewers.map((viewer) => viewer.count);
    await delay(500);
    viewers.forEach((viewer, index) => {
      expect(viewer.count).toBeGreaterThan(counts[index]);
      expect(viewer.ended).toBe(false);
    });

    viewers[0].close();
    await viewers[0].closed;
    await delay(100);
    const next = await MjpegReader.open(`${t.baseUrl}/video_feed`);
    expect(next.statusCode).toBe(200);
    await next.waitForParts(1);
    next.close();
    viewers.slice(1).forEach((viewer) => viewer.close());
    const metrics = await (await fetch(`${t.baseUrl}/metrics`)).text();
    expect(metrics).toMatch(/^camfeed_stream_refused_total 1$/m);
  });
});

describe('CONTROL_RATE_LIMIT', () => {
  it('refuses changes beyond the limit with 429, guesses of the API token included, and never reads', async () => {
    const t = await startApp({
      CONTROL_RATE_LIMIT: '5',
      API_TOKEN: 'limit-test-token-123',
      DATA_DIR: dataDir(),
    });
    try {
      const auth = { authorization: 'Bearer limit-test-token-123' };
      for (let i = 0; i < 3; i++) {
        expect(
          (await sendJson('POST', `${t.baseUrl}/camera/settings`, { quality: 70 + i }, auth))
            .status,
        ).toBe(200);
      }
      // Two wrong guesses still count.
      for (const guess of ['guess-1', 'guess-2']) {
        const reply = await sendJson(
          'POST',
          `${t.baseUrl}/camera/settings`,
          { quality: 50 },
          {
            authorization: `Bearer ${guess}`,
          },
        );
        expect(reply.status).toBe(401);
      }
      const throttled = await sendJson<{ statusCode: number }>(
        'POST',
        `${t.baseUrl}/camera/settings`,
        { quality: 90 },
        auth,
      );
      expect(throttled.status).toBe(429);
      expect(throttled.body.statusCode).toBe(429);
      expect(Number(throttled.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(
        (
          await sendJson(
            'POST',
            `${t.baseUrl}/camera/settings`,
            { quality: 50 },
            { authorization: 'Bearer guess-3' },
          )
        ).status,
      ).toBe(429);
      // Reads are never throttled: an open page polls every two seconds.
      for (let i = 0; i < 20; i++)
        expect((await getJson(`${t.baseUrl}/camera/status`)).status).toBe(200);
      expect(
        (await getJson<{ quality: number }>(`${t.baseUrl}/camera/settings`)).body.quality,
      ).toBe(72);
    } finally {
      await t.close();
    }
  });
});

describe('security headers', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startApp({ CAMERA_WIDTH: '160', CAMERA_HEIGHT: '120', DATA_DIR: dataDir() });
  });

  afterAll(async () => t.close());

  it.each(['/', '/camera/status', '/assets/app.js', '/docs'])('protects %s', async (path) => {
    const response = await fetch(`${t.baseUrl}${path}`);
    expect(response.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    // Plain HTTP: nothing that would send browsers to an HTTPS this server does not serve.
    expect(response.headers.get('content-security-policy')).not.toMatch(
      /upgrade-insecure-requests/,
    );
    expect(response.headers.get('strict-transport-security')).toBeNull();
  });

  it.each(['/video_feed', '/snapshot.jpg'])('leaves %s embeddable anywhere', async (path) => {
    const controller = new AbortController();
    const response = await fetch(`${t.baseUrl}${path}`, { signal: controller.signal });
    expect(response.status).toBe(200);
    for (const header of [
      'content-security-policy',
      'cross-origin-resource-policy',
      'x-frame-options',
    ]) {
      expect([header, response.headers.get(header)]).toEqual([header, null]);
    }
    controller.abort();
  });
});
