import { ServerProcess } from './utils/server-process';

describe('configuration from the environment', () => {
  const started: ServerProcess[] = [];
  const run = (env: Record<string, string>): ServerProcess => {
    const server = new ServerProcess(env);
    started.push(server);
    return server;
  };

  afterAll(async () => {
    await Promise.all(started.map(async (server) => server.stop()));
  });

  it.each([
    [{ CAMERA_WIDTH: 'abc' }, 'CAMERA_WIDTH must be an integer from 16 to 8192 (got "abc")'],
    [
      { CAMERA: 'webcam' },
      'CAMERA must be one of: emulated, images, ffmpeg, pi, mjpeg (got "webcam")',
    ],
    [{ CAMERA_FRAMERATE: '500' }, 'CAMERA_FRAMERATE must be a number from 0.1 to 120 (got "500")'],
    [{ CAMERA: 'images' }, 'CAMERA_SOURCE must be set'],
    [{ PORT: 'eighty' }, 'PORT must be an integer from 0 to 65535 (got "eighty")'],
  ])('fails fast on %j, naming the variable and its allowed values', async (env, message) => {
    const server = run(env);
    const startedAt = Date.now();
    const exit = await server.exited;
    expect(exit.code).toBe(1);
    expect(Date.now() - startedAt).toBeLessThan(10_000);
    expect(server.output).toContain(message);
    expect(server.output).not.toMatch(/listening on/);
  });

  it('boots with no configuration at all on the emulated camera', async () => {
    const server = run({});
    const baseUrl = await server.listening();
    const status = (await (await fetch(`${baseUrl}/camera/status`)).json()) as Record<
      string,
      unknown
    >;
    expect(status).toMatchObject({
      driver: 'emulated',
      settings: { width: 640, height: 480, framerate: 30, quality: 80 },
    });
  });

  it('reads .env from the working directory, and the real environment wins over it', async () => {
    const { writeFileSync } = await import('node:fs');
    const first = run({});
    await first.stop();
    writeFileSync(`${first.cwd}/.env`, 'CAMERA_WIDTH=320\nCAMERA_HEIGHT=200\nCAMERA_QUALITY=55\n');
    const server = new ServerProcess({ CAMERA_HEIGHT: '240' }, first.cwd);
    started.push(server);
    const baseUrl = await server.listening();
    const status = (await (await fetch(`${baseUrl}/camera/status`)).json()) as Record<
      string,
      unknown
    >;
    expect(status.settings).toMatchObject({ width: 320, height: 240, framerate: 30, quality: 55 });
  });
});
