import { execFile } from 'node:child_process';
import http from 'node:http';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { decodedSize } from './utils/jpeg-fixtures';
import { MjpegReader } from './utils/mjpeg-reader';
import { scrape, valueOf as metricValue } from './utils/prometheus';
import { getJson, sendJson, startApp, type TestApp } from './utils/test-app';

const run = promisify(execFile);
const dataDir = (): string => mkdtempSync(join(tmpdir(), 'camfeed-clients-'));

/** The raw bytes of a stream for a while, with the request's own headers: framing is the test. */
async function rawStream(
  url: string,
  headers: Record<string, string>,
  bytes: number,
): Promise<{ status: number; contentType: string; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const request = http.get(url, { headers, agent: false }, (response) => {
      const chunks: Buffer[] = [];
      let total = 0;
      response.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        total += chunk.length;
        if (total >= bytes) {
          request.destroy();
          resolve({
            status: response.statusCode ?? 0,
            contentType: response.headers['content-type'] ?? '',
            body: Buffer.concat(chunks),
          });
        }
      });
      response.on('end', () =>
        resolve({
          status: response.statusCode ?? 0,
          contentType: response.headers['content-type'] ?? '',
          body: Buffer.concat(chunks),
        }),
      );
    });
    request.on('error', (error) => {
      if (!request.destroyed) reject(error);
    });
  });
}

/** The player URLs of OctoPrint, Mainsail, Fluidd and others, each with its own cache-buster. */
const CACHE_BUSTED = [
  '?1455829071416',
  '?timestamp=1733050000000',
  '?1455829071416&cacheBust=1733050000',
  '?cacheBust=1733050000',
  '?bypassCache=1733050000',
  '?_=1733050000000',
  '?r=0.8412',
];

describe('clients of other MJPEG servers', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startApp({ CAMERA: 'emulated', CAMERA_FRAMERATE: '15', DATA_DIR: dataDir() });
  });

  afterAll(async () => t.close());

  it.each(CACHE_BUSTED)('streams /video_feed%s, ignoring the cache-buster', async (query) => {
    const reader = await MjpegReader.open(`${t.baseUrl}/video_feed${query}`);
    expect(reader.statusCode).toBe(200);
    await reader.waitForParts(2);
    reader.close();
    expect(await decodedSize(reader.parts[0].body)).toEqual({ width: 640, height: 480 });
  });

  it.each(CACHE_BUSTED)('serves /snapshot.jpg%s, ignoring the cache-buster', async (query) => {
    const response = await fetch(`${t.baseUrl}/snapshot.jpg${query}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/jpeg');
    expect(await decodedSize(Buffer.from(await response.arrayBuffer()))).toEqual({
      width: 640,
      height: 480,
    });
  });

  it('still refuses bad values of the parameters it knows, naming them', async () => {
    for (const query of ['?fps=abc', '?1455829071416&fps=abc', '?advance_headers=maybe']) {
      const { status, body } = await getJson<{ message: string[] }>(
        `${t.baseUrl}/video_feed${query}`,
      );
      const field = query.includes('fps') ? 'fps' : 'advance_headers';
      expect([query, status]).toEqual([query, 400]);
      expect(body.message.join()).toContain(field);
    }
  });

  it('keeps the control API strict about unknown fields', async () => {
    const reply = await sendJson<{ message: string[] }>(
      'POST',
      `${t.baseUrl}/camera/settings?1455829071416`,
      { framerate: 10, cacheBust: 1 },
    );
    expect(reply.status).toBe(400);
    expect(reply.body.message).toContain('property cacheBust should not exist');
  });

  it.each(['/stream', '/?action=stream', '/?action=stream&1455829071416', '/stream?_=1'])(
    'serves the stream at %s exactly as at /video_feed',
    async (path) => {
      const canonical = await MjpegReader.open(`${t.baseUrl}/video_feed`);
      const alias = await MjpegReader.open(`${t.baseUrl}${path}`);
      await Promise.all([canonical.waitForParts(2), alias.waitForParts(2)]);
      canonical.close();
      alias.close();
      expect(alias.statusCode).toBe(200);
      expect(alias.response.headers['content-type']).toBe(
        canonical.response.headers['content-type'],
      );
      expect(alias.response.headers['cache-control']).toBe(
        canonical.response.headers['cache-control'],
      );
      expect(Object.keys(alias.parts[1].headers).sort()).toEqual(
        Object.keys(canonical.parts[1].headers).sort(),
      );
      expect(await decodedSize(alias.parts[1].body)).toEqual(
        await decodedSize(canonical.parts[1].body),
      );
    },
  );

  it.each(['/snapshot', '/?action=snapshot', '/?action=snapshot&_=5'])(
    'serves the snapshot at %s exactly as at /snapshot.jpg',
    async (path) => {
      const [canonical, alias] = await Promise.all([
        fetch(`${t.baseUrl}/snapshot.jpg`),
        fetch(`${t.baseUrl}${path}`),
      ]);
      expect(alias.status).toBe(200);
      for (const header of ['content-type', 'cache-control'])
        expect(alias.headers.get(header)).toBe(canonical.headers.get(header));
      expect(alias.headers.get('x-timestamp')).toMatch(/^\d+\.\d{6}$/);
      expect(await decodedSize(Buffer.from(await alias.arrayBuffer()))).toEqual(
        await decodedSize(Buffer.from(await canonical.arrayBuffer())),
      );
    },
  );

  it('keeps the page at / without an action, and names the known actions for an unknown one', async () => {
    const page = await fetch(`${t.baseUrl}/?1455829071416`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    const unknown = await getJson<{ message: string }>(`${t.baseUrl}/?action=command`);
    expect(unknown.status).toBe(404);
    expect(unknown.body.message).toBe(
      'Unknown action "command": use stream or snapshot, or stream_N and snapshot_N for camera N',
    );
  });

  it('counts viewers of the aliases in the same metrics as /video_feed', async () => {
    const before = metricValue(await scrape(t.baseUrl), 'camfeed_http_requests_total', {
      method: 'GET',
      route: '/video_feed',
      status: '200',
    });
    const alias = await MjpegReader.open(`${t.baseUrl}/?action=stream`);
    await alias.waitForParts(1);
    expect(metricValue(await scrape(t.baseUrl), 'camfeed_stream_clients')).toBe(1);
    alias.close();
    await alias.closed;
    await new Promise((resolve) => setTimeout(resolve, 100));
    const after = metricValue(await scrape(t.baseUrl), 'camfeed_http_requests_total', {
      method: 'GET',
      route: '/video_feed',
      status: '200',
    });
    expect((after ?? 0) - (before ?? 0)).toBe(1);
  });

  it('lets the npm-shipped ffmpeg read 60 frames of the stream without a single warning', async () => {
    const { path: ffmpeg } = (await import('@ffmpeg-installer/ffmpeg')) as { path: string };
    const { stderr } = await run(
      ffmpeg,
      [
        '-hide_banner',
        '-v',
        'warning',
        '-i',
        `${t.baseUrl}/video_feed?1455829071416`,
        '-frames:v',
        '60',
        '-f',
        'null',
        '-',
      ],
      { timeout: 20_000 },
    );
    expect(stderr).toBe('');
  });
});

describe('framing for browsers and for players', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startApp({ CAMERA: 'emulated', CAMERA_FRAMERATE: '15', DATA_DIR: dataDir() });
  });

  afterAll(async () => t.close());

  /** Splits a raw advance-headers stream at its delimiters and checks each part's shape. */
  async function advanceHeaderParts(body: Buffer): Promise<Buffer[]> {
    const text = body.toString('latin1');
    expect(text.startsWith('--frame\r\nContent-Type: image/jpeg\r\n\r\n')).toBe(true);
    const pieces = text.split('\r\n--frame\r\n');
    // The first piece holds the opening delimiter; the last one may be cut off.
    const complete = pieces.slice(0, -1).map((piece, index) => {
      const head =
        index === 0
          ? '--frame\r\nContent-Type: image/jpeg\r\n\r\n'
          : 'Content-Type: image/jpeg\r\n\r\n';
      expect(piece.startsWith(head)).toBe(true);
      return Buffer.from(piece.slice(head.length), 'latin1');
    });
    for (const jpeg of complete)
      expect(await decodedSize(jpeg)).toEqual({ width: 640, height: 480 });
    return complete;
  }

  it('sends an <img> (Sec-Fetch-Dest: image) the next part’s headers right after each JPEG', async () => {
    const { status, contentType, body } = await rawStream(
      `${t.baseUrl}/video_feed`,
      { 'sec-fetch-dest': 'image', accept: 'image/avif,image/webp,*/*' },
      200_000,
    );
    expect(status).toBe(200);
    expect(contentType).toBe('multipart/x-mixed-replace; boundary=frame');
    expect((await advanceHeaderParts(body)).length).toBeGreaterThanOrEqual(2);
    expect(body.toString('latin1')).not.toContain('Content-Length');
  });

  it('gives fetch() (Sec-Fetch-Dest: empty) and tools Content-Length in every part', async () => {
    const variants: Array<Record<string, string>> = [
      { 'sec-fetch-dest': 'empty' },
      { accept: '*/*' },
      {},
    ];
    for (const headers of variants) {
      const reader = await MjpegReader.open(`${t.baseUrl}/video_feed`, { headers });
      await reader.waitForParts(2);
      reader.close();
      expect(reader.parts[1].headers['content-length']).toBe(String(reader.parts[1].body.length));
      expect(reader.parts[1].headers['x-timestamp']).toMatch(/^\d+\.\d{6}$/);
    }
  });

  it('lets ?advance_headers= force either framing', async () => {
    const forced = await rawStream(`${t.baseUrl}/video_feed?advance_headers=1`, {}, 150_000);
    expect((await advanceHeaderParts(forced.body)).length).toBeGreaterThanOrEqual(1);
    const reader = await MjpegReader.open(`${t.baseUrl}/video_feed?advance_headers=0`, {
      headers: { 'sec-fetch-dest': 'image' },
    });
    await reader.waitForParts(2);
    reader.close();
    expect(reader.parts[1].headers['content-length']).toBe(String(reader.parts[1].body.length));
  });

  it('reports each viewer’s framing in its session', async () => {
    const reader = await MjpegReader.open(`${t.baseUrl}/video_feed?session=player-1`);
    await reader.waitForParts(1);
    const { body } = await getJson(`${t.baseUrl}/video_feed/sessions/player-1`);
    reader.close();
    expect(body.framing).toBe('content-length');
  });
});

describe('aliases behind STREAM_AUTH and MAX_CLIENTS', () => {
  let t: TestApp;
  const basic = {
    authorization: `Basic ${Buffer.from('viewer:watch-the-door').toString('base64')}`,
  };

  beforeAll(async () => {
    t = await startApp({
      CAMERA: 'emulated',
      CAMERA_FRAMERATE: '15',
      DATA_DIR: dataDir(),
      STREAM_AUTH: 'true',
      STREAM_USERNAME: 'viewer',
      STREAM_PASSWORD: 'watch-the-door',
      MAX_CLIENTS: '1',
    });
  });

  afterAll(async () => t.close());

  it('asks every alias for credentials and lets a stream token in', async () => {
    for (const path of ['/stream', '/?action=stream', '/snapshot', '/?action=snapshot']) {
      const refused = await fetch(`${t.baseUrl}${path}`);
      expect([path, refused.status]).toEqual([path, 401]);
      await refused.body?.cancel();
    }
    const { body } = await sendJson<{ token: string }>(
      'POST',
      `${t.baseUrl}/video_feed/token`,
      undefined,
      basic,
    );
    const snapshot = await fetch(`${t.baseUrl}/?action=snapshot&token=${body.token}`);
    expect(snapshot.status).toBe(200);
    expect(snapshot.headers.get('content-type')).toBe('image/jpeg');
    const stream = await MjpegReader.open(`${t.baseUrl}/stream?token=${body.token}`);
    expect(stream.statusCode).toBe(200);
    await stream.waitForParts(1);
    stream.close();
    await stream.closed;
  });

  it('counts alias viewers against MAX_CLIENTS like any other', async () => {
    const first = await MjpegReader.open(`${t.baseUrl}/?action=stream`, { headers: basic });
    await first.waitForParts(1);
    for (const path of ['/video_feed', '/stream', '/?action=stream']) {
      const refused = await getJson<{ message: string }>(`${t.baseUrl}${path}`, basic);
      expect([path, refused.status]).toEqual([path, 503]);
    }
    first.close();
  });
});
