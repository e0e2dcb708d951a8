import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isPlaceholder } from '../src/drawing/placeholder-frame';
import { MjpegReader } from './utils/mjpeg-reader';
import { getJson, startApp, type TestApp } from './utils/test-app';
import { waitFor } from './utils/wait-for';

const sha = (data: Buffer): string => createHash('sha256').update(data).digest('hex');
const dataDir = (): string => mkdtempSync(join(tmpdir(), 'camfeed-relay-'));

describe('mjpeg relay driver: a camfeed relaying another camfeed', () => {
  let source: TestApp;
  let relay: TestApp;

  beforeAll(async () => {
    source = await startApp({
      CAMERA_WIDTH: '320',
      CAMERA_HEIGHT: '240',
      CAMERA_FRAMERATE: '20',
      DATA_DIR: dataDir(),
    });
    relay = await startApp({
      CAMERA: 'mjpeg',
      CAMERA_SOURCE: `${source.baseUrl}/video_feed`,
      CAMERA_WIDTH: '640',
      CAMERA_HEIGHT: '480',
      CAMERA_STALL_TIMEOUT: '2',
      DATA_DIR: dataDir(),
    });
  });

  afterAll(async () => {
    await relay.close();
    await source.close();
  });

  it('passes the source’s JPEGs through byte for byte', async () => {
    const direct = await MjpegReader.open(`${source.baseUrl}/video_feed`, { keep: 1000 });
    const relayed = await MjpegReader.open(`${relay.baseUrl}/video_feed`, { keep: 1000 });
    await relayed.waitForParts(30, 15_000);
    relayed.close();
    direct.close();
    const sourceFrames = new Set(direct.parts.map((part) => sha(part.body)));
    const relayedLive = relayed.parts.filter((part) => !isPlaceholder(part.body));
    expect(relayedLive.length).toBeGreaterThanOrEqual(25);
    for (const part of relayedLive) expect(sourceFrames.has(sha(part.body))).toBe(true);
  });

  it('takes its size from the source and refuses to change it', async () => {
    const { body } = await getJson<{ sizes: unknown; quality: unknown }>(
      `${relay.baseUrl}/camera/capabilities`,
    );
    expect(body.sizes).toEqual({ kind: 'modes', modes: [{ width: 320, height: 240 }] });
    expect(body.quality).toBeNull();
    const status = await getJson<{ settings: { width: number; height: number } }>(
      `${relay.baseUrl}/camera/status`,
    );
    expect(status.body.settings).toMatchObject({ width: 320, height: 240 });
  });

  it('shows the placeholder while the source is down and resumes by itself when it is back', async () => {
    const port = Number(new URL(source.baseUrl).port);
    const reader = await MjpegReader.open(`${relay.baseUrl}/video_feed`, { keep: 1 });
    await reader.waitForParts(3);
    await source.close();
    await waitFor(() => isPlaceholder(reader.parts[0].body), 'the placeholder', 10_000);
    source = await startApp(
      { CAMERA_WIDTH: '320', CAMERA_HEIGHT: '240', CAMERA_FRAMERATE: '20', DATA_DIR: dataDir() },
      undefined,
      port,
    );
    await waitFor(() => !isPlaceholder(reader.parts[0].body), 'live frames again', 20_000);
    expect(reader.ended).toBe(false);
    reader.close();
  });
});

describe('mjpeg relay driver: credentials from the URL', () => {
  let upstream: http.Server;
  let seenAuthorization: string | undefined;
  let relay: TestApp;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    const source = await startApp({
      CAMERA_WIDTH: '160',
      CAMERA_HEIGHT: '120',
      DATA_DIR: dataDir(),
    });
    // A camera that wants Basic auth, in front of a camfeed stream.
    upstream = http.createServer((req, res) => {
      seenAuthorization = req.headers.authorization;
      if (
        req.headers.authorization !== `Basic ${Buffer.from('viewer:s3cr:t').toString('base64')}`
      ) {
        res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="cam"' }).end();
        return;
      }
      http.get(`${source.baseUrl}/video_feed`, (feed) => {
        res.writeHead(200, { 'Content-Type': feed.headers['content-type'] as string });
        feed.pipe(res);
        res.on('close', () => feed.destroy());
      });
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    const port = (upstream.address() as AddressInfo).port;
    relay = await startApp({
      CAMERA: 'mjpeg',
      CAMERA_SOURCE: `http://viewer:s3cr%3At@127.0.0.1:${port}/stream`,
      DATA_DIR: dataDir(),
    });
    cleanup = async () => {
      await relay.close();
      upstream.closeAllConnections();
      await new Promise((resolve) => upstream.close(resolve));
      await source.close();
    };
  });

  afterAll(async () => cleanup());

  it('sends the URL’s user and password as Basic auth, decoded', async () => {
    const reader = await MjpegReader.open(`${relay.baseUrl}/video_feed`, { keep: 1 });
    await reader.waitForParts(3, 15_000);
    reader.close();
    expect(seenAuthorization).toBe(`Basic ${Buffer.from('viewer:s3cr:t').toString('base64')}`);
  });
});

describe('mjpeg relay driver: wrong credentials', () => {
  it('reports the refusal without revealing the password or the user name', async () => {
    const upstream = http.createServer((_req, res) => res.writeHead(401).end());
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    const port = (upstream.address() as AddressInfo).port;
    const relay = await startApp({
      CAMERA: 'mjpeg',
      CAMERA_SOURCE: `http://viewer:hunter2@127.0.0.1:${port}/`,
      DATA_DIR: dataDir(),
    });
    try {
      const reader = await MjpegReader.open(`${relay.baseUrl}/video_feed`, { keep: 1 });
      await reader.waitForParts(1, 10_000);
      reader.close();
      const { body } = await getJson<{ lastError: string }>(`${relay.baseUrl}/camera/status`);
      expect(body.lastError).toBe(
        `http://***:***@127.0.0.1:${port}/ refused the credentials (HTTP 401)`,
      );
      expect(JSON.stringify(body)).not.toContain('hunter2');
    } finally {
      await relay.close();
      await new Promise((resolve) => upstream.close(resolve));
    }
  });
});
