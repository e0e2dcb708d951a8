import { Injectable } from '@nestjs/common';
import type { LocalCamera } from '../cameras/camera';
import { CameraRegistry } from '../cameras/camera-registry.service';
import { cameraLogger } from '../logging/scoped-logger';
import { ClusterBus } from './cluster-bus.service';
import { ClusterConfig } from './cluster.config';
import { ClusterDirectory } from './cluster-directory.service';
import { CameraPublisher } from './camera-publisher';

/** This node's cameras, each shared with the cluster by a publisher of its own. */
@Injectable()
export class CameraPublishers {
  private readonly publishers = new Map<LocalCamera, CameraPublisher>();
  private stopWatching: (() => void) | undefined;

  constructor(
    private readonly config: ClusterConfig,
    private readonly bus: ClusterBus,
    private readonly directory: ClusterDirectory,
    private readonly registry: CameraRegistry,
  ) {}

  start(): void {
    this.follow();
    this.stopWatching = this.registry.onChange((event) => {
      const camera = this.registry.findLocal(event.camera.id);
      if (event.kind === 'added' && camera !== undefined) this.add(camera);
      if (event.kind === 'removed' && event.camera.local) this.remove(event.camera);
    });
  }

  stop(): void {
    this.stopWatching?.();
    for (const camera of [...this.publishers.keys()]) this.remove(camera);
  }

  /** Every heartbeat: forgets the demand of nodes that stopped renewing it. */
  tick(): void {
    this.follow();
    const now = Date.now();
    for (const publisher of this.publishers.values()) publisher.sweep(now);
  }

  /** Each camera's publisher, by camera id (for metrics and status). */
  entries(): Array<[string, CameraPublisher]> {
    return [...this.publishers].map(([camera, publisher]) => [camera.id, publisher]);
  }

  /** One publisher per camera of this node, whatever the order modules start in. */
  private follow(): void {
    const cameras = new Set(this.registry.local());
    for (const camera of cameras) this.add(camera);
    for (const camera of [...this.publishers.keys()]) if (!cameras.has(camera)) this.remove(camera);
  }

  private add(camera: LocalCamera): void {
    if (this.publishers.has(camera)) return;
    const publisher = new CameraPublisher(
      camera,
      this.bus,
      this.directory.subjects.camera(this.config.nodeName, camera.id),
      cameraLogger('Cluster', camera.id),
    );
    this.publishers.set(camera, publisher);
    camera.remoteAudience = () => publisher.audience();
    publisher.start();
  }

  private remove(camera: { readonly id: string }): void {
    for (const [local, publisher] of this.publishers) {
      if (local !== camera && local.id !== camera.id) continue;
      publisher.stop();
      local.remoteAudience = undefined;
      this.publishers.delete(local);
    }
  }
}
