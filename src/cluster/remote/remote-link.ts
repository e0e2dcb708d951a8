import type { DirectoryCamera } from '../directory-state';
import type { ClusterBus } from '../cluster-bus.service';
import type { CameraSubjects, ClusterSubjects } from '../cluster-subjects';

/**
 * How this node reaches one camera of another node: which node has it now, whether it can be
 * reached (the node is in the directory, the bus is up, no other node claims the id), and the
 * interest of this node's viewers in its frames, said on its demand subject every heartbeat.
 */
export class RemoteLink {
  private ownerEntry: DirectoryCamera | undefined;
  private conflictNodes: readonly string[] = [];
  private readonly changeListeners = new Set<() => void>();
  private readonly wants = { mjpeg: false, h264: false };
  /** This node's viewers of the camera, told to its node with each demand. */
  viewers: () => number = () => 0;
  private stopWatchingBus: () => void;

  constructor(
    readonly id: string,
    readonly bus: ClusterBus,
    private readonly clusterSubjects: ClusterSubjects,
    private readonly self: { readonly node: string; readonly instance: string },
    private readonly heartbeatMs: number,
  ) {
    this.stopWatchingBus = bus.onChange((up) => {
      if (up) this.sendDemand();
      this.notify();
    });
  }

  /** The node that has the camera, as the directory says; undefined while it is gone. */
  get owner(): DirectoryCamera | undefined {
    return this.ownerEntry;
  }

  get conflict(): readonly string[] {
    return this.conflictNodes;
  }

  /** The camera's subjects at its current node. */
  get subjects(): CameraSubjects | undefined {
    const owner = this.ownerEntry;
    return owner === undefined ? undefined : this.clusterSubjects.camera(owner.node, this.id);
  }

  /** Why the camera cannot be reached now, or undefined if it can. */
  get unreachable(): string | undefined {
    if (this.conflictNodes.length > 1)
      return `nodes ${this.conflictNodes.join(' and ')} both announce camera ${this.id}`;
    if (this.ownerEntry === undefined) return `the node of camera ${this.id} left the cluster`;
    if (!this.bus.connected) return 'this node lost its connection to NATS';
    return undefined;
  }

  /** The directory's word on the camera: its node now (undefined: gone), and who else claims it. */
  update(owner: DirectoryCamera | undefined, conflict: readonly string[]): void {
    const moved =
      owner?.instance !== this.ownerEntry?.instance ||
      conflict.join() !== this.conflictNodes.join();
    this.ownerEntry = owner;
    this.conflictNodes = conflict;
    if (!moved) return;
    this.sendDemand();
    this.notify();
  }

  /**
   * Calls `listener` when reachability or the owner changes (a driver subscribed to the old
   * node's subjects must start again).
   */
  onChange(listener: () => void): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  /** Resolves true once the camera can be reached, false if `signal` aborts first. */
  async reachable(signal: AbortSignal): Promise<boolean> {
    while (this.unreachable !== undefined) {
      if (signal.aborted) return false;
      await new Promise<void>((resolve) => {
        const done = (): void => {
          stop();
          signal.removeEventListener('abort', done);
          resolve();
        };
        const stop = this.onChange(done);
        signal.addEventListener('abort', done, { once: true });
      });
    }
    return !signal.aborted;
  }

  /** This node's viewers want (or no longer want) the camera's JPEGs or H.264. */
  want(kind: 'mjpeg' | 'h264', wanted: boolean): void {
    if (this.wants[kind] === wanted) return;
    this.wants[kind] = wanted;
    this.sendDemand();
  }

  /** Every heartbeat: renews this node's demand while its viewers watch. */
  renew(): void {
    if (this.wants.mjpeg || this.wants.h264) this.sendDemand();
  }

  close(): void {
    this.want('mjpeg', false);
    this.want('h264', false);
    this.stopWatchingBus();
    this.changeListeners.clear();
  }

  private sendDemand(): void {
    const subjects = this.subjects;
    if (subjects === undefined) return;
    this.bus.publish(
      subjects.demand,
      JSON.stringify({
        node: this.self.node,
        instance: this.self.instance,
        mjpeg: this.wants.mjpeg,
        h264: this.wants.h264,
        viewers: this.wants.mjpeg || this.wants.h264 ? this.viewers() : 0,
        heartbeatMs: this.heartbeatMs,
      }),
    );
  }

  private notify(): void {
    for (const listener of [...this.changeListeners]) listener();
  }
}
