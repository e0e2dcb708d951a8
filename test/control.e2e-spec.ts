import sharp from 'sharp';
import { MjpegReader } from './utils/mjpeg-reader';
import { getJson, sendJson, startApp, type TestApp } from './utils/test-app';
import { waitFor } from './utils/wait-for';

type Settings = Record<string, unknown>;

/** Size from the JPEG's own frame header, as a browser would see it. */
async function headerSize(jpeg: Buffer): Promise<string> {
  const { width, height } = await sharp(jpeg).metadata();
  return `${width}x${height}`;
}

describe('camera settings API', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startApp({
      CAMERA_WIDTH: '320',
      CAMERA_HEIGHT: '240',
      DATA_DIR: `/tmp/camfeed-e2e-${process.pid}-${Date.now()}`,
    });
  });

  afterAll(async () => t.close());

  it('reads the current settings and what the camera can do', async () => {
    const settings = await getJson<Settings>(`${t.baseUrl}/camera/settings`);
    expect(settings).toMatchObject({
      status: 200,
      body: {
        width: 320,
        height: 240,
        framerate: 30,
        quality: 80,
        rotation: 0,
        hflip: false,
        vflip: false,
      },
    });
    const capabilities = await getJson<Settings>(`${t.baseUrl}/camera/capabilities`);
    expect(capabilities.body).toEqual({
      sizes: { kind: 'range', width: { min: 16, max: 3840 }, height: { min: 16, max: 2160 } },
      framerate: { min: 0.1, max: 60 },
      quality: { min: 1, max: 100 },
      rotations: [0, 90, 180, 270],
      flips: true,
      bitrate: { min: 100, max: 20000 },
      keyframeInterval: { min: 0.2, max: 10 },
    });
  });

  it('applies resolution, then rotation, live: the same connection gets frames of the new size within 2 s', async () => {
    const reader = await MjpegReader.open(`${t.baseUrl}/video_feed`, { keep: 1 });
    await reader.waitForParts(2);
    expect(await headerSize(reader.parts[0].body)).toBe('320x240');

    const sizeWithin = async (expected: string, ms: number): Promise<number> => {
      const asked = Date.now();
      for (;;) {
        const before = reader.count;
        await reader.waitForParts(before + 1, ms);
        if ((await headerSize(reader.parts[0].body)) === expected) return Date.now() - asked;
        if (Date.now() - asked > ms) throw new Error(`no ${expected} frame within ${ms} ms`);
      }
    };

    const resized = await sendJson<Settings>('POST', `${t.baseUrl}/camera/settings`, {
      width: 640,
      height: 480,
    });
    expect(resized.status).toBe(200);
    expect(resized.body).toMatchObject({ width: 640, height: 480, rotation: 0 });
    expect(await sizeWithin('640x480', 2000)).toBeLessThan(2000);

    const rotated = await sendJson<Settings>('POST', `${t.baseUrl}/camera/settings`, {
      rotation: 90,
    });
    expect(rotated.body).toMatchObject({ width: 640, height: 480, rotation: 90 });
    expect(await sizeWithin('480x640', 2000)).toBeLessThan(2000);

    expect(reader.error).toBeUndefined();
    expect(reader.ended).toBe(false);
    const status = await getJson<Settings>(`${t.baseUrl}/camera/status`);
    expect(status.body).toMatchObject({ frameSize: { width: 480, height: 640 }, clients: 1 });
    reader.close();

    await sendJson('POST', `${t.baseUrl}/camera/settings`, {
      width: 320,
      height: 240,
      rotation: 0,
    });
  });

  const oversized = JSON.stringify({ width: 640, padding: 'x'.repeat(9000) });
  interface BadInput {
    readonly name: string;
    readonly body: string | object;
    readonly message: string;
    readonly type?: string;
  }
  const badInputs: BadInput[] = [
    {
      name: 'width as text',
      body: { width: 'abc' },
      message: 'width must be an integer from 16 to 8192',
    },
    {
      name: 'width fractional',
      body: { width: 640.5 },
      message: 'width must be an integer from 16 to 8192',
    },
    {
      name: 'width too small',
      body: { width: 8 },
      message: 'width must be an integer from 16 to 8192',
    },
    {
      name: 'width too large',
      body: { width: 10000 },
      message: 'width must be an integer from 16 to 8192',
    },
    {
      name: 'width null',
      body: { width: null },
      message: 'width must be an integer from 16 to 8192',
    },
    {
      name: 'width boolean',
      body: { width: true },
      message: 'width must be an integer from 16 to 8192',
    },
    {
      name: 'height as numeric text',
      body: { height: '720' },
      message: 'height must be an integer from 16 to 8192',
    },
    {
      name: 'height negative',
      body: { height: -1 },
      message: 'height must be an integer from 16 to 8192',
    },
    {
      name: 'framerate zero',
      body: { framerate: 0 },
      message: 'framerate must be a number from 0.1 to 120',
    },
    {
      name: 'framerate too high',
      body: { framerate: 500 },
      message: 'framerate must be a number from 0.1 to 120',
    },
    {
      name: 'framerate as text',
      body: { framerate: 'fast' },
      message: 'framerate must be a number from 0.1 to 120',
    },
    {
      name: 'quality zero',
      body: { quality: 0 },
      message: 'quality must be an integer from 1 to 100',
    },
    {
      name: 'quality too high',
      body: { quality: 101 },
      message: 'quality must be an integer from 1 to 100',
    },
    {
      name: 'quality fractional',
      body: { quality: 50.5 },
      message: 'quality must be an integer from 1 to 100',
    },
    {
      name: 'rotation not a right angle',
      body: { rotation: 45 },
      message: 'rotation must be one of: 0, 90, 180, 270',
    },
    {
      name: 'rotation as text',
      body: { rotation: '90' },
      message: 'rotation must be one of: 0, 90, 180, 270',
    },
    {
      name: 'hflip as text',
      body: { hflip: 'yes' },
      message: 'hflip must be a boolean (true or false)',
    },
    {
      name: 'vflip as number',
      body: { vflip: 1 },
      message: 'vflip must be a boolean (true or false)',
    },
    { name: 'unknown field', body: { zoom: 2 }, message: 'property zoom should not exist' },
    {
      name: 'unknown field next to a valid one',
      body: { width: 640, brightness: 5 },
      message: 'property brightness should not exist',
    },
    {
      name: 'empty object',
      body: {},
      message: 'give at least one of: width, height, framerate, quality, rotation, hflip, vflip',
    },
    {
      name: 'JSON string instead of an object',
      body: '"width=640"',
      message: 'Request body is not valid JSON',
    },
    { name: 'malformed JSON', body: '{"width": 640', message: 'Request body is not valid JSON' },
    {
      name: 'plain text body',
      body: 'width=640',
      message: 'Content-Type must be application/json (got text/plain)',
      type: 'text/plain',
    },
    {
      name: 'form body',
      body: 'width=640',
      message: 'Content-Type must be application/json (got application/x-www-form-urlencoded)',
      type: 'application/x-www-form-urlencoded',
    },
    { name: 'oversized body', body: oversized, message: 'Request body is larger than 8kb' },
    {
      name: 'beyond the camera width',
      body: { width: 4000 },
      message: 'width must be from 16 to 3840 for this camera',
    },
    {
      name: 'beyond the camera frame rate',
      body: { framerate: 90 },
      message: 'framerate must be from 0.1 to 60 for this camera',
    },
  ];

  it.each(badInputs)(
    'refuses $name with a 400 that says what is allowed, and changes nothing',
    async ({ body, message, type }) => {
      const before = await getJson<Settings>(`${t.baseUrl}/camera/settings`);
      const response = await fetch(`${t.baseUrl}/camera/settings`, {
        method: 'POST',
        headers: { 'content-type': type ?? 'application/json' },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
      expect(response.status).toBe(400);
      expect(response.headers.get('content-type')).toMatch(/application\/json/);
      const answer = (await response.json()) as { statusCode: number; message: string | string[] };
      expect(answer.statusCode).toBe(400);
      expect([answer.message].flat().join(' | ')).toContain(message);
      const after = await getJson<Settings>(`${t.baseUrl}/camera/settings`);
      expect(after.body).toEqual(before.body);
    },
  );

  it('lists what is allowed when a request is beyond the camera', async () => {
    const { body } = await sendJson<Settings>('POST', `${t.baseUrl}/camera/settings`, {
      framerate: 90,
    });
    expect(body.problems).toEqual(['framerate must be from 0.1 to 60 for this camera']);
    expect(body.capabilities).toMatchObject({ framerate: { min: 0.1, max: 60 } });
  });

  it('documents every endpoint in OpenAPI at /docs', async () => {
    const page = await fetch(`${t.baseUrl}/docs`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('swagger');
    const { body } = await getJson<{ paths: Record<string, Record<string, unknown>> }>(
      `${t.baseUrl}/docs-json`,
    );
    expect(Object.keys(body.paths)).toEqual(
      expect.arrayContaining([
        '/video_feed',
        '/video_feed/sessions/{id}',
        '/snapshot.jpg',
        '/camera/status',
        '/camera/settings',
        '/camera/capabilities',
        '/ir-led',
        '/ir-led/toggle',
        '/health',
        '/metrics',
      ]),
    );
    expect(Object.keys(body.paths)).not.toContain('/');
    expect(Object.keys(body.paths['/camera/settings'])).toEqual(
      expect.arrayContaining(['get', 'post']),
    );
    expect(JSON.stringify(body.paths['/camera/settings'].post)).toContain('ErrorResponseDto');
  });
});

describe('IR LEDs without GPIO', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startApp({ DATA_DIR: `/tmp/camfeed-e2e-${process.pid}-${Date.now()}-noled` });
  });

  afterAll(async () => t.close());

  it('reports them unavailable, answers changes with 503 and a reason, and streams on', async () => {
    const state = await getJson(`${t.baseUrl}/ir-led`);
    expect(state).toMatchObject({
      status: 200,
      body: { available: false, on: false, mode: 'off', gpio: null },
    });
    for (const [method, path, body] of [
      ['PUT', '/ir-led', { on: true }],
      ['PUT', '/ir-led', { mode: 'auto' }],
      ['POST', '/ir-led/toggle', undefined],
    ] as const) {
      const reply = await sendJson(method, `${t.baseUrl}${path}`, body);
      expect(reply.status).toBe(503);
      expect(reply.body).toMatchObject({
        statusCode: 503,
        message: 'IR LEDs are not available: IR_LED_GPIO is not set',
        reason: 'IR_LED_GPIO is not set',
      });
    }
    const reader = await MjpegReader.open(`${t.baseUrl}/video_feed`);
    await reader.waitForParts(2);
    reader.close();
  });

  it.each([
    [{}, 'give either on (true or false) or mode (on, off, auto), not both'],
    [{ on: true, mode: 'on' }, 'give either on (true or false) or mode (on, off, auto), not both'],
    [{ on: 'yes' }, 'on must be a boolean (true or false)'],
    [{ mode: 'night' }, 'mode must be one of: on, off, auto'],
  ])('validates %j before anything else', async (body, message) => {
    const reply = await sendJson<{ message: string[] }>('PUT', `${t.baseUrl}/ir-led`, body);
    expect(reply.status).toBe(400);
    expect(reply.body.message).toContain(message);
  });
});

describe('IR LEDs, simulated pin', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startApp({
      IR_LED_DRIVER: 'simulated',
      IR_LED_GPIO: '17',
      DATA_DIR: `/tmp/camfeed-e2e-${process.pid}-${Date.now()}-sim`,
    });
  });

  afterAll(async () => t.close());

  it('switches on, toggles and goes to auto through the API', async () => {
    expect((await getJson(`${t.baseUrl}/ir-led`)).body).toMatchObject({
      available: true,
      on: false,
      gpio: 17,
    });
    expect((await sendJson('PUT', `${t.baseUrl}/ir-led`, { on: true })).body).toMatchObject({
      on: true,
      mode: 'on',
    });
    expect((await sendJson('POST', `${t.baseUrl}/ir-led/toggle`)).body).toMatchObject({
      on: false,
      mode: 'off',
    });
    expect((await sendJson('PUT', `${t.baseUrl}/ir-led`, { mode: 'auto' })).body).toMatchObject({
      mode: 'auto',
    });
  });
});

describe('API_TOKEN', () => {
  const token = 'test-token-0123456789';
  let t: TestApp;

  beforeAll(async () => {
    t = await startApp({
      API_TOKEN: token,
      DATA_DIR: `/tmp/camfeed-e2e-${process.pid}-${Date.now()}-auth`,
    });
  });

  afterAll(async () => t.close());

  it.each([
    ['no Authorization header', {}],
    ['a wrong token', { authorization: 'Bearer test-token-0123456780' }],
    ['a token that is a prefix', { authorization: 'Bearer test-token' }],
    [
      'Basic instead of Bearer',
      { authorization: `Basic ${Buffer.from(`x:${token}`).toString('base64')}` },
    ],
  ])('answers a change with %s by 401 and changes nothing', async (_, headers) => {
    const reply = await sendJson<Settings>(
      'POST',
      `${t.baseUrl}/camera/settings`,
      { framerate: 5 },
      headers,
    );
    expect(reply.status).toBe(401);
    expect(reply.headers.get('www-authenticate')).toBe('Bearer realm="camfeed"');
    expect(reply.body).toMatchObject({ statusCode: 401 });
    expect((await sendJson('POST', `${t.baseUrl}/ir-led/toggle`, undefined, headers)).status).toBe(
      401,
    );
    expect((await getJson<Settings>(`${t.baseUrl}/camera/settings`)).body.framerate).toBe(30);
  });

  it('accepts the right token', async () => {
    const reply = await sendJson<Settings>(
      'POST',
      `${t.baseUrl}/camera/settings`,
      { framerate: 5 },
      {
        authorization: `Bearer ${token}`,
      },
    );
    expect(reply.status).toBe(200);
    expect(reply.body.framerate).toBe(5);
  });

  it('leaves reading open to viewers', async () => {
    expect((await getJson(`${t.baseUrl}/camera/settings`)).status).toBe(200);
    expect((await getJson(`${t.baseUrl}/camera/status`)).status).toBe(200);
    const reader = await MjpegReader.open(`${t.baseUrl}/video_feed`);
    await reader.waitForParts(1);
    reader.close();
    await waitFor(() => true, 'nothing');
  });
});
