import { connect } from 'node:net';
import { MjpegReader } from './utils/mjpeg-reader';
import { getJson, sendJson, startApp, type TestApp } from './utils/test-app';

const VIEWER = {
  authorization: `Basic ${Buffer.from('viewer:watch-the-garden').toString('base64')}`,
};

/** STREAM_AUTH on and no API_TOKEN: the browser's saved Basic credentials are all it takes. */
const authEnv = {
  STREAM_AUTH: 'true',
  STREAM_USERNAME: 'viewer',
  STREAM_PASSWORD: 'watch-the-garden',
  IR_LED_DRIVER: 'simulated',
  IR_LED_GPIO: '17',
};

describe('changes sent from another site', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startApp(authEnv);
  });

  afterAll(async () => t.close());

  it('refuses a plain HTML form posted from another site, even with saved Basic credentials', async () => {
    // What a browser sends for <form method=post action=http://camera/ir-led/toggle> on evil.example.
    const form = {
      ...VIEWER,
      origin: 'http://evil.example',
      'sec-fetch-site': 'cross-site',
      'sec-fetch-mode': 'navigate',
      'content-type': 'application/x-www-form-urlencoded',
    };
    const toggle = await fetch(`${t.baseUrl}/ir-led/toggle`, { method: 'POST', headers: form });
    expect(toggle.status).toBe(403);
    const settings = await fetch(`${t.baseUrl}/camera/settings`, {
      method: 'POST',
      headers: form,
      body: 'framerate=1',
    });
    expect(settings.status).toBe(403);
    // Older browsers that send only Sec-Fetch-Site, or only Origin: "null" (a sandboxed frame).
    const variants: Array<Record<string, string>> = [
      { 'sec-fetch-site': 'same-site' },
      { origin: 'null' },
    ];
    for (const headers of variants) {
      const response = await fetch(`${t.baseUrl}/ir-led/toggle`, {
        method: 'POST',
        headers: { ...VIEWER, ...headers },
      });
      expect([headers, response.status]).toEqual([headers, 403]);
    }
    expect((await getJson(`${t.baseUrl}/ir-led`, VIEWER)).body).toMatchObject({ on: false });
  });

  it('lets the page itself, scripts and tools make changes', async () => {
    const page = await sendJson('POST', `${t.baseUrl}/ir-led/toggle`, undefined, {
      ...VIEWER,
      origin: t.baseUrl,
      'sec-fetch-site': 'same-origin',
    });
    expect(page.status).toBe(200);
    const tool = await sendJson('POST', `${t.baseUrl}/ir-led/toggle`, undefined, VIEWER);
    expect(tool.status).toBe(200);
    expect((await getJson(`${t.baseUrl}/ir-led`, VIEWER)).body).toMatchObject({ on: false });
  });
});

describe('what a stream token opens, and what strangers learn', () => {
  let t: TestApp;
  let token: string;

  beforeAll(async () => {
    t = await startApp({
      ...authEnv,
      CAMERA: 'images',
      CAMERA_SOURCE: '/nonexistent/frames',
      CAMERA_STALL_TIMEOUT: '1',
    });
    ({
      body: { token },
    } = await sendJson<{ token: string }>(
      'POST',
      `${t.baseUrl}/video_feed/token`,
      undefined,
      VIEWER,
    ));
  });

  afterAll(async () => t.close());

  it.each(['/', '/camera/status', '/camera/settings', '/ir-led', '/docs-json', '/assets/app.js'])(
    'does not let a stream token open %s',
    async (path) => {
      const response = await fetch(`${t.baseUrl}${path}?token=${token}`);
      expect(response.status).toBe(401);
      expect(((await response.json()) as { message: string }).message).toBe(
        'A stream token opens only the stream and snapshots: this needs the user name and password',
      );
    },
  );

  it('shows a viewer’s address to signed-in callers only', async () => {
    const reader = await MjpegReader.open(`${t.baseUrl}/video_feed?session=s-1&token=${token}`);
    await reader.waitForParts(1);
    const byToken = await getJson(`${t.baseUrl}/video_feed/sessions/s-1?token=${token}`);
    const signedIn = await getJson(`${t.baseUrl}/video_feed/sessions/s-1`, VIEWER);
    reader.close();
    expect(byToken.status).toBe(200);
    expect(byToken.body).toHaveProperty('framesSent');
    expect(byToken.body).not.toHaveProperty('remoteAddress');
    expect(signedIn.body).toMatchObject({ remoteAddress: '127.0.0.1' });
  });

  it('tells strangers only ok or degraded, with a reason that names no source', async () => {
    const reader = await MjpegReader.open(`${t.baseUrl}/video_feed?token=${token}`);
    await reader.waitForParts(1);
    const deadline = Date.now() + 5000;
    while ((await getJson(`${t.baseUrl}/health`)).body.status !== 'degraded') {
      if (Date.now() > deadline) throw new Error('the camera never showed as degraded');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const full = await getJson<{ status: string; details: { camera: Record<string, unknown> } }>(
      `${t.baseUrl}/health`,
      VIEWER,
    );
    const stranger = await getJson<{
      status: string;
      details: { camera: Record<string, unknown> };
    }>(`${t.baseUrl}/health`);
    reader.close();
    expect(full.body.status).toBe('degraded');
    expect(String(full.body.details.camera.reason)).toContain('/nonexistent/frames');
    expect(stranger.status).toBe(200);
    expect(stranger.body.status).toBe('degraded');
    expect(stranger.body.details.camera).toEqual({
      status: 'degraded',
      reason: 'the camera is not delivering frames',
    });
    expect(JSON.stringify(stranger.body)).not.toContain('nonexistent');
  });
});

describe('hostile requests', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startApp({ IR_LED_DRIVER: 'simulated', IR_LED_GPIO: '17' });
  });

  afterAll(async () => t.close());

  it.each(['__proto__', 'constructor', 'prototype'])(
    'refuses a body with the key %s like any unknown field, and changes nothing',
    async (key) => {
      for (const [method, path] of [
        ['POST', '/camera/settings'],
        ['PUT', '/ir-led'],
      ]) {
        const reply = await sendJson<{ message: string[] }>(
          method,
          `${t.baseUrl}${path}`,
          `{"${key}": {"framerate": 1, "on": true}, "framerate": 5}`,
        );
        expect([path, reply.status]).toEqual([path, 400]);
        expect(reply.body.message).toContain(`property ${key} should not exist`);
      }
      expect((await getJson(`${t.baseUrl}/camera/settings`)).body).toMatchObject({ framerate: 30 });
    },
  );

  it('answers a body that trickles in with 408 and closes the connection', async () => {
    const { port } = new URL(t.baseUrl);
    const socket = connect(Number(port), '127.0.0.1');
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
    const closed = new Promise<number>((resolve) => {
      const opened = Date.now();
      socket.on('close', () => resolve(Date.now() - opened));
    });
    socket.write(
      'POST /camera/settings HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{',
    );
    const trickle = setInterval(() => socket.write(' '), 1000);
    const elapsed = await closed;
    clearInterval(trickle);
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(answer).toContain('did not arrive within 10 s');
    expect(elapsed).toBeLessThan(13_000);
  }, 20_000);
});
