import { chmod, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { makeFolder, readSmallFile, writeFileAtomic } from './atomic-file';
import { describeFileError, withDeadline } from './deadline';
import { SettingsNotSavedError } from './errors/settings-not-saved.error';
import { SettingsStore } from './settings-store.service';

const tempDir = async (): Promise<string> => mkdtemp(join(tmpdir(), 'camfeed-store-'));

describe(writeFileAtomic.name, () => {
  it('replaces the file and leaves no temporary files behind', async () => {
    const dir = await tempDir();
    const path = join(dir, 'settings.json');
    await writeFileAtomic(path, 'first');
    await writeFileAtomic(path, 'second');
    expect(await readFile(path, 'utf8')).toBe('second');
    expect(await readdir(dir)).toEqual(['settings.json']);
  });

  it('creates missing folders', async () => {
    const path = join(await tempDir(), 'a', 'b', 'settings.json');
    await writeFileAtomic(path, '{}');
    expect(await readFile(path, 'utf8')).toBe('{}');
  });

  it('keeps the old file and cleans up when writing fails', async () => {
    const dir = await tempDir();
    const path = join(dir, 'settings.json');
    await writeFileAtomic(path, 'old');
    // A directory where the file should be makes the rename fail after the temp file was written.
    const blocked = join(dir, 'blocked');
    await writeFileAtomic(join(blocked, 'x'), 'x');
    await expect(writeFileAtomic(blocked, 'new')).rejects.toThrow();
    expect(await readFile(path, 'utf8')).toBe('old');
    expect((await readdir(dir)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });
});

describe(SettingsStore.name, () => {
  it('reads nothing on a first run', async () => {
    const store = new SettingsStore({ dataDir: await tempDir() });
    expect(await store.read('printer', 'settings')).toBeUndefined();
  });

  it('writes each camera’s sections into one versioned JSON document and reads them back', async () => {
    const dataDir = await tempDir();
    const store = new SettingsStore({ dataDir });
    await store.write('printer', 'settings', { width: 1280 });
    await store.write('printer', 'irLed', { mode: 'auto' });
    await store.write('door', 'settings', { width: 640 });
    const onDisk = JSON.parse(await readFile(join(dataDir, 'settings.json'), 'utf8')) as unknown;
    expect(onDisk).toEqual({
      version: 2,
      cameras: {
        printer: { settings: { width: 1280 }, irLed: { mode: 'auto' } },
        door: { settings: { width: 640 } },
      },
    });
    const reopened = new SettingsStore({ dataDir });
    expect(await reopened.read('printer', 'irLed')).toEqual({ mode: 'auto' });
    expect(await reopened.read('door', 'irLed')).toBeUndefined();
  });

  it('reads a version 1 file (one camera) as camera "default", and saves it as version 2', async () => {
    const dataDir = await tempDir();
    await writeFile(
      join(dataDir, 'settings.json'),
      JSON.stringify({ version: 1, camera: { width: 800 }, irLed: { mode: 'on' } }),
    );
    const store = new SettingsStore({ dataDir });
    expect(await store.read('default', 'settings')).toEqual({ width: 800 });
    expect(await store.read('default', 'irLed')).toEqual({ mode: 'on' });
    expect(await store.read('printer', 'settings')).toBeUndefined();
    await store.write('default', 'settings', { width: 1024 });
    expect(JSON.parse(await readFile(join(dataDir, 'settings.json'), 'utf8'))).toEqual({
      version: 2,
      cameras: { default: { settings: { width: 1024 }, irLed: { mode: 'on' } } },
    });
  });

  it('applies concurrent writes one after another, none lost', async () => {
    const dataDir = await tempDir();
    const store = new SettingsStore({ dataDir });
    await Promise.all(
      Array.from({ length: 20 }, async (_, i) => store.write(`camera${i % 3}`, `section${i}`, i)),
    );
    const reopened = new SettingsStore({ dataDir });
    for (let i = 0; i < 20; i++)
      expect(await reopened.read(`camera${i % 3}`, `section${i}`)).toBe(i);
  });

  it.each([
    ['not JSON', '{"camera": {"width": 12'],
    ['not an object', '[1, 2, 3]'],
    ['empty', ''],
    ['cameras not an object', '{"version": 2, "cameras": [1]}'],
  ])('treats a corrupt file (%s) as empty instead of failing', async (_, content) => {
    const dataDir = await tempDir();
    await writeFile(join(dataDir, 'settings.json'), content);
    const store = new SettingsStore({ dataDir });
    expect(await store.read('default', 'settings')).toBeUndefined();
    await store.write('default', 'settings', { width: 800 });
    expect(await new SettingsStore({ dataDir }).read('default', 'settings')).toEqual({
      width: 800,
    });
  });

  it('reports a failed write as SettingsNotSavedError and keeps what it had', async () => {
    if (process.getuid?.() === 0) {
      // root ignores permissions; make the data dir path a file instead.
      const file = join(await tempDir(), 'not-a-dir');
      await writeFile(file, '');
      const store = new SettingsStore({ dataDir: file });
      await expect(store.write('default', 'settings', { width: 1 })).rejects.toThrow(
        SettingsNotSavedError,
      );
      return;
    }
    const dataDir = await tempDir();
    const store = new SettingsStore({ dataDir });
    await store.write('default', 'settings', { width: 640 });
    await chmod(dataDir, 0o500);
    await expect(store.write('default', 'settings', { width: 1 })).rejects.toThrow(
      SettingsNotSavedError,
    );
    await chmod(dataDir, 0o700);
    expect(await store.read('default', 'settings')).toEqual({ width: 640 });
  });
});

describe('bounded file access', () => {
  it('refuses a FIFO at once instead of waiting for a writer', async () => {
    const dir = await tempDir();
    execFileSync('mkfifo', [join(dir, 'settings.json')]);
    await expect(readSmallFile(join(dir, 'settings.json'))).rejects.toThrow('not a regular file');
  });

  it('gives up creating a folder where nothing can be created', async () => {
    await expect(makeFolder('/proc/camfeed-unit/a/b')).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('rejects an operation that does not settle in time, naming it', async () => {
    const never = new Promise<never>(() => undefined);
    await expect(withDeadline(never, 20, 'reading the settings')).rejects.toThrow(
      'reading the settings did not finish within 0.02 s',
    );
    await expect(withDeadline(Promise.resolve(7), 20, 'x')).resolves.toBe(7);
  });

  it('describes file errors without their paths', () => {
    const error = Object.assign(new Error("EACCES: permission denied, open '/var/lib/x'"), {
      code: 'EACCES',
    });
    expect(describeFileError(error)).toBe('permission denied (EACCES)');
    expect(describeFileError(new Error('odd'))).toBe('file system error');
  });
});
