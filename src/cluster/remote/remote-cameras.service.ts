import { Injectable, Logger } from '@nestjs/common';
import { CameraConfig } from '../../camera/camera.config';
import type { Camera } from '../../cameras/camera';
import {
  type CameraLocation,
  CameraRegistry,
  type RemoteCameraSource,
} from '../../cameras/camera-registry.service';
import { cameraLogger } from '../../logging/scoped-logger';
import { ClusterBus } from '../cluster-bus.service';
import { ClusterConfig } from '../cluster.config';
import { ClusterDirectory } from '../cluster-directory.service';
import { CameraConflictError } from '../control-messages';
import { RemoteCamera } from './remote-camera';
import { RemoteLink } from './remote-link';

/**
 * The cameras of the other nodes, as this node serves them: one RemoteCamera per id the directory
 * lists, made when it appears and kept while its node is in the cluster, and for a minute after
 * it left, or while viewers here still watch it (they see "no signal" until its node is back). A
 * camera its node removed ends its viewers here, as a local camera removed from the cameras file
 * does.
 */
/** How long a camera whose node left is still served ("no signal", 503) before it is forgotten. */
const ABSENT_GRACE_MS = 60_000;

@Injectable()
export class RemoteCameras implements RemoteCameraSource {
  private readonly logger = new Logger('Cluster');
  private readonly cameras = new Map<string, RemoteCamera>();
  private stopWatching: (() => void) | undefined;

  constructor(
    private readonly config: ClusterConfig,
    private readonly bus: ClusterBus,
    private readonly directory: ClusterDirectory,
    private readonly registry: CameraRegistry,
    private readonly cameraConfig: CameraConfig,
  ) {}

  start(): void {
    this.registry.attachRemote(this);
    this.stopWatching = this.directory.onChange(() => this.reconcile());
    this.reconcile();
  }

  async stop(): Promise<void> {
    this.stopWatching?.();
    const all = [...this.cameras.values()];
    this.cameras.clear();
    await Promise.all(all.map(async (camera) => camera.destroy()));
  }

  /** Every heartbeat: renews this node's demand, and lets go of cameras nobody needs any more. */
  tick(): void {
    const now = Date.now();
    for (const [id, camera] of this.cameras) {
      camera.link.renew();
      camera.follow();
      const left = camera.leftAt;
      if (left === undefined || now - left <= ABSENT_GRACE_MS) continue;
      if (this.directory.hasNode(camera.node)) {
        // Its node is back (restarted, or another process took its name) without it: removed.
        this.forget(camera, `Camera ${id} did not come back with node ${camera.node}`);
      } else if (!camera.inUse) {
        this.cameras.delete(id);
        void camera.destroy();
      }
    }
  }

  /** The remote cameras this node has now (for metrics). */
  list(): RemoteCamera[] {
    return [...this.cameras.values()];
  }

  /** Only those someone here still watches: an idle one would be reported as healthy. */
  departed(): Camera[] {
    return [...this.cameras.values()].filter(
      (camera) => camera.leftAt !== undefined && camera.inUse,
    );
  }

  /**
   * A camera whose node left recently is still found: its viewers and API calls get "no signal"
   * and a 503 naming the node (it is restarting, most likely), not a 404. It is no longer listed.
   */
  find(id: string): Camera | undefined {
    const camera = this.cameras.get(id);
    if (camera === undefined) return undefined;
    if (camera.link.conflict.length > 1) throw new CameraConflictError(id, camera.link.conflict);
    return camera;
  }

  arrange(local: readonly Camera[]): Camera[] {
    const byId = new Map(local.map((camera) => [camera.id, camera]));
    const listed = new Set<Camera>();
    const order: Camera[] = [];
    for (const entry of this.directory.cameras()) {
      const camera =
        entry.node === this.config.nodeName && entry.instance === this.directory.instance
          ? byId.get(entry.camera.id)
          : this.cameras.get(entry.camera.id);
      if (camera === undefined || listed.has(camera)) continue;
      listed.add(camera);
      order.push(camera);
    }
    // This node's own cameras always show, even in the instant before its directory has them.
    for (const camera of local) if (!listed.has(camera)) order.push(camera);
    return order;
  }

  locate(camera: Camera): CameraLocation {
    const claimants = this.directory.claimants(camera.id).map((entry) => entry.node);
    return {
      node: camera instanceof RemoteCamera ? camera.node : this.config.nodeName,
      conflict: claimants.length > 1 ? claimants : [],
    };
  }

  private reconcile(): void {
    const self = this.directory.instance;
    const seen = new Set<string>();
    for (const entry of this.directory.cameras()) {
      const id = entry.camera.id;
      if (seen.has(id)) continue;
      seen.add(id);
      const claimants = this.directory.claimants(id);
      const others = claimants.filter((claimant) => claimant.instance !== self);
      // This node's own camera of that id is served here; the others' are not merged into it.
      if (others.length === 0 || this.registry.findLocal(id) !== undefined) continue;
      const conflict = claimants.length > 1 ? claimants.map((claimant) => claimant.node) : [];
      const owner = claimants.length === 1 ? others[0] : undefined;
      const existing = this.cameras.get(id);
      if (existing !== undefined) {
        existing.update(owner, conflict);
        continue;
      }
      const link = new RemoteLink(
        id,
        this.bus,
        this.directory.subjects,
        { node: this.config.nodeName, instance: self },
        this.config.heartbeatMs,
      );
      const camera = new RemoteCamera(
        link,
        others[0],
        this.cameraConfig.stallTimeoutMs,
        cameraLogger('Camera', id),
        () => this.directory.claimants(id).find((entry) => entry.instance === link.owner?.instance),
      );
      camera.update(owner, conflict);
      this.cameras.set(id, camera);
    }
    for (const [id, camera] of this.cameras) {
      if (seen.has(id) && this.registry.findLocal(id) === undefined) continue;
      // The very process that had it still announces, without it: removed. Another process of
      // that node's name (a restart, or a clash) without it: gone for now, as a node that left.
      const owner = camera.link.owner?.instance;
      const removedByItsNode =
        owner !== undefined && this.directory.nodes().some((node) => node.instance === owner);
      camera.update(undefined, []);
      if (removedByItsNode || this.registry.findLocal(id) !== undefined) {
        this.forget(camera, `Camera ${id} of node ${camera.node} was removed`);
      }
    }
  }

  /** Ends the camera's viewers here, as those of a camera removed from a cameras file. */
  private forget(camera: RemoteCamera, why: string): void {
    this.logger.log(why);
    this.cameras.delete(camera.id);
    this.registry.remoteRemoved(camera);
    void camera.destroy();
  }
}
