import { spawnSync } from 'node:child_process';
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..');

/** A copy of what a clone holds (sources, build settings, the script), with the installed modules. */
function cloneLike(): string {
  const dir = mkdtempSync(join(tmpdir(), 'camfeed-build-'));
  for (const entry of ['src', 'scripts', 'nest-cli.json', 'tsconfig.json', 'tsconfig.build.json'])
    cpSync(join(ROOT, entry), join(dir, entry), { recursive: true });
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  return dir;
}

const buildIfStale = (dir: string): { status: number | null; output: string } => {
  const result = spawnSync(process.execPath, ['scripts/build.mjs', '--if-stale'], {
    cwd: dir,
    encoding: 'utf8',
  });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
};

describe('npm start’s build step (scripts/build.mjs --if-stale)', () => {
  jest.setTimeout(120_000);
  let dir: string;

  beforeAll(() => {
    dir = cloneLike();
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('builds a fresh clone, then leaves an unchanged build alone', () => {
    expect(buildIfStale(dir).status).toBe(0);
    const main = join(dir, 'dist', 'main.js');
    const builtAt = statSync(main).mtimeMs;
    expect(buildIfStale(dir).status).toBe(0);
    expect(statSync(main).mtimeMs).toBe(builtAt);
  });

  it('sees a changed source, and starts the existing build with a warning when the build tools were pruned', () => {
    rmSync(join(dir, 'node_modules'));
    // What `npm prune --omit=dev` leaves: no Nest CLI, so the change cannot be built.
    mkdirSync(join(dir, 'node_modules'));
    writeFileSync(join(dir, 'src', 'build-probe.ts'), 'export const probe = 2;\n');
    const pruned = buildIfStale(dir);
    expect(pruned.status).toBe(0);
    expect(pruned.output).toContain('the sources changed since the last build');

    rmSync(join(dir, 'dist'), { recursive: true });
    const nothing = buildIfStale(dir);
    expect(nothing.status).toBe(1);
    expect(nothing.output).toContain('Run `npm install` first');
  });
});
