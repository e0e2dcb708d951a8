// Builds dist/ with the Nest CLI and records what it was built from, so that `npm start` can
// skip the build when nothing changed: on a Pi Zero 2 (512 MB) the build alone takes 356 MB and
// seconds, and after `npm prune --omit=dev` the build tools are not even there.
//
//   node scripts/build.mjs             build now
//   node scripts/build.mjs --if-stale  build only if the sources changed since the last build
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const stampPath = join(root, 'dist', '.build-inputs');
const cli = join(root, 'node_modules', '@nestjs', 'cli', 'bin', 'nest.js');

/** Every file the build reads: sources and assets (not tests), and the build's own settings. */
function inputs() {
  const files = ['nest-cli.json', 'tsconfig.json', 'tsconfig.build.json'];
  const walk = (folder) => {
    for (const entry of readdirSync(join(root, folder), { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (!entry.name.endsWith('.spec.ts')) files.push(path);
    }
  };
  walk('src');
  return files.sort();
}

function fingerprint() {
  const hash = createHash('sha256');
  for (const file of inputs()) {
    hash.update(relative(root, join(root, file)));
    hash.update('\0');
    hash.update(readFileSync(join(root, file)));
    hash.update('\0');
  }
  return hash.digest('hex');
}

const ifStale = process.argv.includes('--if-stale');
const current = fingerprint();
const built = existsSync(join(root, 'dist', 'main.js'));
if (ifStale && built && existsSync(stampPath) && readFileSync(stampPath, 'utf8') === current) {
  process.exit(0);
}
if (!existsSync(cli)) {
  if (ifStale && built) {
    console.warn(
      'camfeed: the sources changed since the last build, but the build tools are not installed ' +
        '(npm prune --omit=dev?): starting the existing build. Run `npm install && npm run build` to rebuild.',
    );
    process.exit(0);
  }
  console.error(
    'camfeed: cannot build: the build tools are not installed. Run `npm install` first.',
  );
  process.exit(1);
}
const result = spawnSync(process.execPath, [cli, 'build'], { cwd: root, stdio: 'inherit' });
if (result.status !== 0) process.exit(result.status ?? 1);
writeFileSync(stampPath, current);
