import { MjpegReader } from './utils/mjpeg-reader';
import { freePort, ServerProcess } from './utils/server-process';
import { sendJson } from './utils/test-app';
import { delay } from './utils/wait-for';

type Line = Record<string, unknown>;

describe('logs', () => {
  const servers: ServerProcess[] = [];
  afterAll(async () => {
    await Promise.all(servers.map(async (server) => server.stop()));
  });

  it('with LOG_FORMAT=json, writes one JSON object per line, with one access line per stream session', async () => {
    const server = new ServerProcess({
      LOG_FORMAT: 'json',
      LOG_LEVEL: 'debug',
      CAMERA_WIDTH: '160',
      CAMERA_HEIGHT: '120',
    });
    servers.push(server);
    const baseUrl = await server.listening();
    const reader = await MjpegReader.open(`${baseUrl}/video_feed?session=log-test`);
    await reader.waitForParts(20);
    reader.close();
    await sendJson('POST', `${baseUrl}/camera/settings`, { framerate: 500 });
    await sendJson('POST', `${baseUrl}/camera/settings`, { quality: 70 });
    await delay(300);
    server.signal('SIGTERM');
    await server.exited;

    const lines = server.output.split('\n').filter((line) => line.trim() !== '');
    const parsed: Line[] = lines.map((line) => JSON.parse(line) as Line);
    for (const line of parsed) {
      expect([typeof line.level, typeof line.time, typeof line.msg]).toEqual([
        'string',
        'string',
        'string',
      ]);
      expect(Number.isNaN(Date.parse(line.time as string))).toBe(false);
    }
    const sessions = parsed.filter((line) => line.event === 'stream');
    expect(sessions).toHaveLength(1);
    expect(sessions[0]).toMatchObject({
      level: 'info',
      context: 'Stream',
      session: 'log-test',
      remote: '127.0.0.1',
      reason: 'client disconnected',
      framesDropped: 0,
    });
    expect(typeof sessions[0].durationMs).toBe('number');
    expect(sessions[0].framesSent as number).toBeGreaterThanOrEqual(20);
    expect(Date.parse(sessions[0].endedAt as string)).toBeGreaterThan(
      Date.parse(sessions[0].startedAt as string),
    );
    // No line per frame, nor per stream request: the whole session, 20+ frames, is that one line.
    expect(parsed.filter((line) => line.context === 'HTTP' && line.path === '/video_feed')).toEqual(
      [],
    );
    expect(parsed).toContainEqual(
      expect.objectContaining({ context: 'HTTP', method: 'POST', status: 400, level: 'warn' }),
    );
    expect(parsed).toContainEqual(
      expect.objectContaining({ context: 'HTTP', method: 'POST', status: 200, level: 'info' }),
    );
    expect(parsed).toContainEqual(
      expect.objectContaining({
        context: 'Main',
        msg: expect.stringMatching(/^camfeed listening on/) as string,
      }),
    );
  });

  it('keeps to LOG_LEVEL', async () => {
    const port = await freePort();
    const server = new ServerProcess({ LOG_FORMAT: 'json', LOG_LEVEL: 'warn', PORT: String(port) });
    servers.push(server);
    // At warn level the server does not say that it listens: ask it.
    const up = async (): Promise<boolean> =>
      fetch(`http://127.0.0.1:${port}/health`).then(
        (response) => response.ok,
        () => false,
      );
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline && !(await up())) await delay(100);
    server.signal('SIGTERM');
    await server.exited;
    const levels = server.output
      .split('\n')
      .filter(Boolean)
      .map((line) => (JSON.parse(line) as Line).level);
    expect(levels.length).toBeGreaterThan(0); // the API_TOKEN warning
    expect(
      levels.every((level) => level === 'warn' || level === 'error' || level === 'fatal'),
    ).toBe(true);
  });

  it('is readable in a terminal by default', async () => {
    const server = new ServerProcess({});
    servers.push(server);
    await server.listening();
    server.signal('SIGTERM');
    await server.exited;
    expect(server.output).toMatch(
      /^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}\] INFO: \[Main\] camfeed listening on http:\/\/127\.0\.0\.1:\d+ \(camera: emulated\)$/m,
    );
  });
});
