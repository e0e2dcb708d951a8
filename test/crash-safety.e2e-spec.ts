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
      let saved = 0;
      const writer = (async () => {
        for (let i = 0; saving; i++) {
          const response = await fetch(`${baseUrl}/camera/settings`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ quality: 10 + ((round * 7 + i) % 90), framerate: 1 + (i % 30) }),
          }).catch(() => undefined);
          if (response?.status === 200) saved += 1;
        }
      })();
      // At least one save done before the plug is pulled, however slow the machine is today.
      while (saved === 0) await delay(5);
      await delay(50 + ((round * 37) % 200));
      server.signal('SIGKILL');
      await server.exited;
      saving = false;
      await writer;

      const onDisk = JSON.parse(readFileSync(file, 'utf8')) as {
        version: number;
        cameras: { default: { settings: Record<string, number> } };
      };
      expect(onDisk.version).toBe(2);
      expect(onDisk.cameras.default.settings.quality).toBeGreaterThanOrEqual(10);
      expect(onDisk.cameras.default.settings.framerate).toBeGreaterThanOrEqual(1);
    }
    // The next start picks the saved settings up and clears what the kills left half-written.
    const server = new ServerProcess({}, cwd);
    const baseUrl = await server.listening();
    const saved = JSON.parse(readFileSync(file, 'utf8')) as {
      cameras: { default: { settings: unknown } };
    };
    expect(await (await fetch(`${baseUrl}/camera/settings`)).json()).toEqual(
      saved.cameras.default.settings,
    );
    expect(readdirSync(join(cwd, 'data'))).toEqual(['settings.json']);
    await server.stop();
  }, 90_000);
});
