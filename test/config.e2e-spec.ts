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
    [{ HOST: 'camera_host!' }, 'HOST must be a host name or IP address to listen on'],
    [{ TRUST_PROXY: 'the-router' }, 'TRUST_PROXY must be false, true, a hop count, or proxy names'],
    [
      { TRUST_PROXY: '10.0.0.0/33' },
      'TRUST_PROXY must be false, true, a hop count, or proxy names',
    ],
    [
      { FFMPEG_PATH: '/nonexistent/ffmpeg' },
      'FFMPEG_PATH must be the path of an executable ffmpeg',
    ],
    [{ CORS_ORIGINS: 'mainsail.local' }, 'CORS_ORIGINS must be * or a list of origins'],
    // Valid values the machine cannot use: refused when listening, still in one line.
    [
      { HOST: '192.0.2.1' },
      'cannot listen on HOST=192.0.2.1 PORT=0: this machine has no such address',
    ],
    [
      { HOST: 'no-such-host.invalid' },
      'cannot listen on HOST=no-such-host.invalid PORT=0: the host name does not resolve',
    ],
  ])('fails fast on %j, naming the variable and its allowed values', async (env, message) => {
    const server = run(env);
    const startedAt = Date.now();
    const exit = await server.exited;
    expect(exit.code).toBe(1);
    expect(Date.now() - startedAt).toBeLessThan(10_000);
    expect(server.output).toContain(message);
    expect(server.output).not.toMatch(/listening on/);
    // One line, no stack trace.
    expect(server.output).not.toMatch(/^\s+at /m);
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
