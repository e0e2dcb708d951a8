import { validateEnvironment } from '../app.config';
import { EnvValidationError } from '../config/validate-env';
import { ClusterConfig, defaultNodeName, parseNatsServers } from './cluster.config';

const clusterOf = (raw: Record<string, string>): ClusterConfig =>
  validateEnvironment(raw).get(ClusterConfig) as ClusterConfig;

const problemsOf = (raw: Record<string, string>): string[] => {
  try {
    validateEnvironment(raw);
  } catch (error) {
    if (error instanceof EnvValidationError) return error.problems;
    throw error;
  }
  throw new Error('expected a validation error');
};

describe('cluster configuration', () => {
  it('is off without NATS_URL', () => {
    expect(clusterOf({})).toMatchObject({ enabled: false, servers: [], auth: { kind: 'none' } });
  });

  it('joins the servers of NATS_URL with the defaults', () => {
    expect(clusterOf({ NATS_URL: 'nats://10.0.0.5:4222, tls://nats.example.net:4222' })).toEqual({
      enabled: true,
      servers: ['nats://10.0.0.5:4222', 'tls://nats.example.net:4222'],
      nodeName: defaultNodeName(),
      subjectPrefix: 'camfeed',
      heartbeatMs: 1000,
      auth: { kind: 'none' },
      // One of them is tls://: TLS is required, checked against the system's CAs.
      tls: { caFile: undefined, certFile: undefined, keyFile: undefined },
    });
  });

  it.each([
    [
      'NATS_USER/NATS_PASSWORD',
      { NATS_USER: 'cam', NATS_PASSWORD: 'pw' },
      { kind: 'password', user: 'cam', password: 'pw' },
    ],
    ['NATS_TOKEN', { NATS_TOKEN: 't0k' }, { kind: 'token', token: 't0k' }],
    [
      'NATS_CREDS_FILE',
      { NATS_CREDS_FILE: '/etc/camfeed/nats.creds' },
      { kind: 'creds', file: '/etc/camfeed/nats.creds' },
    ],
  ])('signs in with %s', (_way, env, auth) => {
    expect(clusterOf({ NATS_URL: 'nats://nats:4222', ...env }).auth).toEqual(auth);
  });

  it('takes a user and password, or a token, out of the URL (the client wants them apart)', () => {
    expect(clusterOf({ NATS_URL: 'nats://cam:p%40ss@nats:4222' })).toMatchObject({
      servers: ['nats://nats:4222'],
      auth: { kind: 'password', user: 'cam', password: 'p@ss' },
    });
    expect(clusterOf({ NATS_URL: 'tls://s3cr3t@nats:4222' })).toMatchObject({
      servers: ['tls://nats:4222'],
      auth: { kind: 'token', token: 's3cr3t' },
    });
  });

  it('requires TLS for a tls:// URL even without NATS_TLS_* files', () => {
    expect(clusterOf({ NATS_URL: 'tls://nats:4222' }).tls).toEqual({
      caFile: undefined,
      certFile: undefined,
      keyFile: undefined,
    });
    expect(clusterOf({ NATS_URL: 'nats://nats:4222' }).tls).toBeUndefined();
  });

  it('takes TLS files, the prefix, the node name and the heartbeat', () => {
    expect(
      clusterOf({
        NATS_URL: 'tls://nats:4222',
        NATS_TLS_CA: '/ca.pem',
        NATS_TLS_CERT: '/cert.pem',
        NATS_TLS_KEY: '/key.pem',
        NATS_SUBJECT_PREFIX: 'site1.camfeed',
        CLUSTER_NODE_NAME: 'pi-kitchen',
        CLUSTER_HEARTBEAT: '0.5',
      }),
    ).toMatchObject({
      tls: { caFile: '/ca.pem', certFile: '/cert.pem', keyFile: '/key.pem' },
      subjectPrefix: 'site1.camfeed',
      nodeName: 'pi-kitchen',
      heartbeatMs: 500,
    });
  });

  it.each([
    [{ NATS_URL: 'http://nats:4222' }, /NATS_URL must be one or more NATS server URLs/],
    [{ NATS_URL: 'nats://a:1@x:4222,nats://b:2@y:4222' }, /must be the same in all/],
    [{ NATS_URL: 'nats://x', NATS_USER: 'cam' }, /NATS_PASSWORD must be the NATS password/],
    [{ NATS_URL: 'nats://x', NATS_TOKEN: 't', NATS_USER: 'u', NATS_PASSWORD: 'p' }, /set only one/],
    [{ NATS_URL: 'nats://x', NATS_TOKEN: 't', NATS_CREDS_FILE: '/c' }, /set only one/],
    [{ NATS_URL: 'nats://u:p@x', NATS_TOKEN: 't' }, /NATS_URL carries credentials/],
    [{ NATS_URL: 'nats://x', NATS_TLS_CERT: '/c.pem' }, /NATS_TLS_KEY must be/],
    [{ CLUSTER_NODE_NAME: 'pi.kitchen' }, /CLUSTER_NODE_NAME must be 1 to 63 letters/],
    [{ NATS_SUBJECT_PREFIX: 'cam feed' }, /NATS_SUBJECT_PREFIX must be subject tokens/],
    [{ CLUSTER_HEARTBEAT: '0' }, /CLUSTER_HEARTBEAT must be a number from 0.1 to 60/],
  ])('refuses %j, naming the variable', (env, message) => {
    expect(problemsOf(env).join('\n')).toMatch(message);
  });

  it('never shows a password or token it refuses', () => {
    const problems = problemsOf({ NATS_URL: 'http://cam:hunter2@nats:4222', NATS_TOKEN: 'tok3n' });
    expect(problems.join('\n')).not.toMatch(/hunter2|tok3n/);
  });
});

describe(parseNatsServers.name, () => {
  it('adds the nats:// scheme a bare host:port lacks', () => {
    expect(parseNatsServers('10.0.0.5:4222')).toEqual({ servers: ['nats://10.0.0.5:4222'] });
  });

  it('takes an IPv6 address in brackets', () => {
    expect(parseNatsServers('tls://[fd00::5]:4222')).toEqual({ servers: ['tls://[fd00::5]:4222'] });
  });

  it.each(['nats://10.0.0.5:99999', 'nats://10.0.0.5:0', 'nats://fd00::5:4222', 'nats://[]:4222'])(
    'refuses %s, which no server can have',
    (url) => {
      expect(parseNatsServers(url)).toBeUndefined();
    },
  );
});

describe(defaultNodeName.name, () => {
  it('makes a subject token of the host name', () => {
    expect(defaultNodeName('pi-kitchen.local')).toBe('pi-kitchen');
    expect(defaultNodeName('My Pi')).toBe('My-Pi');
    expect(defaultNodeName('...')).toBe('camfeed');
  });
});
