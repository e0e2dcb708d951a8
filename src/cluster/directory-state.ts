import { CAMERA_ID_PATTERN } from '../camera/camera-definition';
import { CAMERA_STATES, type CameraState } from '../camera/producer/camera-status';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import type { CameraSettings } from '../camera/settings/camera-settings.model';
import { DEFAULT_SETTINGS } from '../camera/settings/settings-limits';
import { UpdateCameraSettingsDto } from '../camera/settings/update-camera-settings.dto';
import { NODE_NAME_PATTERN } from './cluster.config';

/** One camera as its node announces it. */
export interface AnnouncedCamera {
  readonly id: string;
  readonly name: string;
  readonly driver: string;
  readonly state: CameraState;
  readonly running: boolean;
  readonly clients: number;
  readonly frameSize: { readonly width: number; readonly height: number } | null;
  readonly lastError: string | null;
  readonly maxClients: number | null;
  /** Whether WebRTC viewers can have its H.264. */
  readonly h264: boolean;
  readonly settings: CameraSettings;
}

/** What a node says of itself every heartbeat. */
export interface Announcement {
  readonly v: 1;
  readonly node: string;
  /** Random per process: tells a restarted node from the old one, and two nodes of one name apart. */
  readonly instance: string;
  readonly startedAt: number;
  /** The node's own heartbeat: it is gone after three of them without a word. */
  readonly heartbeatMs: number;
  readonly cameras: readonly AnnouncedCamera[];
}

/** A node is forgotten when it said nothing for this many of its own heartbeats. */
export const MISSED_HEARTBEATS = 3;
/** ... plus this, so a heartbeat that is merely late does not make a node blink out. */
const EXPIRY_MARGIN_MS = 250;
/** Instances replaced by a newer one of the same node, remembered to tell a clash from a restart. */
const SUPERSEDED_MEMORY = 64;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const isCount = (value: unknown): value is number =>
  typeof value === 'number' && Number.isFinite(value) && value >= 0;

/** Settings as a node may announce them: every field there, each within what any camera allows. */
function isSettings(value: unknown): value is CameraSettings {
  if (!isObject(value)) return false;
  const dto = plainToInstance(UpdateCameraSettingsDto, value);
  // Fields a newer camfeed may add are let through: only the known ones must be right.
  if (validateSync(dto, { whitelist: true }).length > 0) return false;
  return Object.keys(DEFAULT_SETTINGS).every((key) => value[key] !== undefined);
}

/** The longest heartbeat a node may announce (CLUSTER_HEARTBEAT's most). */
export const MAX_HEARTBEAT_MS = 60_000;
/** How far ahead of this node's clock another node's start may be (clocks are not exact). */
const MAX_CLOCK_AHEAD_MS = 24 * 3600_000;

function parseCamera(value: unknown): AnnouncedCamera | undefined {
  if (!isObject(value)) return undefined;
  const { id, name, driver, state, running, clients, frameSize, lastError, maxClients, h264 } =
    value;
  if (typeof id !== 'string' || !CAMERA_ID_PATTERN.test(id)) return undefined;
  if (typeof name !== 'string' || typeof driver !== 'string') return undefined;
  if (!(CAMERA_STATES as readonly unknown[]).includes(state)) return undefined;
  if (typeof running !== 'boolean' || !isCount(clients) || typeof h264 !== 'boolean')
    return undefined;
  if (
    frameSize !== null &&
    !(isObject(frameSize) && isCount(frameSize.width) && isCount(frameSize.height))
  )
    return undefined;
  if (lastError !== null && typeof lastError !== 'string') return undefined;
  if (maxClients !== null && !isCount(maxClients)) return undefined;
  if (!isSettings(value.settings)) return undefined;
  return value as unknown as AnnouncedCamera;
}

/** The announcement in `data`, or undefined for anything else (another version, garbage). */
export function parseAnnouncement(data: unknown): Announcement | undefined {
  if (!isObject(data) || data.v !== 1) return undefined;
  const { node, instance, startedAt, heartbeatMs, cameras } = data;
  if (typeof node !== 'string' || !NODE_NAME_PATTERN.test(node)) return undefined;
  if (typeof instance !== 'string' || instance === '' || instance.length > 64) return undefined;
  if (!isCount(startedAt) || startedAt > Date.now() + MAX_CLOCK_AHEAD_MS) return undefined;
  if (!isCount(heartbeatMs) || heartbeatMs === 0 || heartbeatMs > MAX_HEARTBEAT_MS)
    return undefined;
  if (!Array.isArray(cameras)) return undefined;
  const parsed = cameras.map(parseCamera);
  if (parsed.some((camera) => camera === undefined)) return undefined;
  return { v: 1, node, instance, startedAt, heartbeatMs, cameras: parsed as AnnouncedCamera[] };
}

/** A camera of the directory, with the node that has it. */
export interface DirectoryCamera {
  readonly camera: AnnouncedCamera;
  readonly node: string;
  readonly instance: string;
}

interface Entry {
  announcement: Announcement;
  expiresAt: number;
}

/**
 * Who is in the cluster and which cameras each node has, as the announcements say: pure state,
 * fed by the directory service. A node that restarts (a new instance with a later start) replaces
 * its old entry at once; two live processes announcing one node name are a clash, and both are
 * kept, so that their cameras show as conflicts instead of one silently standing for the other.
 */
export class DirectoryState {
  private readonly entries = new Map<string, Entry>();
  private readonly superseded: string[] = [];
  private readonly clashing = new Set<string>();

  constructor(private readonly self: { readonly node: string; readonly instance: string }) {}

  /** Takes an announcement (this node's own too); true if the cluster's make-up changed. */
  receive(announcement: Announcement, now: number): boolean {
    const expiresAt =
      announcement.instance === this.self.instance
        ? Number.POSITIVE_INFINITY
        : now + MISSED_HEARTBEATS * announcement.heartbeatMs + EXPIRY_MARGIN_MS;
    const existing = this.entries.get(announcement.instance);
    if (existing !== undefined) {
      const changed = describeCameras(existing.announcement) !== describeCameras(announcement);
      existing.announcement = announcement;
      existing.expiresAt = expiresAt;
      return changed;
    }
    const sameName = [...this.entries.values()].filter(
      (entry) => entry.announcement.node === announcement.node,
    );
    const replaces =
      sameName.length > 0 &&
      !this.superseded.includes(announcement.instance) &&
      sameName.every(
        (entry) =>
          entry.announcement.instance !== this.self.instance &&
          entry.announcement.startedAt < announcement.startedAt,
      );
    if (replaces) {
      // A restart: the old process is gone, or will be within a heartbeat.
      for (const entry of sameName) this.forget(entry.announcement.instance, true);
    } else if (sameName.length > 0) {
      this.clashing.add(announcement.node);
    }
    this.entries.set(announcement.instance, { announcement, expiresAt });
    return true;
  }

  /** A node that said it leaves; true if it was known. */
  leave(instance: string): boolean {
    return this.forget(instance, false);
  }

  /** Forgets the nodes silent for too long; returns them. */
  expire(now: number): Announcement[] {
    const gone: Announcement[] = [];
    for (const [instance, entry] of this.entries) {
      if (entry.expiresAt > now) continue;
      gone.push(entry.announcement);
      this.forget(instance, false);
    }
    return gone;
  }

  /** The nodes, by name (then start time). */
  nodes(): Announcement[] {
    return [...this.entries.values()]
      .map((entry) => entry.announcement)
      .sort((a, b) => (a.node === b.node ? a.startedAt - b.startedAt : a.node < b.node ? -1 : 1));
  }

  /** Node names two live processes announce at once. */
  clashes(): string[] {
    return [...this.clashing].sort();
  }

  /** Every camera of the cluster, in the order all nodes agree on: by node, then as announced. */
  cameras(): DirectoryCamera[] {
    return this.nodes().flatMap((announcement) =>
      announcement.cameras.map((camera) => ({
        camera,
        node: announcement.node,
        instance: announcement.instance,
      })),
    );
  }

  /** The nodes announcing a camera of `id`. */
  claimants(id: string): DirectoryCamera[] {
    return this.cameras().filter((entry) => entry.camera.id === id);
  }

  /** Ids more than one process announces, with the nodes that do. */
  conflicts(): Map<string, string[]> {
    const byId = new Map<string, string[]>();
    for (const entry of this.cameras()) {
      const nodes = byId.get(entry.camera.id) ?? [];
      nodes.push(entry.node);
      byId.set(entry.camera.id, nodes);
    }
    for (const [id, nodes] of byId) if (nodes.length < 2) byId.delete(id);
    return byId;
  }

  /** Whether a node of this name is in the cluster. */
  hasNode(node: string): boolean {
    for (const entry of this.entries.values()) if (entry.announcement.node === node) return true;
    return false;
  }

  private forget(instance: string, superseded: boolean): boolean {
    const entry = this.entries.get(instance);
    if (entry === undefined || instance === this.self.instance) return false;
    this.entries.delete(instance);
    if (superseded) {
      this.superseded.push(instance);
      if (this.superseded.length > SUPERSEDED_MEMORY) this.superseded.shift();
    }
    const node = entry.announcement.node;
    const left = [...this.entries.values()].filter((other) => other.announcement.node === node);
    if (left.length < 2) this.clashing.delete(node);
    return true;
  }
}

/** What of an announcement changes the directory's make-up (not a viewer count or a state). */
function describeCameras(announcement: Announcement): string {
  return announcement.cameras
    .map((camera) => `${camera.id}\u0000${camera.name}\u0000${camera.driver}`)
    .join('\u0001');
}
