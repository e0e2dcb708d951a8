import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse as parseEnv } from 'dotenv';
import { parseCamerasFile } from '../src/cameras/cameras-file';
import { findExecutable } from '../src/process/executable-path';
import { writeSelfSignedCertificate } from './utils/certificates';
import { startEdge, startNode, waitForCameras } from './utils/cluster-nodes';
import { MjpegReader } from './utils/mjpeg-reader';
import { NatsServer } from './utils/nats-server';
import { freePort, npmStartNodeFlags, type ServerProcess } from './utils/server-process';
import { sendJson } from './utils/test-app';

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

/**
 * systemd-analyze, to verify units with. CI has it (Debian's systemd); where it is missing the
 * units are only checked by reading them, and the test says so (and fails in CI).
 */
async function systemdAnalyze(): Promise<string | undefined> {
  const analyzer = await findExecutable('systemd-analyze');
  if (analyzer === undefined) {
    if (process.env.CI)
      throw new Error('systemd-analyze is missing in CI: cannot verify the units');
    console.warn(
      'systemd-analyze is not installed here: the units were only checked by parsing them',
    );
  }
  return analyzer;
}

/** systemd-analyze verify of `unit` in `folder` (with its drop-ins in `<unit>.d/` there). */
function verifyUnit(analyzer: string, folder: string, unit: string) {
  const result = spawnSync(analyzer, ['verify', '--man=no', join(folder, unit)], {
    encoding: 'utf8',
  });
  return { status: result.status, complaints: `${result.stdout}${result.stderr}`.trim() };
}

/**
 * nginx -t of a site of config/, its camera.example.org certificate replaced by a self-signed
 * one; undefined (said, and an error in CI) where nginx is missing.
 */
async function nginxTest(site: string): Promise<string | undefined> {
  const nginx = (await findExecutable('nginx')) ?? (await findExecutable('/usr/sbin/nginx'));
  if (nginx === undefined) {
    // .ci/run installs nginx; it says so and sets CAMFEED_NO_NGINX when it cannot.
    if (process.env.CI && !process.env.CAMFEED_NO_NGINX) {
      throw new Error('nginx is missing in CI: .ci/run should have installed it');
    }
    console.warn(
      'nginx is not installed here: the site was only checked by reading it (CI runs nginx -t)',
    );
    return undefined;
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
  expect(result.status).toBe(0);
  return `${result.stdout}${result.stderr}`;
}

/** Debian's nats-server (/usr/sbin is not on every PATH). The cluster tests need it too. */
async function natsServerBinary(): Promise<string> {
  const found =
    (await findExecutable('/usr/sbin/nats-server')) ?? (await findExecutable('nats-server'));
  if (found === undefined) {
    throw new Error(
      'nats-server is not installed: `apt-get install nats-server` (.ci/run installs it)',
    );
  }
  return found;
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
    const analyzer = await systemdAnalyze();
    if (analyzer === undefined) return;
    const folder = mkdtempSync(join(tmpdir(), 'camfeed-unit-'));
    writeFileSync(join(folder, 'camfeed.service'), text);
    expect(verifyUnit(analyzer, folder, 'camfeed.service')).toEqual({ status: 0, complaints: '' });
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
    const output = await nginxTest(site);
    if (output !== undefined) expect(output).toContain('syntax is ok');
  });
});

describe('config/camfeed-edge.service', () => {
  const text = readFileSync(join(CONFIG, 'camfeed-edge.service'), 'utf8');
  const unit = parseUnit(text);
  const service = unit.get('Service') ?? new Map<string, string[]>();
  const value = (key: string): string | undefined => service.get(key)?.at(-1);

  it('runs camfeed as its user, without the camera and GPIO groups an edge does not need', () => {
    expect(value('User')).toBe('camfeed');
    expect(value('SupplementaryGroups')).toBeUndefined();
    expect(value('PrivateDevices')).toBe('yes');
  });

  it('starts node the way npm start does, restarts on failure, and needs its environment file', () => {
    expect(value('ExecStart')).toBe(
      `/usr/bin/node ${npmStartNodeFlags().join(' ')} /opt/camfeed/dist/main.js`,
    );
    expect(value('Restart')).toBe('on-failure');
    // Not optional: an edge without NATS_URL would be a server without cameras.
    expect(value('EnvironmentFile')).toBe('/etc/camfeed/camfeed-edge.env');
    expect(Number(value('LimitNOFILE'))).toBeGreaterThanOrEqual(10 * 1000);
    expect(unit.get('Install')?.get('WantedBy')).toEqual(['multi-user.target']);
  });

  it('points CAMERAS_FILE at the cameras file of config/ that lists no camera', () => {
    const setting = service
      .get('Environment')
      ?.find((entry) => entry.startsWith('CAMERAS_FILE='))
      ?.slice('CAMERAS_FILE='.length);
    expect(setting).toBe('/opt/camfeed/config/cameras.edge.yaml');
    const file = join(CONFIG, 'cameras.edge.yaml');
    const cameras = parseCamerasFile(readFileSync(file, 'utf8'), file, {
      idleTimeoutMs: 10_000,
      stallTimeoutMs: 10_000,
      irLedDriver: 'simulated',
    });
    expect(cameras).toEqual([]);
  });

  it('is hardened at least as config/camfeed.service is', () => {
    const camfeed = parseUnit(readFileSync(join(CONFIG, 'camfeed.service'), 'utf8')).get('Service');
    for (const key of [
      'NoNewPrivileges',
      'ProtectSystem',
      'ProtectHome',
      'PrivateTmp',
      'RestrictSUIDSGID',
      'RestrictAddressFamilies',
      'CapabilityBoundingSet',
      'SystemCallFilter',
      'UMask',
    ]) {
      expect([key, value(key)]).toEqual([key, camfeed?.get(key)?.at(-1)]);
    }
  });

  it('passes systemd-analyze verify without a single complaint', async () => {
    const analyzer = await systemdAnalyze();
    if (analyzer === undefined) return;
    const folder = mkdtempSync(join(tmpdir(), 'camfeed-unit-'));
    writeFileSync(join(folder, 'camfeed-edge.service'), text);
    expect(verifyUnit(analyzer, folder, 'camfeed-edge.service')).toEqual({
      status: 0,
      complaints: '',
    });
  });
});

describe('config/nats-server.service.d/camfeed.conf', () => {
  const text = readFileSync(join(CONFIG, 'nats-server.service.d', 'camfeed.conf'), 'utf8');
  const service = parseUnit(text).get('Service') ?? new Map<string, string[]>();
  const value = (key: string): string | undefined => service.get(key)?.at(-1);
  /** Where Debian's nats-server package puts its unit, which this drop-in adds to. */
  const DEBIAN_UNIT = [
    '/lib/systemd/system/nats-server.service',
    '/usr/lib/systemd/system/nats-server.service',
  ];

  it('restarts the server on failure and hardens it, keeping Debian’s command, user and config', () => {
    expect(value('Restart')).toBe('on-failure');
    for (const key of ['ExecStart', 'User', 'Group'])
      expect([key, value(key)]).toEqual([key, undefined]);
    for (const [key, expected] of [
      ['NoNewPrivileges', 'yes'],
      ['ProtectSystem', 'strict'],
      ['PrivateDevices', 'yes'],
      ['CapabilityBoundingSet', ''],
      ['SystemCallFilter', '@system-service'],
    ]) {
      expect([key, value(key)]).toEqual([key, expected]);
    }
  });

  it('passes systemd-analyze verify with Debian’s unit, without a single complaint', async () => {
    await natsServerBinary();
    const debian = DEBIAN_UNIT.find((path) => existsSync(path));
    if (debian === undefined) {
      throw new Error(
        'Debian’s nats-server unit is missing: `apt-get install nats-server` ships it',
      );
    }
    const analyzer = await systemdAnalyze();
    if (analyzer === undefined) return;
    const folder = mkdtempSync(join(tmpdir(), 'camfeed-unit-'));
    writeFileSync(join(folder, 'nats-server.service'), readFileSync(debian));
    mkdirSync(join(folder, 'nats-server.service.d'));
    writeFileSync(join(folder, 'nats-server.service.d', 'camfeed.conf'), text);
    expect(verifyUnit(analyzer, folder, 'nats-server.service')).toEqual({
      status: 0,
      complaints: '',
    });
    // The drop-in is read: a mistake in it is a complaint.
    writeFileSync(join(folder, 'nats-server.service.d', 'camfeed.conf'), `${text}\nRestartt=no\n`);
    expect(verifyUnit(analyzer, folder, 'nats-server.service').complaints).toContain('Restartt');
  });
});

describe('config/nginx-camfeed-edges.conf', () => {
  const site = readFileSync(join(CONFIG, 'nginx-camfeed-edges.conf'), 'utf8');

  it('keeps each viewer on one of several edges', () => {
    const upstream = /upstream camfeed_edges \{([^}]*)\}/.exec(site)?.[1] ?? '';
    expect(upstream).toMatch(/^\s*hash \$remote_addr consistent;/m);
    expect(upstream.match(/^\s*server \S+:8080\b/gm)?.length).toBeGreaterThanOrEqual(3);
    expect(upstream).toMatch(/keepalive \d+;/);
  });

  it('passes every camera’s stream through unbuffered, uncached and uncompressed, and terminates TLS', () => {
    const location = /location ~ (\S+) \{([^}]*)\}/.exec(site);
    const pattern = new RegExp(location?.[1] ?? '^$');
    for (const path of ['/video_feed', '/stream', '/cameras/door/video_feed']) {
      expect([path, pattern.test(path)]).toEqual([path, true]);
    }
    for (const path of ['/cameras/door/snapshot.jpg', '/video_feed/sessions/x', '/cameras']) {
      expect([path, pattern.test(path)]).toEqual([path, false]);
    }
    for (const directive of [
      'proxy_buffering off;',
      'proxy_cache off;',
      'postpone_output 0;',
      'gzip off;',
      'proxy_pass http://camfeed_edges;',
    ]) {
      expect(location?.[2]).toContain(directive);
    }
    expect(site).toMatch(/listen 443 ssl/);
    expect(site).toMatch(/return 301 https:\/\/\$host\$request_uri;/);
    expect(site).toContain('proxy_set_header X-Forwarded-For');
  });

  it('is accepted by nginx -t (CI installs nginx for this)', async () => {
    const output = await nginxTest(site);
    if (output !== undefined) expect(output).toContain('syntax is ok');
  });
});

describe('config/nats-server.conf', () => {
  const conf = readFileSync(join(CONFIG, 'nats-server.conf'), 'utf8');
  const routes = [...conf.matchAll(/^\s*"nats-route:\/\/([^:]+):([^@]+)@([^:"]+):(\d+)"/gm)];
  const user = /user: (\S+)\s+password: "([^"]+)"\s+permissions: \{([^}]*)\}/.exec(conf);

  /** `conf` with its first match of `pattern` replaced; throws if there is none. */
  const replaceOnce = (text: string, pattern: RegExp, by: string): string => {
    if (!pattern.test(text)) throw new Error(`config/nats-server.conf has no ${String(pattern)}`);
    return text.replace(pattern, by);
  };

  it('is one of three servers of a cluster, each routed to all three', () => {
    expect(conf).toMatch(/^server_name: nats-1$/m);
    expect(conf).toMatch(/^port: 4222$/m);
    expect(conf).toMatch(/^max_payload: \S+$/m);
    expect(conf).toMatch(/^cluster \{\n {2}name: \S+\n {2}port: 6222$/m);
    expect(routes.map((route) => `${route[3]}:${route[4]}`)).toEqual([
      'nats-1.example.net:6222',
      'nats-2.example.net:6222',
      'nats-3.example.net:6222',
    ]);
    // The routes sign in as the cluster block's authorization says.
    const routeUser = /cluster \{[^]*?authorization \{\s+user: (\S+)\s+password: "([^"]+)"/.exec(
      conf,
    );
    for (const route of routes)
      expect([route[1], route[2]]).toEqual([routeUser?.[1], routeUser?.[2]]);
  });

  it('lets camfeed’s user use camfeed’s subjects and reply inboxes only', () => {
    expect(user?.[1]).toBe('camfeed');
    expect(user?.[3]).toMatch(/publish: \["camfeed\.>", "_INBOX\.>"\]/);
    expect(user?.[3]).toMatch(/subscribe: \["camfeed\.>", "_INBOX\.>"\]/);
  });

  it.each(['camfeed-edge.env', 'camera-node.env'])(
    'is the NATS that config/%s signs in to, all three servers of it',
    (name) => {
      const env = parseEnv(readFileSync(join(CONFIG, name)));
      expect(env.NATS_USER).toBe(user?.[1]);
      expect(env.NATS_PASSWORD).toBe(user?.[2]);
      expect(env.NATS_URL?.split(',')).toEqual(routes.map((route) => `nats://${route[3]}:4222`));
    },
  );

  it('passes nats-server -t as it is, and with its TLS blocks filled in', async () => {
    const nats = await natsServerBinary();
    const folder = mkdtempSync(join(tmpdir(), 'camfeed-nats-conf-'));
    const check = (text: string) => {
      writeFileSync(join(folder, 'nats-server.conf'), text);
      const result = spawnSync(nats, ['-c', join(folder, 'nats-server.conf'), '-t'], {
        encoding: 'utf8',
      });
      return { status: result.status, output: `${result.stdout}${result.stderr}`.trim() };
    };
    const plain = check(conf);
    expect(plain.output).toContain('is valid');
    expect(plain.status).toBe(0);

    writeSelfSignedCertificate(folder, 'nats-1.example.net');
    const commentedTls = /^( *)# tls \{\n(?:\1# .*\n)*?\1# \}$/gm;
    const blocks = conf.match(commentedTls) ?? [];
    // One for the camfeed nodes' connections, one for the routes.
    expect(blocks).toHaveLength(2);
    const withTls = conf
      .replace(commentedTls, (block) => block.replace(/^( *)# ?/gm, '$1'))
      .replace(/"\/etc\/nats-server\/[a-z-]*cert\.pem"/g, `"${join(folder, 'cert.pem')}"`)
      .replace(/"\/etc\/nats-server\/[a-z-]*key\.pem"/g, `"${join(folder, 'key.pem')}"`)
      .replace(/"\/etc\/nats-server\/ca\.pem"/g, `"${join(folder, 'cert.pem')}"`);
    expect(withTls).not.toContain('/etc/nats-server/');
    const tls = check(withTls);
    expect(tls.output).toContain('is valid');
    expect(tls.status).toBe(0);

    // The check can fail: a misspelt setting is refused.
    const typo = check(conf.replace('max_payload:', 'max_paylod:'));
    expect(typo.output).toContain('unknown field "max_paylod"');
    expect(typo.status).toBe(1);
  });

  describe('three servers of it on this machine', () => {
    const servers: ChildProcess[] = [];
    const nodes: ServerProcess[] = [];
    let cameraNode: ServerProcess;
    let edge: ServerProcess;

    /** Starts server `index` (0-2) of the file, on loopback ports; resolves once it is ready. */
    async function startServer(
      nats: string,
      index: number,
      clientPorts: number[],
      routePorts: number[],
    ): Promise<void> {
      let text = replaceOnce(conf, /^server_name: nats-1$/m, `server_name: nats-${index + 1}`);
      text = replaceOnce(text, /^port: 4222$/m, `host: 127.0.0.1\nport: ${clientPorts[index]}`);
      text = replaceOnce(text, /^http: .*$/m, '');
      text = replaceOnce(
        text,
        /^ {2}port: 6222$/m,
        `  host: 127.0.0.1\n  port: ${routePorts[index]}`,
      );
      for (const [other, port] of routePorts.entries()) {
        text = replaceOnce(
          text,
          new RegExp(`@nats-${other + 1}\\.example\\.net:6222`),
          `@127.0.0.1:${port}`,
        );
      }
      const folder = mkdtempSync(join(tmpdir(), 'camfeed-nats-'));
      writeFileSync(join(folder, 'nats-server.conf'), text);
      const child = spawn(nats, ['-c', join(folder, 'nats-server.conf')], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      servers.push(child);
      let output = '';
      child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const deadline = Date.now() + 10_000;
      while (!output.includes('Server is ready')) {
        if (child.exitCode !== null) throw new Error(`nats-server exited:\n${output}`);
        if (Date.now() > deadline) throw new Error(`nats-server did not start:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }

    beforeAll(async () => {
      const nats = await natsServerBinary();
      const clientPorts = [await freePort(), await freePort(), await freePort()];
      const routePorts = [await freePort(), await freePort(), await freePort()];
      for (const index of [0, 1, 2]) await startServer(nats, index, clientPorts, routePorts);
      const signIn = { NATS_USER: user?.[1] ?? '', NATS_PASSWORD: user?.[2] ?? '' };
      // The camera node on the first server, the edge on the third: frames and calls take routes.
      [cameraNode, edge] = await Promise.all([
        startNode(`nats://127.0.0.1:${clientPorts[0]}`, 'camera-node', {
          ...signIn,
          CAMERA: 'emulated',
          CAMERA_WIDTH: '320',
          CAMERA_HEIGHT: '240',
          CAMERA_FRAMERATE: '15',
        }),
        startEdge(`nats://127.0.0.1:${clientPorts[2]}`, 'edge', signIn),
      ]);
      nodes.push(cameraNode, edge);
    }, 30_000);

    afterAll(async () => {
      await Promise.all(nodes.map(async (node) => node.stop()));
      for (const server of servers) server.kill('SIGKILL');
    });

    it('carry a camera node’s frames to an edge on another server, and the edge’s calls back', async () => {
      await waitForCameras(edge, ['default'], 15_000);
      const reader = await MjpegReader.open(`${edge.baseUrl}/cameras/default/video_feed`);
      try {
        await reader.waitForParts(10, 15_000);
      } finally {
        reader.close();
      }
      // Request/reply: the camera node answers in the edge's reply inbox.
      const changed = await sendJson('POST', `${edge.baseUrl}/cameras/default/settings`, {
        framerate: 10,
      });
      expect(changed.status).toBe(200);
      expect(changed.body).toMatchObject({ framerate: 10 });
      const snapshot = await fetch(`${edge.baseUrl}/cameras/default/snapshot.jpg`);
      expect(snapshot.status).toBe(200);
      expect(snapshot.headers.get('content-type')).toBe('image/jpeg');
    }, 30_000);
  });
});

describe('config/nginx-camfeed-edges.conf in front of two edges', () => {
  const site = readFileSync(join(CONFIG, 'nginx-camfeed-edges.conf'), 'utf8');
  const stopped: Array<() => Promise<unknown>> = [];
  let base: string | undefined;
  let edgeUrl = '';

  /** GET over HTTPS (nginx's self-signed certificate accepted); resolves with the status. */
  const statusOf = async (url: string): Promise<number> =>
    new Promise((resolve, reject) => {
      https
        .get(url, { rejectUnauthorized: false, agent: false }, (response) => {
          response.resume();
          resolve(response.statusCode ?? 0);
        })
        .on('error', reject);
    });

  beforeAll(async () => {
    const nginx = (await findExecutable('nginx')) ?? (await findExecutable('/usr/sbin/nginx'));
    if (nginx === undefined) {
      if (process.env.CI && !process.env.CAMFEED_NO_NGINX) {
        throw new Error('nginx is missing in CI: .ci/run should have installed it');
      }
      console.warn('nginx is not installed here: the edges were not tried behind it');
      return;
    }
    const nats = await NatsServer.start();
    stopped.push(async () => nats.stop());
    const cameraNode = await startNode(nats, 'camera-node', {
      CAMERA: 'emulated',
      CAMERA_WIDTH: '320',
      CAMERA_HEIGHT: '240',
      CAMERA_FRAMERATE: '15',
    });
    stopped.push(async () => cameraNode.stop());
    const edges = await Promise.all([startEdge(nats, 'edge-a'), startEdge(nats, 'edge-b')]);
    for (const edge of edges) stopped.push(async () => edge.stop());
    for (const edge of edges) await waitForCameras(edge, ['default']);
    edgeUrl = edges[0].baseUrl;

    const folder = mkdtempSync(join(tmpdir(), 'camfeed-nginx-'));
    writeSelfSignedCertificate(folder, 'camera.example.org');
    const [http, https_, closed] = [await freePort(), await freePort(), await freePort()];
    // The two edges, and in the third's place a port nothing listens on: nginx must pass over it.
    const upstreams = [...edges.map((edge) => new URL(edge.baseUrl).host), `127.0.0.1:${closed}`];
    let testable = site
      .replace(/^\s*listen \[::\]:\d+.*\n/gm, '')
      .replace(/listen 80;/, `listen 127.0.0.1:${http};`)
      .replace(/listen 443 ssl http2;/, `listen 127.0.0.1:${https_} ssl http2;`)
      .replace(
        /\/etc\/letsencrypt\/live\/camera\.example\.org\/fullchain\.pem/,
        join(folder, 'cert.pem'),
      )
      .replace(
        /\/etc\/letsencrypt\/live\/camera\.example\.org\/privkey\.pem/,
        join(folder, 'key.pem'),
      );
    const servers = [...testable.matchAll(/server 10\.0\.0\.\d+:8080/g)];
    expect(servers).toHaveLength(3);
    servers.forEach((server, index) => {
      testable = testable.replace(server[0], `server ${upstreams[index]}`);
    });
    writeFileSync(join(folder, 'camfeed.conf'), testable);
    writeFileSync(
      join(folder, 'nginx.conf'),
      [
        // Workers as root: the test's folder is not readable by nginx's default user.
        process.getuid?.() === 0 ? 'user root;' : '',
        'daemon off;',
        'worker_processes 1;',
        `pid ${folder}/nginx.pid;`,
        `error_log ${folder}/error.log;`,
        'events {}',
        `http {\n  access_log off;\n  include ${folder}/camfeed.conf;\n}`,
      ].join('\n'),
    );
    const child = spawn(nginx, ['-p', folder, '-c', join(folder, 'nginx.conf')], {
      stdio: 'ignore',
    });
    stopped.push(async () => {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    });
    base = `https://127.0.0.1:${https_}`;
    const deadline = Date.now() + 10_000;
    while ((await statusOf(`${base}/health`).catch(() => 0)) !== 200) {
      if (child.exitCode !== null || Date.now() > deadline) {
        throw new Error(`nginx did not start:\n${readFileSync(join(folder, 'error.log'), 'utf8')}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }, 30_000);

  afterAll(async () => {
    for (const stop of stopped.reverse()) await stop();
  });

  it('streams a camera of the cluster through nginx, and keeps asking the edge that streams it', async () => {
    if (base === undefined) return;
    const reader = await MjpegReader.open(`${base}/cameras/default/video_feed?session=nginx-1`);
    try {
      await reader.waitForParts(10, 15_000);
      // The page asks how its stream does every few seconds: a 404 would make it reconnect.
      const statuses: number[] = [];
      for (let ask = 0; ask < 12; ask++) {
        statuses.push(await statusOf(`${base}/cameras/default/video_feed/sessions/nginx-1`));
      }
      expect(statuses).toEqual(new Array(12).fill(200));
      expect(reader.ended).toBe(false);
    } finally {
      reader.close();
    }
  }, 30_000);

  it('keeps the cluster view private however its path is spelled, as camfeed would answer them all', async () => {
    if (base === undefined) return;
    for (const path of [
      '/cluster',
      '/cluster/',
      '/CLUSTER',
      '/Cluster/',
      '//cluster',
      '/./cluster',
    ]) {
      expect([path, await statusOf(`${base}${path}`)]).toEqual([path, 403]);
    }
    // The same spellings reach a node directly: the block is what stops them.
    expect((await fetch(`${edgeUrl}/CLUSTER/`)).status).toBe(200);
  });
});
