import { mkdtempSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MjpegReader } from './utils/mjpeg-reader';
import { ServerProcess } from './utils/server-process';
import { writeSelfSignedCertificate } from './utils/certificates';

/** GET over HTTPS accepting the test's self-signed certificate. */
async function get(
  url: string,
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    https
      .get(url, { rejectUnauthorized: false }, (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (body += chunk));
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, headers: response.headers, body }),
        );
      })
      .on('error', reject);
  });
}

describe('TLS_CERT and TLS_KEY', () => {
  let server: ServerProcess;
  let folder: string;

  beforeAll(() => {
    folder = mkdtempSync(join(tmpdir(), 'camfeed-tls-'));
    writeSelfSignedCertificate(folder, '127.0.0.1');
  });

  afterEach(async () => {
    await server?.stop();
  });

  it('serves the page and the stream over HTTPS, on the same scheme', async () => {
    server = new ServerProcess({
      TLS_CERT: join(folder, 'cert.pem'),
      TLS_KEY: join(folder, 'key.pem'),
      CAMERA_WIDTH: '160',
      CAMERA_HEIGHT: '120',
    });
    const baseUrl = await server.listening();
    expect(baseUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);

    const page = await get(`${baseUrl}/`);
    expect(page.status).toBe(200);
    // Relative URLs only: the page never mixes schemes.
    expect(page.body).not.toMatch(/(src|href)="http:/);
    expect(page.headers['strict-transport-security']).toMatch(/max-age=\d+/);
    expect(page.headers['content-security-policy']).toMatch(/upgrade-insecure-requests/);

    const reader = await MjpegReader.open(`${baseUrl}/video_feed`);
    expect(reader.statusCode).toBe(200);
    await reader.waitForParts(3);
    reader.close();
  });

  it('fails fast, naming the problem, when the files cannot be read', async () => {
    server = new ServerProcess({
      TLS_CERT: join(folder, 'missing.pem'),
      TLS_KEY: join(folder, 'key.pem'),
    });
    const exit = await server.exited;
    expect(exit.code).toBe(1);
    expect(server.output).toMatch(/camfeed: cannot read TLS_CERT or TLS_KEY: ENOENT/);
  });
});
