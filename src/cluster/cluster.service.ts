import { type OnApplicationBootstrap, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
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
  @ApiProperty() readonly maxPayload!: number;
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
  ) {}

  /** Once every module is up: this node's cameras are in the registry, ready to announce. */
  async onApplicationBootstrap(): Promise<void> {
    await this.bus.start();
    this.directory.start();
    this.publishers.start();
    this.remotes.start();
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
      maxPayload: this.bus.maxPayload,
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
}
