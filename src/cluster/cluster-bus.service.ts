import { Injectable, Logger } from '@nestjs/common';
import type { ConnectionOptions, Msg, NatsConnection, Subscription } from '@nats-io/nats-core';
import { readFile } from 'node:fs/promises';
import { sleep } from '../common/abortable-sleep';
import { redactSecrets } from '../common/redact-secrets';
import { EnvValidationError } from '../config/validate-env';
import { ClusterConfig } from './cluster.config';

/** The first connection is retried from 250 ms, doubling up to 2 s, as are reconnections. */
const BACKOFF_MIN_MS = 250;
const BACKOFF_MAX_MS = 2_000;
/** Failures to reach NATS are logged at most this often: a long outage must not flood the log. */
const FAILURE_LOG_INTERVAL_MS = 30_000;
/** What a node assumes of max_payload until the server says (NATS's own default is 1 MB). */
const ASSUMED_MAX_PAYLOAD = 1024 * 1024;
const CLOSE_WAIT_MS = 1_000;

export type MessageHandler = (message: Msg) => void;

/** A subscription that outlives connections: it is made again on every new one. */
export interface BusSubscription {
  unsubscribe(): void;
}

interface Registered {
  readonly subject: string;
  readonly handler: MessageHandler;
  current: Subscription | undefined;
}

/** Errors of the NATS client quote server URLs, which may hold a user and password. */
const describe = (error: unknown): string =>
  redactSecrets(error instanceof Error ? error.message : String(error));

export class BusUnavailableError extends Error {
  constructor() {
    super('this node is not connected to NATS');
  }
}

/**
 * This node's connection to NATS. It connects in the background (a node whose NATS is not up yet
 * still serves its own cameras) and stays connected: the client reconnects by itself with backoff,
 * and should it give up, a new connection is made. Subscriptions are kept here, so they are made
 * again on a new connection; listeners learn when the bus goes up or down.
 *
 * Core NATS is at-most-once: what is published while the bus is down is dropped, never queued,
 * so no memory depends on how long an outage lasts.
 */
@Injectable()
export class ClusterBus {
  private readonly logger = new Logger('NATS');
  private connection: NatsConnection | undefined;
  private up = false;
  private readonly subscriptions = new Set<Registered>();
  private readonly listeners = new Set<(up: boolean) => void>();
  private readonly stopping = new AbortController();
  private running: Promise<void> | undefined;
  private lastFailureLog = 0;
  private failuresUnlogged = 0;
  private reconnectAttempt = 0;
  /** Times the bus went down (a restart of NATS, a drop as a slow consumer), for metrics. */
  disconnects = 0;

  constructor(private readonly config: ClusterConfig) {}

  /** Starts connecting; resolves at once (see the class comment). */
  async start(): Promise<void> {
    const options = await this.connectionOptions();
    this.running ??= this.keepConnected(options);
  }

  /** Closes the connection (after what is in flight); subscriptions end with it. */
  async close(): Promise<void> {
    this.stopping.abort();
    const connection = this.connection;
    this.connection = undefined;
    this.setUp(false);
    if (connection !== undefined) {
      // Drain delivers what is in flight (a last "leaving" announcement); bounded, as NATS may be gone.
      await Promise.race([
        connection.drain().catch(async () => connection.close()),
        new Promise((resolve) => setTimeout(resolve, CLOSE_WAIT_MS).unref()),
      ]);
      await connection.close().catch(() => undefined);
    }
    // A connection attempt still in flight (a server that does not answer) is not waited for:
    // shutdown must not take the client's connect timeout; it is closed when it completes.
  }

  get connected(): boolean {
    return this.up;
  }

  /** The largest message the server takes, as it said when this node connected. */
  get maxPayload(): number {
    return this.connection?.info?.max_payload ?? ASSUMED_MAX_PAYLOAD;
  }

  /** max_payload as the server said it, or null before any server has. */
  get serverMaxPayload(): number | null {
    return this.connection?.info?.max_payload ?? null;
  }

  /** The server this node is connected to, without credentials (status and logs). */
  get server(): string | null {
    return this.up && this.connection ? redactSecrets(this.connection.getServer()) : null;
  }

  /** Calls `listener(true)` when the bus comes up and `listener(false)` when it goes down. */
  onChange(listener: (up: boolean) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  subscribe(subject: string, handler: MessageHandler): BusSubscription {
    const registered: Registered = { subject, handler, current: undefined };
    this.subscriptions.add(registered);
    if (this.connection !== undefined) this.attach(this.connection, registered);
    return {
      unsubscribe: () => {
        if (!this.subscriptions.delete(registered)) return;
        try {
          registered.current?.unsubscribe();
        } catch {
          // The connection closed already: so is the subscription.
        }
        registered.current = undefined;
      },
    };
  }

  /** Publishes if the bus is up; false (and nothing kept) if it is down. */
  publish(subject: string, data: Uint8Array | string, reply?: string): boolean {
    const connection = this.connection;
    if (!this.up || connection === undefined) return false;
    try {
      connection.publish(subject, data, reply === undefined ? undefined : { reply });
      return true;
    } catch (error) {
      this.logger.warn(`Cannot publish on ${subject}: ${describe(error)}`);
      return false;
    }
  }

  /**
   * Resolves once the server has taken everything published before (a round trip): what keeps a
   * publisher from getting ahead of a slow link. Rejects when the bus is down.
   */
  async flush(): Promise<void> {
    const connection = this.connection;
    if (!this.up || connection === undefined) throw new BusUnavailableError();
    await connection.flush();
  }

  /**
   * Sends a request and hands each reply to `take` as it comes, until `take` makes something of
   * them, an empty message ends them, or `timeoutMs` passes: nothing is collected here, however
   * much a responder sends. Rejects with the client's NoRespondersError when nobody listens.
   */
  async requestFirst<T>(
    subject: string,
    data: Uint8Array | string,
    timeoutMs: number,
    take: (reply: Uint8Array) => T | undefined,
  ): Promise<{ readonly result: T | undefined; readonly replies: number }> {
    const connection = this.connection;
    if (!this.up || connection === undefined) throw new BusUnavailableError();
    const replies = await connection.requestMany(subject, data, {
      strategy: 'sentinel',
      maxWait: timeoutMs,
      noMux: true,
    });
    let count = 0;
    for await (const reply of replies) {
      if (reply.data.length === 0) break;
      count += 1;
      const result = take(reply.data);
      if (result !== undefined) return { result, replies: count };
    }
    return { result: undefined, replies: count };
  }

  private async connectionOptions(): Promise<ConnectionOptions> {
    const { auth, tls, servers, nodeName } = this.config;
    const options: ConnectionOptions = {
      servers: [...servers],
      name: `camfeed ${nodeName}`,
      maxReconnectAttempts: -1,
      // The client's own backoff: 250 ms doubling to 2 s, jittered, reset once connected.
      reconnectDelayHandler: () => {
        const delay = Math.min(BACKOFF_MIN_MS * 2 ** this.reconnectAttempt, BACKOFF_MAX_MS);
        this.reconnectAttempt += 1;
        return delay * (0.75 + Math.random() / 2);
      },
      // A server restarted with other credentials is retried, not given up on.
      ignoreAuthErrorAbort: true,
      pingInterval: 10_000,
      maxPingOut: 2,
      timeout: 5_000,
    };
    if (auth.kind === 'password') Object.assign(options, { user: auth.user, pass: auth.password });
    if (auth.kind === 'token') options.token = auth.token;
    if (auth.kind === 'creds') {
      const { credsAuthenticator } = await import('@nats-io/nats-core');
      let creds: Uint8Array;
      try {
        creds = await readFile(auth.file);
      } catch (error) {
        // A setting that cannot work: the server stops at start, naming it, as for a bad value.
        throw new EnvValidationError([
          `NATS_CREDS_FILE cannot be read (${(error as NodeJS.ErrnoException).code ?? 'unreadable'})`,
        ]);
      }
      options.authenticator = credsAuthenticator(creds);
    }
    if (tls !== undefined) {
      options.tls = Object.fromEntries(
        Object.entries(tls).filter(([, value]) => value !== undefined),
      );
    }
    return options;
  }

  private async keepConnected(options: ConnectionOptions): Promise<void> {
    // Typed by hand: the package's own types reach nats-core through an export map this
    // project's module resolution does not follow.
    const { connect } = (await import('@nats-io/transport-node')) as {
      connect: (options: ConnectionOptions) => Promise<NatsConnection>;
    };
    let retryMs = BACKOFF_MIN_MS;
    while (!this.stopping.signal.aborted) {
      let connection: NatsConnection;
      try {
        connection = await connect(options);
      } catch (error) {
        this.noteFailure(`Cannot connect to NATS (${describe(error)}); retrying`);
        if (!(await sleep(retryMs * (0.75 + Math.random() / 2), this.stopping.signal))) return;
        retryMs = Math.min(retryMs * 2, BACKOFF_MAX_MS);
        continue;
      }
      if (this.stopping.signal.aborted) {
        await connection.close().catch(() => undefined);
        return;
      }
      retryMs = BACKOFF_MIN_MS;
      this.connection = connection;
      this.reconnectAttempt = 0;
      for (const registered of this.subscriptions) this.attach(connection, registered);
      this.logger.log(
        `Connected to NATS at ${redactSecrets(connection.getServer())} (max_payload ${this.maxPayload} bytes)`,
      );
      this.failuresUnlogged = 0;
      this.setUp(true);
      void this.watch(connection);
      const closed = await connection.closed();
      if (this.connection === connection) this.connection = undefined;
      this.setUp(false);
      if (this.stopping.signal.aborted) return;
      this.noteFailure(
        `The NATS connection closed${closed instanceof Error ? ` (${describe(closed)})` : ''}; connecting again`,
      );
      // A connection that closes as soon as it is made must not make this loop spin.
      if (!(await sleep(retryMs, this.stopping.signal))) return;
      retryMs = Math.min(retryMs * 2, BACKOFF_MAX_MS);
    }
  }

  /** Follows the client's reconnections: while it reconnects, the bus is down. */
  private async watch(connection: NatsConnection): Promise<void> {
    for await (const status of connection.status()) {
      if (this.connection !== connection) return;
      switch (status.type) {
        case 'disconnect':
          this.disconnects += 1;
          this.setUp(false);
          this.logger.warn('Lost the connection to NATS; reconnecting');
          break;
        case 'reconnect':
          this.reconnectAttempt = 0;
          this.logger.log(`Reconnected to NATS at ${redactSecrets(connection.getServer())}`);
          this.setUp(true);
          break;
        case 'error':
          this.noteFailure(`NATS: ${describe(status.error)}`);
          break;
        default:
          break;
      }
    }
  }

  /**
   * Never throws: a connection closing under it (the client refuses then) leaves the subscription
   * registered, and the next connection attaches it, so its owner can always unsubscribe.
   */
  private attach(connection: NatsConnection, registered: Registered): void {
    if (connection.isClosed()) return;
    try {
      registered.current = this.subscribeOn(connection, registered);
    } catch (error) {
      registered.current = undefined;
      this.logger.debug(
        `Subscribing to ${registered.subject} waits for the next connection: ${describe(error)}`,
      );
    }
  }

  private subscribeOn(connection: NatsConnection, registered: Registered): Subscription {
    return connection.subscribe(registered.subject, {
      callback: (error, message) => {
        if (error !== null) return;
        try {
          registered.handler(message);
        } catch (handlerError) {
          this.logger.warn(`A message on ${message.subject} failed: ${describe(handlerError)}`);
        }
      },
    });
  }

  private setUp(up: boolean): void {
    if (this.up === up) return;
    this.up = up;
    for (const listener of this.listeners) {
      try {
        listener(up);
      } catch (error) {
        this.logger.warn(`A NATS ${up ? 'up' : 'down'} listener failed: ${describe(error)}`);
      }
    }
  }

  private noteFailure(message: string): void {
    const now = Date.now();
    if (now - this.lastFailureLog < FAILURE_LOG_INTERVAL_MS) {
      this.failuresUnlogged += 1;
      return;
    }
    const more =
      this.failuresUnlogged > 0 ? ` (${this.failuresUnlogged} more since last said)` : '';
    this.lastFailureLog = now;
    this.failuresUnlogged = 0;
    this.logger.warn(`${message}${more}`);
  }
}
