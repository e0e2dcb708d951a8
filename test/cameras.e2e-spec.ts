import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { jpegFolder, solidJpeg } from './utils/jpeg-fixtures';
import { MjpegReader } from './utils/mjpeg-reader';
import { scrape, valueOf } from './utils/prometheus';
import { freePort, ServerProcess } from './utils/server-process';
import { getJson, producerOf, sendJson, startApp, type TestApp } from './utils/test-app';
import { delay, waitFor } from './utils/wait-for';

const tempDir = (): string => mkdtempSync(join(tmpdir(), 'camfeed-cameras-'));

/** The decoded size and mean colour of a JPEG: what tells the cameras' pictures apart. */
async function look(jpeg: Buffer): Promise<{ size: string; rgb: number[] }> {
  const stats = await sharp(jpeg).stats();
  const { width, height } = await sharp(jpeg).metadata();
  const rgb = stats.channels.slice(0, 3).map((channel) => Math.round(channel.mean));
  return { size: `${width}x${height}`, rgb };
}

/** Frames per second a reader got over `ms`, counted from now. */
async function rateOver(reader: MjpegReader, ms: number): Promise<number> {
  const before = reader.count;
  await delay(ms);
  return ((reader.count - before) * 1000) / ms;
}

describe('four cameras of four drivers in one server', () => {
  let t: TestApp;
  const readers: MjpegReader[] = [];

  beforeAll(async () => {
    const port = await freePort();
    const dir = tempDir();
    const blue = await jpegFolder([await solidJpeg(200, 150, 0)]);
    writeFileSync(
      join(dir, 'cameras.yaml'),
      [
        'cameras:',
        '  - { id: emu, name: Emulated, driver: emulated, width: 320, height: 240, framerate: 15 }',
        `  - { id: pics, driver: images, source: ${blue}, framerate: 5, idleTimeout: 1 }`,
        '  - id: lavfi',
        '    driver: ffmpeg',
        '    source: color=c=0x00ff00:s=352x288:r=10',
        '    width: 352',
        '    height: 288',
        '    framerate: 10',
        '  - id: relay',
        '    driver: mjpeg',
        `    source: http://127.0.0.1:${port}/cameras/emu/video_feed`,
        '',
      ].join('\n'),
    );
    t = await startApp(
      { CAMERAS_FILE: join(dir, 'cameras.yaml'), CAMERA_IDLE_TIMEOUT: '30' },
      undefined,
      port,
    );
  }, 60_000);

  afterAll(async () => {
    for (const reader of readers) reader.close();
    await t.close();
  });

  it('lists them in file order with their state and URLs', async () => {
    const { body } = await getJson<{
      cameras: Array<{ id: string; name: string; driver: string; urls: Record<string, string> }>;
    }>(`${t.baseUrl}/cameras`);
    expect(body.cameras.map((camera) => [camera.id, camera.name, camera.driver])).toEqual([
      ['emu', 'Emulated', 'emulated'],
      ['pics', 'pics', 'images'],
      ['lavfi', 'lavfi', 'ffmpeg'],
      ['relay', 'relay', 'mjpeg'],
    ]);
    expect(body.cameras[2].urls).toMatchObject({
      stream: '/cameras/lavfi/video_feed',
      snapshot: '/cameras/lavfi/snapshot.jpg',
      page: '/#/cameras/lavfi',
    });
  });

  it('streams all four at once, each viewer getting only its own camera’s pictures at its own rate', async () => {
    for (const id of ['emu', 'pics', 'lavfi', 'relay'])
      readers.push(await MjpegReader.open(`${t.baseUrl}/cameras/${id}/video_feed`, { keep: 3 }));
    const [emu, pics, lavfi, relay] = readers;
    await Promise.all(readers.map(async (reader) => reader.waitForParts(3, 20_000)));
    const rates = await Promise.all(readers.map(async (reader) => rateOver(reader, 3000)));
    expect(rates[0]).toBeGreaterThan(11);
    expect(rates[1]).toBeGreaterThan(3.5);
    expect(rates[1]).toBeLessThan(6.5);
    expect(rates[2]).toBeGreaterThan(7);
    expect(rates[2]).toBeLessThan(13);
    expect(rates[3]).toBeGreaterThan(11);

    const [emuLook, picsLook, lavfiLook, relayLook] = await Promise.all(
      [emu, pics, lavfi, relay].map(async (reader) =>
        look(reader.parts.at(-1)?.body ?? Buffer.alloc(0)),
      ),
    );
    expect(emuLook.size).toBe('320x240');
    expect(picsLook.size).toBe('200x150');
    // solidJpeg(…, 0) is rgb(0, 255, 0): mostly green; lavfi's colour source is pure green too,
    // but at its own size, and the emulated picture is colour bars, far from either.
    expect(picsLook.rgb[1]).toBeGreaterThan(200);
    expect(lavfiLook.size).toBe('352x288');
    expect(lavfiLook.rgb[1]).toBeGreaterThan(200);
    expect(lavfiLook.rgb[0]).toBeLessThan(40);
    expect(relayLook.size).toBe('320x240');
    expect(Math.abs(relayLook.rgb[0] - emuLook.rgb[0])).toBeLessThan(40);
  });

  it('answers each camera’s status, settings, capabilities and snapshot at its own URL', async () => {
    const status = await getJson<{ driver: string; settings: { width: number } }>(
      `${t.baseUrl}/cameras/lavfi/status`,
    );
    expect(status.body).toMatchObject({ driver: 'ffmpeg', settings: { width: 352 } });
    expect((await getJson(`${t.baseUrl}/cameras/pics/capabilities`)).body).toMatchObject({
      sizes: { kind: 'modes', modes: [{ width: 200, height: 150 }] },
      quality: null,
    });
    const snapshot = await fetch(`${t.baseUrl}/cameras/pics/snapshot.jpg`);
    expect((await look(Buffer.from(await snapshot.arrayBuffer()))).size).toBe('200x150');
    // The URLs without a camera are the first camera's.
    expect((await getJson(`${t.baseUrl}/camera/status`)).body).toMatchObject({
      driver: 'emulated',
    });
  });

  it('reaches camera N at mjpg-streamer’s /?action=stream_N and snapshot_N', async () => {
    const third = await MjpegReader.open(`${t.baseUrl}/?action=stream_2`);
    await third.waitForParts(1, 10_000);
    third.close();
    expect((await look(third.parts[0].body)).size).toBe('352x288');
    const snapshot = await fetch(`${t.baseUrl}/?action=snapshot_1`);
    expect((await look(Buffer.from(await snapshot.arrayBuffer()))).size).toBe('200x150');
    const missing = await getJson<{ message: string; cameras: string[] }>(
      `${t.baseUrl}/?action=stream_7`,
    );
    expect(missing.status).toBe(404);
    expect(missing.body.message).toBe(
      'No camera 7: this server has 4 (0 to 3: emu, pics, lavfi, relay)',
    );
  });

  it('answers an unknown camera with a 404 that names the known ones', async () => {
    for (const path of [
      '/cameras/nope/video_feed',
      '/cameras/nope/status',
      '/cameras/nope/settings',
    ]) {
      const { status, body } = await getJson<{ message: string; cameras: string[] }>(
        `${t.baseUrl}${path}`,
      );
      expect([path, status]).toEqual([path, 404]);
      expect(body.message).toBe('No camera "nope"; the cameras are: emu, pics, lavfi, relay');
      expect(body.cameras).toEqual(['emu', 'pics', 'lavfi', 'relay']);
    }
  });

  it('reports each camera in /health and /metrics', async () => {
    const health = await getJson<{ details: Record<string, { status: string; camera: string }> }>(
      `${t.baseUrl}/health`,
    );
    for (const id of ['emu', 'pics', 'lavfi', 'relay'])
      expect(health.body.details[`camera:${id}`]).toMatchObject({ status: 'up', camera: id });
    const metrics = await scrape(t.baseUrl);
    for (const id of ['emu', 'pics', 'lavfi', 'relay']) {
      expect(valueOf(metrics, 'camfeed_stream_clients', { camera: id })).toBeGreaterThanOrEqual(1);
      expect(valueOf(metrics, 'camfeed_frames_captured_total', { camera: id })).toBeGreaterThan(0);
      expect(valueOf(metrics, 'camfeed_camera_running', { camera: id })).toBe(1);
    }
  });

  it('idle-stops only the camera whose viewers left', async () => {
    const pics = readers[1];
    pics.close();
    await pics.closed;
    await waitFor(
      () => !producerOf(t.app, 'pics').isRunning,
      'the images camera to idle-stop',
      5000,
    );
    for (const id of ['emu', 'lavfi', 'relay']) expect(producerOf(t.app, id).isRunning).toBe(true);
    expect(await rateOver(readers[0], 1000)).toBeGreaterThan(10);
  });
});

describe('one camera failing or changing, in a real server process', () => {
  let server: ServerProcess;
  let dataDir: string;
  let camerasFile: string;

  const start = async (): Promise<string> => {
    server = new ServerProcess({
      CAMERAS_FILE: camerasFile,
      DATA_DIR: dataDir,
      CAMERA_IDLE_TIMEOUT: '30',
    });
    return server.listening();
  };

  beforeAll(() => {
    dataDir = tempDir();
    camerasFile = join(tempDir(), 'cameras.yaml');
    writeFileSync(
      camerasFile,
      [
        'cameras:',
        '  - { id: front, driver: emulated, width: 320, height: 240, framerate: 15, irLed: { gpio: 17, driver: simulated } }',
        '  - { id: back, driver: ffmpeg, source: testsrc2, width: 320, height: 240, framerate: 15, irLed: { gpio: 27, driver: simulated } }',
        '',
      ].join('\n'),
    );
  });

  afterAll(async () => server?.stop());

  it('keeps the other cameras at full rate while one camera’s ffmpeg is killed', async () => {
    const url = await start();
    const front = await MjpegReader.open(`${url}/cameras/front/video_feed`);
    const back = await MjpegReader.open(`${url}/cameras/back/video_feed`);
    await Promise.all([front.waitForParts(5, 15_000), back.waitForParts(5, 15_000)]);
    const ffmpeg = execFileSync('pgrep', ['-P', String(server.pid), 'ffmpeg'], {
      encoding: 'utf8',
    }).trim();
    expect(ffmpeg).toMatch(/^\d+$/);
    const during = rateOver(front, 2000);
    process.kill(Number(ffmpeg), 'SIGKILL');
    expect(await during).toBeGreaterThan(12);
    await waitFor(() => back.count > 0, 'anything');
    const backBefore = back.count;
    await waitFor(() => back.count > backBefore + 5, 'the killed camera to come back', 10_000);
    front.close();
    back.close();
  }, 60_000);

  it('changes one camera’s settings without touching the other’s stream', async () => {
    const url = server.baseUrl;
    const front = await MjpegReader.open(`${url}/cameras/front/video_feed`);
    await front.waitForParts(3);
    const gaps: number[] = [];
    let last = Date.now();
    const watch = setInterval(() => {
      if (front.count > 0) gaps.push(Date.now() - last);
    }, 1000);
    const countBefore = front.count;
    const changed = await sendJson('POST', `${url}/cameras/back/settings`, {
      width: 640,
      height: 480,
    });
    expect(changed.status).toBe(200);
    last = Date.now();
    const rate = await rateOver(front, 2000);
    clearInterval(watch);
    expect(front.count).toBeGreaterThan(countBefore);
    expect(rate).toBeGreaterThan(12);
    expect((await look(front.parts.at(-1)?.body ?? Buffer.alloc(0))).size).toBe('320x240');
    expect((await getJson(`${url}/cameras/front/settings`)).body).toMatchObject({ width: 320 });
    front.close();
  });

  it('keeps settings and LED modes per camera across a real restart', async () => {
    const url = server.baseUrl;
    expect((await sendJson('POST', `${url}/cameras/front/settings`, { quality: 55 })).status).toBe(
      200,
    );
    expect((await sendJson('PUT', `${url}/cameras/front/ir-led`, { mode: 'on' })).status).toBe(200);
    expect((await sendJson('PUT', `${url}/cameras/back/ir-led`, { mode: 'auto' })).status).toBe(
      200,
    );
    server.signal('SIGTERM');
    await server.exited;
    const onDisk = JSON.parse(readFileSync(join(dataDir, 'settings.json'), 'utf8')) as {
      cameras: Record<string, { settings: Record<string, number>; irLed: { mode: string } }>;
    };
    expect(onDisk.cameras.front).toMatchObject({
      settings: { quality: 55 },
      irLed: { mode: 'on' },
    });
    expect(onDisk.cameras.back).toMatchObject({
      settings: { width: 640 },
      irLed: { mode: 'auto' },
    });

    const again = await start();
    expect((await getJson(`${again}/cameras/front/settings`)).body).toMatchObject({
      quality: 55,
      width: 320,
    });
    expect((await getJson(`${again}/cameras/back/settings`)).body).toMatchObject({
      width: 640,
      height: 480,
    });
    expect((await getJson(`${again}/cameras/front/ir-led`)).body).toMatchObject({
      mode: 'on',
      on: true,
      gpio: 17,
    });
    expect((await getJson(`${again}/cameras/back/ir-led`)).body).toMatchObject({
      mode: 'auto',
      gpio: 27,
    });
  }, 30_000);

  it('names the camera in its log lines and in the access line of each stream', async () => {
    const url = server.baseUrl;
    const reader = await MjpegReader.open(`${url}/cameras/back/video_feed`);
    await reader.waitForParts(1, 10_000);
    reader.close();
    await waitFor(() => /stream 127\.0\.0\.1 of back ended/.test(server.output), 'the access line');
    expect(server.output).toMatch(/\[Stream back\] stream 127\.0\.0\.1 of back ended/);
    expect(server.output).toMatch(/\[IrLed front\] /);
    expect(server.output).toMatch(/\[ffmpeg back\] Starting ffmpeg/);
  });
});

describe('reloading the cameras file', () => {
  let server: ServerProcess;
  let camerasFile: string;
  const camera = (id: string, width = 160, height = 120): string =>
    `  - { id: ${id}, driver: emulated, width: ${width}, height: ${height}, framerate: 10 }`;
  const writeCameras = (...lines: string[]): void =>
    writeFileSync(camerasFile, ['cameras:', ...lines, ''].join('\n'));

  beforeAll(async () => {
    camerasFile = join(tempDir(), 'cameras.yaml');
    writeCameras(camera('stay'), camera('change'), camera('leave'));
    server = new ServerProcess({
      CAMERAS_FILE: camerasFile,
      DATA_DIR: tempDir(),
      API_TOKEN: 'reload-token-123456',
    });
    await server.listening();
  });

  afterAll(async () => server.stop());

  const ids = async (): Promise<string[]> =>
    (
      await getJson<{ cameras: Array<{ id: string }> }>(`${server.baseUrl}/cameras`)
    ).body.cameras.map((entry) => entry.id);

  it('adds, removes and changes cameras, and leaves the viewers of an unchanged one alone', async () => {
    const url = server.baseUrl;
    const stay = await MjpegReader.open(`${url}/cameras/stay/video_feed`);
    const change = await MjpegReader.open(`${url}/cameras/change/video_feed`);
    const leave = await MjpegReader.open(`${url}/cameras/leave/video_feed`);
    await Promise.all([stay, change, leave].map(async (reader) => reader.waitForParts(2)));

    writeCameras(camera('stay'), camera('change', 320, 240), camera('added'));
    let longestGap = 0;
    let lastCount = stay.count;
    let lastAt = Date.now();
    const watch = setInterval(() => {
      if (stay.count !== lastCount) {
        longestGap = Math.max(longestGap, Date.now() - lastAt);
        lastCount = stay.count;
        lastAt = Date.now();
      }
    }, 10);
    const refused = await sendJson('POST', `${url}/cameras/reload`);
    expect(refused.status).toBe(401);
    const reply = await sendJson('POST', `${url}/cameras/reload`, undefined, {
      authorization: 'Bearer reload-token-123456',
    });
    expect(reply.body).toEqual({
      added: ['added'],
      removed: ['leave'],
      changed: ['change'],
      unchanged: ['stay'],
    });
    await leave.closed;
    await waitFor(
      () => change.parts.length > 0 && change.parts.at(-1)?.body !== undefined,
      'frames',
    );
    const changedCount = change.count;
    await change.waitForParts(changedCount + 3, 5000);
    expect((await look(change.parts.at(-1)?.body ?? Buffer.alloc(0))).size).toBe('320x240');
    expect(change.ended).toBe(false);
    await delay(500);
    clearInterval(watch);
    expect(longestGap).toBeLessThan(400);
    expect(await ids()).toEqual(['stay', 'change', 'added']);
    const added = await MjpegReader.open(`${url}/cameras/added/video_feed`);
    await added.waitForParts(1);
    const gone = await getJson(`${url}/cameras/leave/status`);
    expect(gone.status).toBe(404);
    for (const reader of [stay, change, added]) reader.close();
  }, 30_000);

  it('changes nothing when the new file is broken, and says why', async () => {
    const url = server.baseUrl;
    const before = await ids();
    const viewer = await MjpegReader.open(`${url}/cameras/stay/video_feed`);
    await viewer.waitForParts(1);
    writeCameras(camera('stay'), '  - { id: bad, driver: emulated, width: huge }');
    const reply = await sendJson<{ message: string }>('POST', `${url}/cameras/reload`, undefined, {
      authorization: 'Bearer reload-token-123456',
    });
    expect(reply.status).toBe(422);
    expect(reply.body.message).toBe(
      `CAMERAS_FILE ${camerasFile}: camera "bad": width must be an integer from 16 to 8192 (got "huge"); nothing was changed`,
    );
    expect(await ids()).toEqual(before);
    const countBefore = viewer.count;
    await viewer.waitForParts(countBefore + 3);
    viewer.close();
  });

  it('reloads on SIGHUP, as systemctl reload sends it', async () => {
    writeCameras(camera('stay'), camera('hup'));
    server.signal('SIGHUP');
    await waitFor(() => /Reloaded .*added hup/.test(server.output), 'the reload on SIGHUP', 5000);
    expect(await ids()).toEqual(['stay', 'hup']);
    writeCameras('  - { id: broken');
    server.signal('SIGHUP');
    await waitFor(
      () => /Reload on SIGHUP failed, nothing changed/.test(server.output),
      'the refused reload',
      5000,
    );
    expect(await ids()).toEqual(['stay', 'hup']);
    // SIGHUP is not a stop signal any more.
    expect((await getJson(`${server.baseUrl}/health`)).status).toBe(200);
  });
});

describe('a bad cameras file at start', () => {
  it('stops the server at once with one line naming the file, the camera and the field', async () => {
    const file = join(tempDir(), 'cameras.yaml');
    writeFileSync(file, 'cameras:\n  - { id: door, driver: pi, source: front }\n');
    const server = new ServerProcess({ CAMERAS_FILE: file });
    const exit = await server.exited;
    expect(exit.code).toBe(1);
    expect(server.output.trim()).toBe(
      `camfeed: CAMERAS_FILE ${file}: camera "door": source must be the camera index (0, 1, ...) when driver=pi (got "front")`,
    );
  });
});
