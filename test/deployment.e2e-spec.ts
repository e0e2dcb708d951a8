import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { findExecutable } from '../src/process/executable-path';
import { writeSelfSignedCertificate } from './utils/certificates';
import { npmStartNodeFlags } from './utils/server-process';

const CONFIG = resolve(__dirname, '..', 'config');

/** A systemd unit as section → key → values (keys may repeat). */
function parseUnit(text: string): Map<string, Map<string, string[]>> {
  const sections = new Map<string, Map<string, string[]>>();
  let current: Map<string, string[]> | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const section = /^\[(\w+)\]$/.exec(line);
    if (section) {
      current = new Map();
      sections.set(section[1], current);
      continue;
    }
    const entry = /^(\w+)=(.*)$/.exec(line);
    if (entry === null || current === undefined) throw new Error(`not a unit file line: ${line}`);
    current.set(entry[1], [...(current.get(entry[1]) ?? []), entry[2]]);
  }
  return sections;
}

describe('config/camfeed.service', () => {
  const text = readFileSync(join(CONFIG, 'camfeed.service'), 'utf8');
  const unit = parseUnit(text);
  const service = unit.get('Service') ?? new Map<string, string[]>();
  const value = (key: string): string | undefined => service.get(key)?.at(-1);

  it('runs camfeed as a dedicated user in the video and gpio groups', () => {
    expect(value('User')).toBe('camfeed');
    expect(value('SupplementaryGroups')?.split(/\s+/)).toEqual(
      expect.arrayContaining(['video', 'gpio']),
    );
  });

  it('restarts on failure, reads the environment file, and keeps its state in /var/lib/camfeed', () => {
    expect(value('Restart')).toBe('on-failure');
    expect(value('EnvironmentFile')).toBe('-/etc/camfeed/camfeed.env');
    expect(value('StateDirectory')).toBe('camfeed');
    expect(service.get('Environment')).toContain('DATA_DIR=/var/lib/camfeed');
    expect(unit.get('Install')?.get('WantedBy')).toEqual(['multi-user.target']);
  });

  it('lets the server hold far more open sockets than the default MAX_CLIENTS of 1000', () => {
    expect(Number(value('LimitNOFILE'))).toBeGreaterThanOrEqual(10 * 1000);
  });

  it('starts node the way npm start does', () => {
    const flags = npmStartNodeFlags();
    expect(value('ExecStart')).toBe(`/usr/bin/node ${flags.join(' ')} /opt/camfeed/dist/main.js`);
    // SIGHUP reloads the cameras file (test/cameras.e2e-spec.ts shows it does, and stops nothing).
    expect(value('ExecReload')).toBe('/bin/kill -HUP $MAINPID');
  });

  it('is hardened', () => {
    for (const [key, expected] of [
      ['NoNewPrivileges', 'yes'],
      ['ProtectSystem', 'strict'],
      ['ProtectHome', 'yes'],
      ['PrivateTmp', 'yes'],
      ['RestrictSUIDSGID', 'yes'],
      ['CapabilityBoundingSet', ''],
      ['SystemCallFilter', '@system-service'],
    ]) {
      expect([key, value(key)]).toEqual([key, expected]);
    }
  });

  it('passes systemd-analyze verify without a single complaint', async () => {
    const analyzer = await findExecutable('systemd-analyze');
    if (analyzer === undefined) {
      console.warn(
        'systemd-analyze is not installed here: the unit was only checked by parsing it',
      );
      return;
    }
    const folder = mkdtempSync(join(tmpdir(), 'camfeed-unit-'));
    const copy = join(folder, 'camfeed.service');
    writeFileSync(copy, text);
    const result = spawnSync(analyzer, ['verify', '--man=no', copy], { encoding: 'utf8' });
    expect({
      status: result.status,
      complaints: `${result.stdout}${result.stderr}`.trim(),
    }).toEqual({ status: 0, complaints: '' });
  });
});

describe('config/nginx-camfeed.conf', () => {
  const site = readFileSync(join(CONFIG, 'nginx-camfeed.conf'), 'utf8');

  it('passes the stream through unbuffered, uncached and uncompressed, and terminates TLS', () => {
    const stream = /location = \/video_feed \{([^}]*)\}/.exec(site)?.[1] ?? '';
    for (const directive of [
      'proxy_buffering off;',
      'proxy_cache off;',
      'postpone_output 0;',
      'gzip off;',
      'proxy_pass http://camfeed;',
    ]) {
      expect(stream).toContain(directive);
    }
    expect(site).toMatch(/listen 443 ssl/);
    expect(site).toMatch(/ssl_certificate /);
    expect(site).toMatch(/return 301 https:\/\/\$host\$request_uri;/);
    expect(site).toContain('proxy_set_header X-Forwarded-For');
  });

  it('is accepted by nginx -t (CI installs nginx for this)', async () => {
    const nginx = (await findExecutable('nginx')) ?? (await findExecutable('/usr/sbin/nginx'));
    if (nginx === undefined) {
      // .ci/run installs nginx; it says so and sets CAMFEED_NO_NGINX when it cannot.
      if (process.env.CI && !process.env.CAMFEED_NO_NGINX) {
        throw new Error('nginx is missing in CI: .ci/run should have installed it');
      }
      console.warn(
        'nginx is not installed here: the site was only checked by reading it (CI runs nginx -t)',
      );
      return;
    }
    const folder = mkdtempSync(join(tmpdir(), 'camfeed-nginx-'));
    writeSelfSignedCertificate(folder, 'camera.example.org');
    const testable = site
      .replace(
        /\/etc\/letsencrypt\/live\/camera\.example\.org\/fullchain\.pem/,
        join(folder, 'cert.pem'),
      )
      .replace(
        /\/etc\/letsencrypt\/live\/camera\.example\.org\/privkey\.pem/,
        join(folder, 'key.pem'),
      );
    writeFileSync(join(folder, 'camfeed.conf'), testable);
    writeFileSync(
      join(folder, 'nginx.conf'),
      `pid ${folder}/nginx.pid;\nerror_log ${folder}/error.log;\nevents {}\nhttp {\n  access_log off;\n  include ${folder}/camfeed.conf;\n}\n`,
    );
    const result = spawnSync(nginx, ['-t', '-p', folder, '-c', join(folder, 'nginx.conf')], {
      encoding: 'utf8',
    });
    expect(`${result.stdout}${result.stderr}`).toContain('syntax is ok');
    expect(result.status).toBe(0);
  });
});
