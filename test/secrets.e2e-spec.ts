import { mkdtempSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readPlaceholderComment } from '../src/drawing/placeholder-frame';
import { MjpegReader } from './utils/mjpeg-reader';
import { freePort, npmStartNodeFlags, ServerProcess } from './utils/server-process';
import { delay } from './utils/wait-for';

/** Everything the server lets out while its camera is down, as text. */
interface Exposure {
  readonly output: string;
  readonly health: string;
  readonly status: string;
  readonly metrics: string;
  readonly placeholder: Buffer;
  readonly reason: string;
  readonly lastError: string;
  readonly healthReason: string;
}

/** The spellings a program may print a secret in, so that none slips through. */
function spellingsOf(secret: string): string[] {
  const decoded = decodeURIComponent(secret);
  const encoded = encodeURIComponent(decoded);
  return [...new Set([secret, decoded, encoded, encoded.toLowerCase()])];
}

async function text(url: string): Promise<string> {
  const response = await fetch(url);
  return response.text();
}

/**
 * Runs the built server with a camera that cannot deliver, watches /video_feed until the
 * placeholder says why, and gathers every place the reason shows up: the log, /health,
 * /camera/status, /metrics and the placeholder.
 */
async function exposeFailingCamera(env: Record<string, string>): Promise<Exposure> {
  const server = new ServerProcess(
    {
      LOG_LEVEL: 'debug',
      CAMERA_WIDTH: '320',
      CAMERA_HEIGHT: '240',
      CAMERA_STALL_TIMEOUT: '1',
      DATA_DIR: mkdtempSync(join(tmpdir(), 'camfeed-secrets-')),
      ...env,
    },
    undefined,
    npmStartNodeFlags(),
  );
  try {
    const baseUrl = await server.listening();
    const reader = await MjpegReader.open(`${baseUrl}/video_feed`, { keep: 1 });
    const deadline = Date.now() + 20_000;
    let placeholder: Buffer | undefined;
    let status = '';
    let health = '';
    for (;;) {
      if (Date.now() > deadline) {
        throw new Error(`the camera's failure did not show in time:\n${status}\n${health}`);
      }
      const part = reader.parts.at(-1)?.body;
      if (part !== undefined && readPlaceholderComment(part)?.title === 'NO SIGNAL') {
        placeholder = part;
      }
      status = await text(`${baseUrl}/camera/status`);
      health = await text(`${baseUrl}/health`);
      const degraded = (JSON.parse(health) as { details: { camera: { reason?: string } } }).details
        .camera.reason;
      if (placeholder !== undefined && degraded !== undefined && /"lastError":"/.test(status)) {
        break;
      }
      await delay(200);
    }
    const metrics = await text(`${baseUrl}/metrics`);
    reader.close();
    server.signal('SIGTERM');
    await server.exited;
    return {
      output: server.output,
      health,
      status,
      metrics,
      placeholder,
      reason: readPlaceholderComment(placeholder)?.reason ?? '',
      lastError: (JSON.parse(status) as { lastError: string }).lastError,
      healthReason: (JSON.parse(health) as { details: { camera: { reason: string } } }).details
        .camera.reason,
    };
  } finally {
    await server.stop();
  }
}

function expectNowhere(secret: string, exposure: Exposure): void {
  const places = {
    output: exposure.output,
    health: exposure.health,
    status: exposure.status,
    metrics: exposure.metrics,
    placeholder: exposure.placeholder.toString('latin1'),
    placeholderUtf8: exposure.placeholder.toString('utf8'),
  };
  for (const spelling of spellingsOf(secret)) {
    for (const [place, content] of Object.entries(places)) {
      expect([place, content.includes(spelling)]).toEqual([place, false]);
    }
  }
}

describe('no camera secret leaves the server', () => {
  it('an RTSP password (nothing listening) shows nowhere: log, /health, /camera/status, /metrics, placeholder', async () => {
    const port = await freePort();
    const password = 'S3cr3tPa55';
    const exposure = await exposeFailingCamera({
      CAMERA: 'ffmpeg',
      CAMERA_SOURCE: `rtsp://admin:${password}@127.0.0.1:${port}/live`,
    });
    const masked = `rtsp://***:***@127.0.0.1:${port}/live`;
    // The failure is there, quoting the URL, so the checks below look where the secret would be.
    expect(exposure.reason).toContain(masked);
    expect(exposure.lastError).toContain(masked);
    expect(exposure.healthReason).toContain(masked);
    expect(exposure.output).toContain(`-i ${masked}`);
    expect(exposure.output).toMatch(/ffmpeg: .*rtsp:\/\/\*\*\*:\*\*\*@/);
    expectNowhere(password, exposure);
  });

  it('an HTTP relay’s percent-encoded password and user name show nowhere, though the relay sends them', async () => {
    const user = 'relay-user-7';
    const password = 'p%40ss%2Fw0rd%3A!';
    const authorizations: string[] = [];
    const source = http.createServer((request, response) => {
      authorizations.push(request.headers.authorization ?? '');
      response.writeHead(401, { 'WWW-Authenticate': 'Basic realm="cam"' }).end();
    });
    await new Promise<void>((resolve) => source.listen(0, '127.0.0.1', resolve));
    const { port } = source.address() as AddressInfo;
    try {
      const exposure = await exposeFailingCamera({
        CAMERA: 'mjpeg',
        CAMERA_SOURCE: `http://${user}:${password}@127.0.0.1:${port}/video_feed`,
      });
      const basic = Buffer.from(`${user}:${decodeURIComponent(password)}`).toString('base64');
      expect(authorizations).toContain(`Basic ${basic}`);
      const masked = `http://***:***@127.0.0.1:${port}/video_feed refused the credentials (HTTP 401)`;
      expect(exposure.reason).toBe(masked);
      expect(exposure.lastError).toBe(masked);
      expect(exposure.healthReason).toBe(masked);
      expect(exposure.output).toContain(`Cannot read the camera's capabilities (${masked})`);
      expectNowhere(password, exposure);
      expectNowhere(basic, exposure);
      for (const place of [exposure.health, exposure.status, exposure.reason]) {
        expect(place).not.toContain(user);
      }
    } finally {
      source.close();
    }
  });

  it('a password in the query string shows nowhere', async () => {
    const port = await freePort();
    const password = 'Qu3ryS3cret';
    const exposure = await exposeFailingCamera({
      CAMERA: 'ffmpeg',
      CAMERA_SOURCE: `http://127.0.0.1:${port}/video.cgi?user=admin&pwd=${password}`,
    });
    const masked = `http://127.0.0.1:${port}/video.cgi?user=***&pwd=***`;
    expect(exposure.reason).toContain(masked);
    expect(exposure.healthReason).toContain(masked);
    expect(exposure.output).toContain(`-i ${masked}`);
    expectNowhere(password, exposure);
  });
});
