import { IsOptional, ValidateIf } from 'class-validator';
import { hostname } from 'node:os';
import { ObjectCheck } from '../common/validation/object-check';
import { defineConfigSection, provide } from '../config/config-section';
import { EnvNumber, EnvParsed, EnvString } from '../config/env-decorators';

/** A node's name is a token of NATS subjects and a label for people: no dots or spaces. */
export const NODE_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/;

export class ClusterConfig {
  /** NATS_URL is set: this node joins a cluster. Without it nothing of the cluster is loaded. */
  readonly enabled!: boolean;
  readonly servers!: readonly string[];
  /** This node's name in the cluster: in the camera directory and the subjects of its cameras. */
  readonly nodeName!: string;
  /** Subjects start with it, so several clusters can share one NATS. */
  readonly subjectPrefix!: string;
  /** How often this node announces its cameras (and its viewers' interest); a node is gone after 3. */
  readonly heartbeatMs!: number;
  readonly auth!:
    | { readonly kind: 'none' }
    | { readonly kind: 'password'; readonly user: string; readonly password: string }
    | { readonly kind: 'token'; readonly token: string }
    | { readonly kind: 'creds'; readonly file: string };
  readonly tls?: {
    readonly caFile?: string;
    readonly certFile?: string;
    readonly keyFile?: string;
  };
}

const ONE_WAY_TO_SIGN_IN =
  'NATS_USER/NATS_PASSWORD, NATS_TOKEN and NATS_CREDS_FILE are different ways to sign in to NATS: set only one';

const SERVER =
  /^((?:nats|tls):\/\/)?(?:([^@\s/]+)@)?((?:\[[0-9A-Fa-f:.]+\]|[^\s:@/[\]]+)(?::(\d{1,5}))?)\/?$/;

/** NATS server URLs, and the credentials they carry (`user:password@` or `token@`). */
export interface NatsServers {
  /** Without credentials: the NATS client takes them apart, not in the URL. */
  readonly servers: string[];
  readonly credentials?:
    { readonly user: string; readonly password: string } | { readonly token: string };
}

/**
 * NATS server URLs separated by commas; undefined if one is not such a URL, or if they carry
 * different credentials (one cluster, one way to sign in).
 */
export function parseNatsServers(value: string): NatsServers | undefined {
  const urls = value
    .split(',')
    .map((server) => server.trim())
    .filter(Boolean);
  const servers: string[] = [];
  const credentials = new Set<string>();
  for (const url of urls) {
    const match = SERVER.exec(url);
    if (match === null) return undefined;
    const [, scheme = 'nats://', userinfo, host, port] = match;
    if (port !== undefined && (Number(port) < 1 || Number(port) > 65535)) return undefined;
    servers.push(`${scheme}${host}`);
    if (userinfo !== undefined) credentials.add(userinfo);
  }
  if (servers.length === 0 || credentials.size > 1) return undefined;
  const [userinfo] = credentials;
  if (userinfo === undefined) return { servers };
  const colon = userinfo.indexOf(':');
  const decode = (text: string): string => {
    try {
      return decodeURIComponent(text);
    } catch {
      return text;
    }
  };
  return {
    servers,
    credentials:
      colon < 0
        ? { token: decode(userinfo) }
        : { user: decode(userinfo.slice(0, colon)), password: decode(userinfo.slice(colon + 1)) },
  };
}

/** The host name as a node name: its first label, with anything a subject cannot hold replaced. */
export function defaultNodeName(host = hostname()): string {
  const label = (host.split('.')[0] ?? '').replace(/[^A-Za-z0-9_-]/g, '-').replace(/^[-_]+/, '');
  return label.slice(0, 63) || 'camfeed';
}

export class ClusterEnv {
  @IsOptional()
  @EnvParsed(
    parseNatsServers,
    'one or more NATS server URLs separated by commas, such as nats://10.0.0.5:4222 or tls://nats.example.net:4222 (credentials in them, user:password@ or token@, must be the same in all)',
  )
  @ObjectCheck((env: ClusterEnv) => {
    const inUrl = env.NATS_URL !== undefined && parseNatsServers(env.NATS_URL)?.credentials;
    const elsewhere =
      env.NATS_USER !== undefined ||
      env.NATS_TOKEN !== undefined ||
      env.NATS_CREDS_FILE !== undefined;
    return inUrl && elsewhere ? `NATS_URL carries credentials: ${ONE_WAY_TO_SIGN_IN}` : undefined;
  })
  NATS_URL?: string;

  @ValidateIf((env: ClusterEnv) => env.NATS_USER !== undefined || env.NATS_PASSWORD !== undefined)
  @EnvString(/^\S+$/, 'a NATS user name, set together with NATS_PASSWORD')
  NATS_USER?: string;

  @ValidateIf((env: ClusterEnv) => env.NATS_USER !== undefined || env.NATS_PASSWORD !== undefined)
  @EnvString(/\S/, 'the NATS password, set together with NATS_USER')
  NATS_PASSWORD?: string;

  @IsOptional()
  @EnvString(/\S/, 'the NATS authentication token')
  @ObjectCheck((env: ClusterEnv) =>
    env.NATS_CREDS_FILE === undefined && env.NATS_USER !== undefined
      ? ONE_WAY_TO_SIGN_IN
      : undefined,
  )
  NATS_TOKEN?: string;

  @IsOptional()
  @EnvString(/\S/, 'the path of a NATS credentials file (.creds, with the user JWT and NKey seed)')
  @ObjectCheck((env: ClusterEnv) =>
    env.NATS_TOKEN !== undefined || env.NATS_USER !== undefined ? ONE_WAY_TO_SIGN_IN : undefined,
  )
  NATS_CREDS_FILE?: string;

  @IsOptional()
  @EnvString(
    /\S/,
    'the path of the PEM file of the certificate authority that signed the NATS server',
  )
  NATS_TLS_CA?: string;

  @ValidateIf(
    (env: ClusterEnv) => env.NATS_TLS_CERT !== undefined || env.NATS_TLS_KEY !== undefined,
  )
  @EnvString(/\S/, 'the path of a PEM client certificate, set together with NATS_TLS_KEY')
  NATS_TLS_CERT?: string;

  @ValidateIf(
    (env: ClusterEnv) => env.NATS_TLS_CERT !== undefined || env.NATS_TLS_KEY !== undefined,
  )
  @EnvString(/\S/, 'the path of the PEM private key of NATS_TLS_CERT, set together with it')
  NATS_TLS_KEY?: string;

  @EnvString(
    /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/,
    'subject tokens of letters, digits, _ or - separated by dots, such as camfeed or site1.camfeed',
  )
  NATS_SUBJECT_PREFIX = 'camfeed';

  @IsOptional()
  @EnvString(
    NODE_NAME_PATTERN,
    '1 to 63 letters, digits, _ or -, starting with a letter or digit (such as pi-kitchen)',
  )
  CLUSTER_NODE_NAME?: string;

  @EnvNumber(0.1, 60)
  CLUSTER_HEARTBEAT = 1;
}

export const clusterConfigSection = defineConfigSection({
  env: ClusterEnv,
  // Server URLs may carry a user and password; passwords and tokens never show.
  secrets: ['NATS_URL', 'NATS_PASSWORD', 'NATS_TOKEN'],
  provides: [
    provide(ClusterConfig, (env: ClusterEnv): ClusterConfig => {
      const parsed = env.NATS_URL === undefined ? undefined : parseNatsServers(env.NATS_URL);
      // tls:// means TLS or nothing: the client would otherwise settle for a plain connection.
      const tls =
        env.NATS_TLS_CA !== undefined ||
        env.NATS_TLS_CERT !== undefined ||
        parsed?.servers.some((server) => server.startsWith('tls://')) === true
          ? { caFile: env.NATS_TLS_CA, certFile: env.NATS_TLS_CERT, keyFile: env.NATS_TLS_KEY }
          : undefined;
      const inUrl = parsed?.credentials;
      return {
        enabled: env.NATS_URL !== undefined,
        servers: parsed?.servers ?? [],
        nodeName: env.CLUSTER_NODE_NAME ?? defaultNodeName(),
        subjectPrefix: env.NATS_SUBJECT_PREFIX,
        heartbeatMs: Math.round(env.CLUSTER_HEARTBEAT * 1000),
        auth:
          inUrl !== undefined
            ? 'token' in inUrl
              ? { kind: 'token', token: inUrl.token }
              : { kind: 'password', user: inUrl.user, password: inUrl.password }
            : env.NATS_USER !== undefined && env.NATS_PASSWORD !== undefined
              ? { kind: 'password', user: env.NATS_USER, password: env.NATS_PASSWORD }
              : env.NATS_TOKEN !== undefined
                ? { kind: 'token', token: env.NATS_TOKEN }
                : env.NATS_CREDS_FILE !== undefined
                  ? { kind: 'creds', file: env.NATS_CREDS_FILE }
                  : { kind: 'none' },
        tls,
      };
    }),
  ],
});
