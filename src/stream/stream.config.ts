import { defineConfigSection, provide } from '../config/config-section';
import { EnvInt, EnvNumber } from '../config/env-decorators';

export class StreamConfig {
  /** A viewer whose socket has not drained for this long is disconnected. */
  readonly drainTimeoutMs!: number;
  /** Viewers beyond this many, over all cameras, get 503 (0 = no limit). */
  readonly maxClients!: number;
  /** How long a snapshot waits for a frame before answering 503. */
  readonly snapshotTimeoutMs!: number;
}

export class StreamEnv {
  @EnvNumber(1, 3600)
  STREAM_DRAIN_TIMEOUT = 15;

  @EnvNumber(0.5, 60)
  SNAPSHOT_TIMEOUT = 5;

  @EnvInt(0, 100000)
  MAX_CLIENTS = 1000;
}

export const streamConfigSection = defineConfigSection({
  env: StreamEnv,
  provides: [
    provide(StreamConfig, (env: StreamEnv) => ({
      drainTimeoutMs: Math.round(env.STREAM_DRAIN_TIMEOUT * 1000),
      snapshotTimeoutMs: Math.round(env.SNAPSHOT_TIMEOUT * 1000),
      maxClients: env.MAX_CLIENTS,
    })),
  ],
});
