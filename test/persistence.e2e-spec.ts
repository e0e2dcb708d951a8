import { mkdir, readFile, writeFile } from 'node:fs/promises';
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
      version: 1,
      irLed: { mode: 'auto' },
      camera: { width: 800, rotation: 180 },
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
});
