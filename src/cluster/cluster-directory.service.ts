import { Injectable, Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import type { LocalCamera } from '../cameras/camera';
import { CameraRegistry } from '../cameras/camera-registry.service';
import { ClusterBus, type BusSubscription } from './cluster-bus.service';
import { ClusterConfig } from './cluster.config';
import { ClusterSubjects } from './cluster-subjects';
import {
  type AnnouncedCamera,
  type Announcement,
  type DirectoryCamera,
  DirectoryState,
  parseAnnouncement,
} from './directory-state';

const decoder = new TextDecoder();

function parseJson(data: Uint8Array): unknown {
  try {
    return JSON.parse(decoder.decode(data)) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * The camera directory: every node announces its cameras (id, name, state, size) every heartbeat
 * and when they change, and learns everyone else's. A node silent for three heartbeats is gone,
 * with its cameras; a node that stops says so and is gone at once. One id announced by two nodes,
 * or one node name by two processes, is logged and kept visible, never merged.
 */
@Injectable()
export class ClusterDirectory {
  private readonly logger = new Logger('Cluster');
  readonly instance = randomBytes(8).toString('hex');
  readonly startedAt = Date.now();
  readonly subjects: ClusterSubjects;
  private readonly state: DirectoryState;
  private readonly listeners = new Set<() => void>();
  private subscriptions: BusSubscription[] = [];
  private timer: NodeJS.Timeout | undefined;
  private stopBusWatch: (() => void) | undefined;
  private stopRegistryWatch: (() => void) | undefined;
  private stopClosingWatch: (() => void) | undefined;
  private stopped = false;
  private reportedConflicts = new Set<string>();
  private reportedClashes = new Set<string>();
  private reportedTooLarge = false;

  constructor(
    private readonly config: ClusterConfig,
    private readonly bus: ClusterBus,
    private readonly registry: CameraRegistry,
  ) {
    this.subjects = new ClusterSubjects(config.subjectPrefix);
    this.state = new DirectoryState({ node: config.nodeName, instance: this.instance });
  }

  get nodeName(): string {
    return this.config.nodeName;
  }

  start(): void {
    const receive = (data: Uint8Array): void => {
      const announcement = parseAnnouncement(parseJson(data));
      if (announcement === undefined || announcement.instance === this.instance) return;
      const known = this.state.nodes().some((node) => node.instance === announcement.instance);
      if (this.state.receive(announcement, Date.now())) {
        if (!known) this.logger.log(`Node ${announcement.node} joined (${describe(announcement)})`);
        this.changed();
      }
    };
    this.subscriptions = [
      this.bus.subscribe(this.subjects.announce, (message) => receive(message.data)),
      this.bus.subscribe(this.subjects.leave, (message) => {
        const instance = (parseJson(message.data) as { instance?: unknown } | undefined)?.instance;
        if (typeof instance !== 'string' || instance === this.instance) return;
        const node = this.state.nodes().find((entry) => entry.instance === instance)?.node;
        if (this.state.leave(instance)) {
          this.logger.log(
            this.nameStillHeld(node)
              ? `A second process named ${node} (instance ${instance}) left the cluster; node ${node} stays`
              : `Node ${node} left the cluster`,
          );
          this.changed();
        }
      }),
      // A node that starts asks: everyone answers at once, so its camera list is whole in
      // milliseconds rather than after a heartbeat.
      this.bus.subscribe(this.subjects.query, () => this.announce()),
    ];
    this.stopBusWatch = this.bus.onChange((up) => {
      if (!up) return;
      this.announce();
      this.bus.publish(this.subjects.query, '');
    });
    this.stopRegistryWatch = this.registry.onChange(() => this.announce());
    this.stopClosingWatch = this.registry.onClosing(() => this.stop());
    this.announce();
    this.timer = setInterval(() => this.tick(), this.config.heartbeatMs);
    this.timer.unref();
  }

  /**
   * Says goodbye, so the others forget this node's cameras at once (their viewers elsewhere see
   * "no signal" until it is back), and announces no more. Called as the server stops, before its
   * cameras do: it must never announce itself without them, which would end their viewers.
   */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.logger.log(`Leaving the cluster as node ${this.nodeName}`);
    clearInterval(this.timer);
    this.stopClosingWatch?.();
    this.stopBusWatch?.();
    this.stopRegistryWatch?.();
    this.bus.publish(
      this.subjects.leave,
      JSON.stringify({ node: this.nodeName, instance: this.instance }),
    );
    for (const subscription of this.subscriptions) subscription.unsubscribe();
    this.subscriptions = [];
  }

  /** Calls `listener` whenever the cluster's nodes or cameras change. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Every camera of the cluster, this node's too, in the order every node agrees on. */
  cameras(): DirectoryCamera[] {
    return this.state.cameras();
  }

  /** The processes announcing a camera of `id`. */
  claimants(id: string): DirectoryCamera[] {
    return this.state.claimants(id);
  }

  hasNode(node: string): boolean {
    return this.state.hasNode(node);
  }

  /** The nodes of the cluster and their cameras (for status). */
  nodes(): Announcement[] {
    return this.state.nodes();
  }

  /** This node's announcement: its cameras as they are now. */
  private selfAnnouncement(): Announcement {
    return {
      v: 1,
      node: this.nodeName,
      instance: this.instance,
      startedAt: this.startedAt,
      heartbeatMs: this.config.heartbeatMs,
      cameras: this.registry.local().map(announced),
    };
  }

  private announce(): void {
    if (this.stopped) return;
    const announcement = this.selfAnnouncement();
    if (this.state.receive(announcement, Date.now())) this.changed();
    const text = JSON.stringify(announcement);
    const bytes = Buffer.byteLength(text);
    if (bytes > this.bus.maxPayload) {
      if (!this.reportedTooLarge) {
        this.logger.error(
          `This node's announcement of its ${announcement.cameras.length} cameras is ${bytes} bytes, more than the NATS server's max_payload (${this.bus.maxPayload}): the other nodes cannot see them; raise max_payload`,
        );
      }
      this.reportedTooLarge = true;
      return;
    }
    this.reportedTooLarge = false;
    this.bus.publish(this.subjects.announce, text);
  }

  private tick(): void {
    this.announce();
    const gone = this.state.expire(Date.now());
    for (const node of gone) {
      const silence = `no word for ${(3 * node.heartbeatMs) / 1000} s`;
      this.logger.warn(
        this.nameStillHeld(node.node)
          ? `A second process named ${node.node} (instance ${node.instance}) went silent (${silence}); node ${node.node} stays`
          : `Node ${node.node} went silent (${silence}): its cameras leave the directory`,
      );
    }
    if (gone.length > 0) this.changed();
  }

  /** Whether a process of that name is still in the cluster (two took one name). */
  private nameStillHeld(node: string | undefined): boolean {
    return node === this.config.nodeName || this.state.nodes().some((entry) => entry.node === node);
  }

  private changed(): void {
    this.reportProblems();
    for (const listener of this.listeners) {
      try {
        listener();
      } catch (error) {
        this.logger.warn(`A directory listener failed: ${(error as Error).message}`);
      }
    }
  }

  /** Each conflict and clash is logged once when it appears, and once when it is over. */
  private reportProblems(): void {
    const conflicts = this.state.conflicts();
    for (const [id, nodes] of conflicts) {
      const key = `${id}:${nodes.join(',')}`;
      if (this.reportedConflicts.has(key)) continue;
      this.logger.error(
        `Camera id "${id}" is announced by ${nodes.length} nodes (${nodes.join(', ')}): each camera of a cluster needs its own id. ` +
          'Each node keeps serving its own; other nodes answer 409 for this id until one is given another id (its cameras file, or CAMERA_ID).',
      );
    }
    const conflictKeys = new Set([...conflicts].map(([id, nodes]) => `${id}:${nodes.join(',')}`));
    for (const key of this.reportedConflicts) {
      if (!conflictKeys.has(key))
        this.logger.log(`Camera id "${key.split(':')[0]}" is unique again`);
    }
    this.reportedConflicts = conflictKeys;

    const clashes = new Set(this.state.clashes());
    for (const node of clashes) {
      if (this.reportedClashes.has(node)) continue;
      this.logger.error(
        `Two camfeed processes call themselves node "${node}": give each its own CLUSTER_NODE_NAME`,
      );
    }
    this.reportedClashes = clashes;
  }
}

function announced(camera: LocalCamera): AnnouncedCamera {
  const overview = camera.overview();
  return {
    id: camera.id,
    name: camera.name,
    ...overview,
    maxClients: camera.maxClients ?? null,
    h264: camera.h264.status().state !== 'unavailable',
    settings: camera.runtime.settings.settings,
  };
}

function describe(announcement: Announcement): string {
  const ids = announcement.cameras.map((camera) => camera.id);
  return ids.length === 0 ? 'no cameras of its own' : `cameras: ${ids.join(', ')}`;
}
