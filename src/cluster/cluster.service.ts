import { type OnApplicationBootstrap, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { HealthIndicatorService } from '@nestjs/terminus';
import { Counter, Gauge } from 'prom-client';
import { MetricsService } from '../metrics/metrics.service';
import type { CameraPublisher } from './camera-publisher';
import { CameraPublishers } from './camera-publishers.service';
import { ClusterBus } from './cluster-bus.service';
import { ClusterConfig } from './cluster.config';
import { ClusterDirectory } from './cluster-directory.service';
import { RemoteCameras } from './remote/remote-cameras.service';

class ClusterNode {
  @ApiProperty({ example: 'pi-kitchen' }) readonly node!: string;
  @ApiProperty({ description: 'Random per process: a restarted node has a new one' })
  readonly instance!: string;
  @ApiProperty({ format: 'date-time' }) readonly startedAt!: string;
  @ApiProperty({ type: [String], example: ['kitchen', 'door'] }) readonly cameras!: string[];
  @ApiProperty({ description: 'This node itself' }) readonly self!: boolean;
}

/** What GET /cluster answers. */
export class ClusterStatus {
  @ApiProperty({ example: 'edge-1' }) readonly node!: string;
  @ApiProperty() readonly connected!: boolean;
  @ApiProperty({ nullable: true, description: 'The NATS server this node is connected to' })
  readonly server!: string | null;
  @ApiProperty({
    type: Number,
    nullable: true,
    description: "The NATS server's max_payload, null until a server has said it",
  })
  readonly maxPayload!: number | null;
  @ApiProperty({ type: [ClusterNode] }) readonly nodes!: ClusterNode[];
  @ApiProperty({
    description: 'Camera ids announced by more than one node, with the nodes',
    example: { door: ['pi-a', 'pi-b'] },
  })
  readonly conflicts!: Record<string, string[]>;
}

/**
 * The cluster, when NATS_URL is set: connects to NATS, then runs the directory, the publishers of
 * this node's cameras and the cameras of the other nodes; at shutdown stops them in the reverse
 * order, so this node's goodbye is sent before the connection closes.
 */
@Injectable()
export class ClusterService implements OnApplicationBootstrap, OnModuleDestroy {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly config: ClusterConfig,
    readonly bus: ClusterBus,
    readonly directory: ClusterDirectory,
    readonly publishers: CameraPublishers,
    readonly remotes: RemoteCameras,
    private readonly metrics: MetricsService,
    private readonly indicators: HealthIndicatorService,
  ) {}

  /** Once every module is up: this node's cameras are in the registry, ready to announce. */
  async onApplicationBootstrap(): Promise<void> {
    await this.bus.start();
    this.directory.start();
    this.publishers.start();
    this.remotes.start();
    this.registerMetrics();
    this.timer = setInterval(() => {
      this.publishers.tick();
      this.remotes.tick();
    }, this.config.heartbeatMs);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.remotes.stop();
    this.publishers.stop();
    this.directory.stop();
    await this.bus.close();
  }

  /**
   * For /health: up while connected to NATS; degraded (still 200) while not, as this node then
   * serves its own cameras only, and the others' viewers see "no signal".
   */
  health() {
    const indicator = this.indicators.check('cluster');
    const details = { node: this.config.nodeName, nodes: this.directory.nodes().length };
    return this.bus.connected
      ? indicator.up(details)
      : indicator.degraded({ ...details, reason: 'not connected to NATS' });
  }

  status(): ClusterStatus {
    const conflicts: Record<string, string[]> = {};
    for (const entry of this.directory.cameras()) {
      const nodes = this.directory.claimants(entry.camera.id).map((claimant) => claimant.node);
      if (nodes.length > 1) conflicts[entry.camera.id] = nodes;
    }
    return {
      node: this.config.nodeName,
      connected: this.bus.connected,
      server: this.bus.server,
      maxPayload: this.bus.serverMaxPayload,
      nodes: this.directory.nodes().map((node) => ({
        node: node.node,
        instance: node.instance,
        startedAt: new Date(node.startedAt).toISOString(),
        cameras: node.cameras.map((camera) => camera.id),
        self: node.instance === this.directory.instance,
      })),
      conflicts,
    };
  }

  /** The cluster's own metrics, in the app's registry (read when Prometheus scrapes). */
  private registerMetrics(): void {
    const registers = [this.metrics.registry];
    const gauge = (name: string, help: string, read: () => number): void => {
      new Gauge({
        name,
        help,
        registers,
        collect() {
          this.set(read());
        },
      });
    };
    gauge('camfeed_cluster_connected', '1 while this node is connected to NATS, else 0.', () =>
      this.bus.connected ? 1 : 0,
    );
    gauge(
      'camfeed_cluster_nodes',
      'Nodes in the cluster’s directory, this one included.',
      () => this.directory.nodes().length,
    );
    gauge(
      'camfeed_cluster_conflicts',
      'Camera ids that more than one node announces.',
      () => Object.keys(this.status().conflicts).length,
    );
    const bus = this.bus;
    new Counter({
      name: 'camfeed_cluster_disconnects_total',
      help: 'Times this node lost its NATS connection (a NATS restart, a drop as a slow consumer).',
      registers,
      collect() {
        this.reset();
        this.inc(bus.disconnects);
      },
    });
    const perCamera = (
      kind: 'counter' | 'gauge',
      name: string,
      help: string,
      entries: () => Array<[string, number]>,
    ): void => {
      const collect = function (this: Gauge<'camera'> | Counter<'camera'>): void {
        this.reset();
        for (const [camera, value] of entries()) {
          if (this instanceof Gauge) this.set({ camera }, value);
          else this.inc({ camera }, value);
        }
      };
      const options = { name, help, registers, labelNames: ['camera'] as const, collect };
      if (kind === 'gauge') new Gauge<'camera'>(options);
      else new Counter<'camera'>(options);
    };
    const published = (read: (counters: CameraPublisher['counters']) => number) => () =>
      this.publishers
        .entries()
        .map(([id, publisher]): [string, number] => [id, read(publisher.counters)]);
    perCamera(
      'gauge',
      'camfeed_cluster_demanding_nodes',
      'Other nodes whose viewers watch this node’s camera now.',
      () => this.publishers.entries().map(([id, publisher]) => [id, publisher.demanders]),
    );
    perCamera(
      'counter',
      'camfeed_cluster_frames_published_total',
      'Frames of this node’s camera put on the bus (once, whatever the number of nodes).',
      published((counters) => counters.framesPublished),
    );
    perCamera(
      'counter',
      'camfeed_cluster_frames_skipped_total',
      'Frames of this node’s camera not put on the bus: NATS was down or behind.',
      published((counters) => counters.framesSkipped),
    );
    perCamera(
      'counter',
      'camfeed_cluster_bytes_published_total',
      'Bytes of this node’s camera put on the bus (frames and H.264).',
      published((counters) => counters.bytesPublished),
    );
    perCamera(
      'counter',
      'camfeed_cluster_requests_total',
      'Control requests (settings, IR LEDs, status, snapshots) other nodes sent for this node’s camera.',
      published((counters) => counters.requests),
    );
    perCamera(
      'counter',
      'camfeed_cluster_frames_lost_total',
      'Frames of another node’s camera that lost a piece on the way here (dropped, never shown broken).',
      () => this.remotes.list().map((camera) => [camera.id, camera.framesLost]),
    );
  }
}
