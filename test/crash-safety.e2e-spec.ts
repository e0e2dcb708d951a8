import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ServerProcess } from './utils/server-process';
import { delay } from './utils/wait-for';

describe('settings.json and kill -9', () => {
  it('is never left corrupt, whenever the server is killed while saving', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'camfeed-crash-'));
    const file = join(cwd, 'data', 'settings.json');
    for (let round = 0; round < 12; round++) {
      const server = new ServerProcess({ CAMERA_WIDTH: '160', CAMERA_HEIGHT: '120' }, cwd);
      const baseUrl = await server.listening();
      // Save as fast as the server will, and pull the plug somewhere in the middle.
      let saving = true;
      const writer = (async () => {
        for (let i = 0; saving; i++) {
          await fetch(`${baseUrl}/camera/settings`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ quality: 10 + ((round * 7 + i) % 90), framerate: 1 + (i % 30) }),
          }).catch(() => undefined);
        }
      })();
      await delay(50 + ((round * 37) % 200));
      server.signal('SIGKILL');
      await server.exited;
      saving = false;
      await writer;

      const saved = JSON.parse(readFileSync(file, 'utf8')) as {
        version: number;
        camera: Record<string, number>;
      };
      expect(saved.version).toBe(1);
      expect(saved.camera.quality).toBeGreaterThanOrEqual(10);
      expect(saved.camera.framerate).toBeGreaterThanOrEqual(1);
    }
    // The next start picks the saved settings up and clears what the kills left half-written.
    const server = new ServerProcess({}, cwd);
    const baseUrl = await server.listening();
    const saved = JSON.parse(readFileSync(file, 'utf8')) as { camera: unknown };
    expect(await (await fetch(`${baseUrl}/camera/settings`)).json()).toEqual(saved.camera);
    expect(readdirSync(join(cwd, 'data'))).toEqual(['settings.json']);
    await server.stop();
  }, 90_000);
});
