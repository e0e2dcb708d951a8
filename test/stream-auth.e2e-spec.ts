import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { issueStreamToken } from '../src/auth/stream-token';
import { MjpegReader } from './utils/mjpeg-reader';
import { getJson, sendJson, startApp, type TestApp } from './utils/test-app';

const SECRET = 'a-test-secret-that-is-long-enough-1234567890';
const basic = (user: string, password: string): Record<string, string> => ({
  authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`,
});

describe('STREAM_AUTH', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startApp({
      STREAM_AUTH: 'true',
      STREAM_USERNAME: 'viewer',
      STREAM_PASSWORD: 'watch-the-baby',
      STREAM_TOKEN_SECRET: SECRET,
      API_TOKEN: 'admin-token-0123456789',
      CAMERA_WIDTH: '160',
      CAMERA_HEIGHT: '120',
      DATA_DIR: mkdtempSync(join(tmpdir(), 'camfeed-auth-')),
    });
  });

  afterAll(async () => t.close());

  it.each([
    '/',
    '/assets/app.js',
    '/video_feed',
    '/snapshot.jpg',
    '/camera/status',
    '/camera/settings',
    '/docs',
  ])('asks for credentials on %s, in a way browsers show a sign-in for', async (path) => {
    const response = await fetch(`${t.baseUrl}${path}`);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Basic realm="camfeed", charset="UTF-8"');
    expect(((await response.json()) as { message: string }).message).toBe(
      'This camera needs a user name and password, or a stream token (?token=)',
    );
  });

  it('leaves /health and /metrics open for monitoring', async () => {
    expect((await fetch(`${t.baseUrl}/health`)).status).toBe(200);
    expect((await fetch(`${t.baseUrl}/metrics`)).status).toBe(200);
  });

  it('streams to a viewer with the right Basic credentials', async () => {
    const reader = await MjpegReader.open(`${t.baseUrl}/video_feed`, {
      headers: basic('viewer', 'watch-the-baby'),
    });
    expect(reader.statusCode).toBe(200);
    await reader.waitForParts(2);
    reader.close();
  });

  it.each([
    ['a wrong password', basic('viewer', 'watch-the-bab')],
    ['a wrong user', basic('viewers', 'watch-the-baby')],
    ['no password', basic('viewer', '')],
  ])('refuses %s', async (_, headers) => {
    expect((await fetch(`${t.baseUrl}/video_feed`, { headers })).status).toBe(401);
  });

  it('issues a token to a signed-in viewer, which opens the stream and snapshots from an <img> URL', async () => {
    const issued = await sendJson<{ token: string; expiresAt: string; url: string }>(
      'POST',
      `${t.baseUrl}/video_feed/token`,
      undefined,
      basic('viewer', 'watch-the-baby'),
    );
    expect(issued.status).toBe(200);
    expect(issued.body.url).toBe(`/video_feed?token=${issued.body.token}`);
    const ttl = Date.parse(issued.body.expiresAt) - Date.now();
    expect(ttl).toBeGreaterThan(3_500_000);
    expect(ttl).toBeLessThanOrEqual(3_600_000);

    const reader = await MjpegReader.open(`${t.baseUrl}${issued.body.url}&session=tokened`);
    expect(reader.statusCode).toBe(200);
    await reader.waitForParts(2);
    reader.close();
    const snapshot = await fetch(`${t.baseUrl}/snapshot.jpg?token=${issued.body.token}`);
    expect(snapshot.status).toBe(200);
    expect(snapshot.headers.get('content-type')).toBe('image/jpeg');
  });

  it('refuses an expired token, a forged one and a stretched one, saying which', async () => {
    const secret = Buffer.from(SECRET, 'utf8');
    const expired = issueStreamToken(secret, Date.now() - 1000);
    const forged = issueStreamToken(
      Buffer.from('another-secret-another-secret-12'),
      Date.now() + 60_000,
    );
    const [version, expiry, signature] = issueStreamToken(secret, Date.now() + 60_000).split('.');
    const stretched = `${version}.${Number(expiry) + 86_400 * 365}.${signature}`;
    for (const [token, reason] of [
      [expired, 'expired'],
      [forged, 'forged'],
      [stretched, 'forged'],
      ['not-a-token', 'malformed'],
    ]) {
      const { status, body } = await getJson<{ message: string }>(
        `${t.baseUrl}/video_feed?token=${token}`,
      );
      expect([token, status, body.message]).toEqual([token, 401, `The stream token is ${reason}`]);
    }
  });

  it('does not let a token buy another token', async () => {
    const { body } = await sendJson<{ token: string }>(
      'POST',
      `${t.baseUrl}/video_feed/token`,
      undefined,
      basic('viewer', 'watch-the-baby'),
    );
    const renewed = await sendJson<{ message: string }>(
      'POST',
      `${t.baseUrl}/video_feed/token?token=${body.token}`,
    );
    expect(renewed.status).toBe(403);
    expect(renewed.body.message).toBe(
      'A stream token cannot be used to get another one: sign in instead',
    );
  });

  it('lets the API token in as a viewer too, and still requires it for changes', async () => {
    const admin = { authorization: 'Bearer admin-token-0123456789' };
    expect((await getJson(`${t.baseUrl}/camera/status`).catch(() => ({ status: 0 }))).status).toBe(
      401,
    );
    expect((await fetch(`${t.baseUrl}/camera/status`, { headers: admin })).status).toBe(200);
    expect(
      (await sendJson('POST', `${t.baseUrl}/camera/settings`, { quality: 60 }, admin)).status,
    ).toBe(200);
    // A viewer may watch, not change.
    expect(
      (
        await sendJson(
          'POST',
          `${t.baseUrl}/camera/settings`,
          { quality: 61 },
          basic('viewer', 'watch-the-baby'),
        )
      ).status,
    ).toBe(401);
  });
});

describe('without STREAM_AUTH', () => {
  it('needs no credentials and says no token is needed', async () => {
    const t = await startApp({ DATA_DIR: mkdtempSync(join(tmpdir(), 'camfeed-noauth-')) });
    try {
      expect((await fetch(`${t.baseUrl}/`)).status).toBe(200);
      const reader = await MjpegReader.open(`${t.baseUrl}/video_feed`);
      await reader.waitForParts(1);
      reader.close();
      const token = await sendJson<{ message: string }>('POST', `${t.baseUrl}/video_feed/token`);
      expect(token).toMatchObject({
        status: 404,
        body: { message: 'Stream authentication is off: no token is needed' },
      });
    } finally {
      await t.close();
    }
  });
});
