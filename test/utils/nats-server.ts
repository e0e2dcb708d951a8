import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './server-process';

/** Where Debian's nats-server package puts the server (not on every user's PATH: /usr/sbin). */
function natsServerBinary(): string {
  for (const candidate of ['/usr/sbin/nats-server', '/usr/bin/nats-server']) {
    if (existsSync(candidate)) return candidate;
  }
  try {
    return execFileSync('sh', ['-c', 'command -v nats-server'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error(
      'nats-server is not installed: the cluster tests need a real NATS server (`apt-get install nats-server`; .ci/run installs it)',
    );
  }
}

export interface NatsServerOptions {
  /** The largest message the server takes (its max_payload), in bytes. */
  readonly maxPayload?: number;
  /** Bytes pending to one client before the server drops it as a slow consumer. */
  readonly maxPending?: number;
  /** How long a write to one client may block before it is a slow consumer. */
  readonly writeDeadline?: string;
  /** Clients must sign in with this user and password. */
  readonly auth?: { readonly user: string; readonly password: string };
  /** Clients must speak TLS, with this certificate and key (PEM files). */
  readonly tls?: { readonly cert: string; readonly key: string };
}

export interface NatsVarz {
  readonly slow_consumers: number;
  readonly connections: number;
  readonly in_msgs: number;
  readonly out_msgs: number;
  readonly max_payload: number;
}

/**
 * A real nats-server on 127.0.0.1, on ports of its own, with a monitoring port to read its
 * counters (slow consumers). `stop()` and `start()` again bring it back on the same port, as a
 * restarted server would be.
 */
export class NatsServer {
  private child: ChildProcess | undefined;
  private output = '';
  readonly configFile: string;

  private constructor(
    readonly port: number,
    readonly monitorPort: number,
    options: NatsServerOptions,
  ) {
    const folder = mkdtempSync(join(tmpdir(), 'camfeed-nats-'));
    this.configFile = join(folder, 'nats.conf');
    const lines = [
      `host: 127.0.0.1`,
      `port: ${port}`,
      `http: "127.0.0.1:${monitorPort}"`,
      options.maxPayload !== undefined ? `max_payload: ${options.maxPayload}` : '',
      options.maxPending !== undefined ? `max_pending: ${options.maxPending}` : '',
      options.writeDeadline !== undefined ? `write_deadline: "${options.writeDeadline}"` : '',
      options.auth !== undefined
        ? `authorization { user: "${options.auth.user}", password: "${options.auth.password}" }`
        : '',
      options.tls !== undefined
        ? `tls { cert_file: "${options.tls.cert}", key_file: "${options.tls.key}" }`
        : '',
    ];
    writeFileSync(this.configFile, lines.filter(Boolean).join('\n') + '\n');
  }

  static async start(options: NatsServerOptions = {}): Promise<NatsServer> {
    const server = await NatsServer.prepare(options);
    await server.start();
    return server;
  }

  /** A server with its ports chosen, not started yet (nothing listens there until `start()`). */
  static async prepare(options: NatsServerOptions = {}): Promise<NatsServer> {
    return new NatsServer(await freePort(), await freePort(), options);
  }

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return (
      this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null
    );
  }

  /** Starts the server (again, on the same ports); resolves once it takes connections. */
  async start(): Promise<void> {
    if (this.running) return;
    this.output = '';
    const child = spawn(natsServerBinary(), ['-c', this.configFile], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    this.child = child;
    const deadline = Date.now() + 10_000;
    while (!/Server is ready/.test(this.output)) {
      if (child.exitCode !== null) throw new Error(`nats-server exited:\n${this.output}`);
      if (Date.now() > deadline) throw new Error(`nats-server did not start:\n${this.output}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** Stops the server, as a crash would (SIGKILL): clients find out on their own. */
  async stop(): Promise<void> {
    const child = this.child;
    if (child === undefined || !this.running) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }

  /** The server's counters (its /varz monitoring page). */
  async varz(): Promise<NatsVarz> {
    const response = await fetch(`http://127.0.0.1:${this.monitorPort}/varz`);
    return (await response.json()) as NatsVarz;
  }
}
