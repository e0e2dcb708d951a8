import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MjpegReader } from './utils/mjpeg-reader';
import { startApp, type TestApp } from './utils/test-app';

const dataDir = (): string => mkdtempSync(join(tmpdir(), 'camfeed-cors-'));
const MAINSAIL = 'http://mainsail.local';

async function preflight(
  url: string,
  origin: string,
  method = 'GET',
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(url, {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': method, ...headers },
  });
}

describe('CORS_ORIGINS unset (the default)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startApp({ CAMERA: 'emulated', DATA_DIR: dataDir() });
  });

  afterAll(async () => t.close());

  it('grants no other origin anything, as before', async () => {
    const snapshot = await fetch(`${t.baseUrl}/snapshot.jpg`, { headers: { origin: MAINSAIL } });
    expect(snapshot.status).toBe(200);
    expect(snapshot.headers.get('access-control-allow-origin')).toBeNull();
    const answer = await preflight(`${t.baseUrl}/video_feed`, MAINSAIL);
    expect(answer.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('CORS_ORIGINS with a list of origins', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startApp({
      CAMERA: 'emulated',
      DATA_DIR: dataDir(),
      CORS_ORIGINS: `${MAINSAIL}, https://fluidd.example:8443`,
    });
  });

  afterAll(async () => t.close());

  it('lets a listed page read the stream, framed by Content-Length as its fetch() player needs', async () => {
    const reader = await MjpegReader.open(`${t.baseUrl}/video_feed?timestamp=1`, {
      headers: { origin: MAINSAIL, 'sec-fetch-dest': 'empty', 'sec-fetch-mode': 'cors' },
    });
    await reader.waitForParts(2);
    reader.close();
    const headers = reader.response.headers;
    expect(headers['access-control-allow-origin']).toBe(MAINSAIL);
    expect(headers['access-control-allow-credentials']).toBe('true');
    expect(headers.vary).toContain('Origin');
    expect(reader.parts[1].headers['content-length']).toBe(String(reader.parts[1].body.length));
  });

  it.each([
    '/snapshot.jpg',
    '/camera/status',
    '/camera/settings',
    '/camera/capabilities',
    '/health',
  ])('lets a listed page read %s, exposing X-Timestamp', async (path) => {
    const response = await fetch(`${t.baseUrl}${path}`, {
      headers: { origin: 'https://fluidd.example:8443' },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBe('https://fluidd.example:8443');
    expect(response.headers.get('access-control-expose-headers')).toContain('X-Timestamp');
    await response.arrayBuffer();
  });

  it('answers a preflight for a read from a listed origin', async () => {
    const answer = await preflight(`${t.baseUrl}/video_feed`, MAINSAIL, 'GET', {
      'access-control-request-headers': 'authorization, x-unknown',
    });
    expect(answer.status).toBe(204);
    expect(answer.headers.get('access-control-allow-origin')).toBe(MAINSAIL);
    expect(answer.headers.get('access-control-allow-methods')).toBe('GET, HEAD');
    expect(answer.headers.get('access-control-allow-headers')).toBe('authorization');
    expect(Number(answer.headers.get('access-control-max-age'))).toBeGreaterThan(0);
  });

  it('gives other origins nothing, and never opens a change to any origin', async () => {
    const stranger = await fetch(`${t.baseUrl}/snapshot.jpg`, {
      headers: { origin: 'http://evil.example' },
    });
    expect(stranger.headers.get('access-control-allow-origin')).toBeNull();
    await stranger.arrayBuffer();
    const strangerPreflight = await preflight(`${t.baseUrl}/video_feed`, 'http://evil.example');
    expect(strangerPreflight.headers.get('access-control-allow-origin')).toBeNull();

    const change = await preflight(`${t.baseUrl}/video_feed`, MAINSAIL, 'POST');
    expect(change.headers.get('access-control-allow-origin')).toBeNull();
    expect(change.headers.get('access-control-allow-methods')).toBeNull();
    const settings = await preflight(`${t.baseUrl}/camera/settings`, MAINSAIL, 'POST');
    expect(settings.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('CORS_ORIGINS=* with STREAM_AUTH', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startApp({
      CAMERA: 'emulated',
      DATA_DIR: dataDir(),
      CORS_ORIGINS: '*',
      STREAM_AUTH: 'true',
      STREAM_USERNAME: 'viewer',
      STREAM_PASSWORD: 'watch-the-printer',
    });
  });

  afterAll(async () => t.close());

  it('answers preflights without credentials, and never allows credentials with *', async () => {
    const answer = await preflight(`${t.baseUrl}/snapshot.jpg`, MAINSAIL, 'GET', {
      'access-control-request-headers': 'authorization',
    });
    expect(answer.status).toBe(204);
    expect(answer.headers.get('access-control-allow-origin')).toBe('*');
    expect(answer.headers.get('access-control-allow-credentials')).toBeNull();

    const basic = `Basic ${Buffer.from('viewer:watch-the-printer').toString('base64')}`;
    const response = await fetch(`${t.baseUrl}/snapshot.jpg`, {
      headers: { origin: MAINSAIL, authorization: basic },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(response.headers.get('access-control-allow-credentials')).toBeNull();
    await response.arrayBuffer();
  });

  it('still asks for credentials on the real request', async () => {
    const response = await fetch(`${t.baseUrl}/snapshot.jpg`, { headers: { origin: MAINSAIL } });
    expect(response.status).toBe(401);
    await response.arrayBuffer();
  });
});
