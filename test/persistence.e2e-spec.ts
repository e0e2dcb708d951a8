import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ServerProcess } from './utils/server-process';
import { getJson, sendJson } from './utils/test-app';

const LED = { IR_LED_DRIVER: 'simulated', IR_LED_GPIO: '17' };

describe('settings that survive a restart', () => {
  const servers: ServerProcess[] = [];
  const start = (env: Record<string, string>, cwd?: string): ServerProcess => {
    const server = new ServerProcess(env, cwd);
    servers.push(server);
    return server;
  };

  afterAll(async () => {
    await Promise.all(servers.map(async (server) => server.stop()));
  });

  it('keeps camera settings and the LED mode across a real restart; the environment only gives first-run defaults', async () => {
    const first = start({ ...LED, CAMERA_WIDTH: '320', CAMERA_HEIGHT: '240' });
    const firstUrl = await first.listening();
    const changed = await sendJson('POST', `${firstUrl}/camera/settings`, {
      width: 800,
      height: 600,
      framerate: 12,
      quality: 60,
      rotation: 180,
      vflip: true,
    });
    expect(changed.status).toBe(200);
    expect((await sendJson('PUT', `${firstUrl}/ir-led`, { mode: 'auto' })).status).toBe(200);
    first.signal('SIGTERM');
    await first.exited;

    const onDisk = JSON.parse(
      await readFile(join(first.cwd, 'data', 'settings.json'), 'utf8'),
    ) as unknown;
    expect(onDisk).toMatchObject({
      version: 2,
      cameras: { default: { irLed: { mode: 'auto' }, settings: { width: 800, rotation: 180 } } },
    });

    // Different environment defaults now: the saved settings win.
    const second = start({ ...LED, CAMERA_WIDTH: '1024', CAMERA_HEIGHT: '768' }, first.cwd);
    const secondUrl = await second.listening();
    expect((await getJson(`${secondUrl}/camera/settings`)).body).toEqual({
      width: 800,
      height: 600,
      framerate: 12,
      quality: 60,
      rotation: 180,
      hflip: false,
      vflip: true,
      bitrate: 2000,
      keyframeInterval: 1,
    });
    expect((await getJson(`${secondUrl}/ir-led`)).body).toMatchObject({
      available: true,
      mode: 'auto',
    });
  });

  it.each([
    ['truncated JSON', '{"version": 1, "camera": {"width": 12'],
    ['binary garbage', '\u0000\u0001\u0002\u00ff'],
    ['invalid values', '{"version": 1, "camera": {"width": "huge"}, "irLed": {"mode": "disco"}}'],
  ])('boots on the defaults with a warning when the settings file holds %s', async (_, content) => {
    const server = start({ ...LED, CAMERA_WIDTH: '320', CAMERA_HEIGHT: '240' });
    await server.stop();
    await mkdir(join(server.cwd, 'data'), { recursive: true });
    await writeFile(join(server.cwd, 'data', 'settings.json'), content);
    const restarted = start({ ...LED, CAMERA_WIDTH: '320', CAMERA_HEIGHT: '240' }, server.cwd);
    const url = await restarted.listening();
    expect((await getJson(`${url}/camera/settings`)).body).toMatchObject({
      width: 320,
      height: 240,
      rotation: 0,
    });
    expect((await getJson(`${url}/ir-led`)).body).toMatchObject({ mode: 'off' });
    expect(restarted.output).toMatch(/WARN.*(corrupt|invalid)/);
    // And it can save again over the bad file.
    expect((await sendJson('POST', `${url}/camera/settings`, { framerate: 10 })).status).toBe(200);
  });

  it('starts on the defaults when settings.json is a FIFO, and saving answers a 500 without paths', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'camfeed-fifo-'));
    // A FIFO blocks whoever opens it for reading until someone writes: it must not block start.
    execFileSync('mkfifo', [join(dataDir, 'settings.json')]);
    const server = start({ ...LED, DATA_DIR: dataDir, CAMERA_WIDTH: '320', CAMERA_HEIGHT: '240' });
    const url = await server.listening(10_000);
    expect((await getJson(`${url}/camera/settings`)).body).toMatchObject({ width: 320 });
    expect(server.output).toMatch(/WARN.*not a regular file/);
    const saved = await sendJson<{ message: string }>('POST', `${url}/camera/settings`, {
      framerate: 10,
    });
    // The rename replaces the FIFO with a real file: saving works and later reads are normal.
    expect(saved.status).toBe(200);
  });

  it('answers a settings change with a 5xx naming the reason but no path when DATA_DIR cannot exist', async () => {
    // Under /proc nothing can be created; a naive recursive mkdir spins there forever.
    const server = start({ ...LED, DATA_DIR: '/proc/camfeed-e2e/data' });
    const url = await server.listening(10_000);
    const started = Date.now();
    const refused = await sendJson<{ message: string }>('POST', `${url}/camera/settings`, {
      framerate: 10,
    });
    expect(Date.now() - started).toBeLessThan(6000);
    expect(refused.status).toBe(500);
    expect(refused.body.message).toMatch(
      /^The settings could not be saved: .+; nothing was changed$/,
    );
    expect(refused.body.message).not.toContain('/');
    expect((await getJson(`${url}/camera/settings`)).body).toMatchObject({ framerate: 30 });
    const led = await sendJson<{ message: string }>('PUT', `${url}/ir-led`, { mode: 'on' });
    expect(led.status).toBe(500);
    expect(led.body.message).not.toContain('/proc');
  });
});
