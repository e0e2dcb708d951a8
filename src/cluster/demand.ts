import { NODE_NAME_PATTERN } from './cluster.config';
import { MAX_HEARTBEAT_MS } from './directory-state';

/**
 * What a node with viewers of another node's camera says on its demand subject, every heartbeat
 * while they watch, and once more when the last one leaves (both false). The camera's node keeps
 * capturing while some demand is alive; one that is not renewed within three of the sender's
 * heartbeats (the node died, or lost the bus) ends by itself.
 */
export interface DemandMessage {
  readonly node: string;
  readonly instance: string;
  /** Its MJPEG viewers want the JPEGs. */
  readonly mjpeg: boolean;
  /** Its WebRTC viewers want the H.264. */
  readonly h264: boolean;
  /** How many viewers it has of the camera (MJPEG and WebRTC), for the camera's `clients`. */
  readonly viewers: number;
  readonly heartbeatMs: number;
}

const MOST_VIEWERS = 1_000_000;

export function parseDemand(data: unknown): DemandMessage | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const { node, instance, mjpeg, h264, viewers = 0, heartbeatMs } = data as Record<string, unknown>;
  if (typeof node !== 'string' || !NODE_NAME_PATTERN.test(node)) return undefined;
  if (typeof instance !== 'string' || instance === '' || instance.length > 64) return undefined;
  if (typeof mjpeg !== 'boolean' || typeof h264 !== 'boolean') return undefined;
  if (typeof viewers !== 'number' || !Number.isInteger(viewers)) return undefined;
  if (viewers < 0 || viewers > MOST_VIEWERS) return undefined;
  if (typeof heartbeatMs !== 'number' || !(heartbeatMs > 0) || heartbeatMs > MAX_HEARTBEAT_MS)
    return undefined;
  return { node, instance, mjpeg, h264, viewers, heartbeatMs };
}
