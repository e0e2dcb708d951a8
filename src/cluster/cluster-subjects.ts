/**
 * The subjects of a cluster. A camera's subjects name its node as well as its id, so two nodes
 * that (wrongly) announce the same id never mix their frames on one subject.
 *
 *   <prefix>.dir.announce                 every node's cameras, every heartbeat
 *   <prefix>.dir.leave                    a node that stops
 *   <prefix>.dir.query                    a node that starts asks everyone to announce now
 *   <prefix>.cam.<node>.<id>.jpeg         the camera's JPEGs, in pieces, while someone wants them
 *   <prefix>.cam.<node>.<id>.h264         its H.264 access units, in pieces, likewise
 *   <prefix>.cam.<node>.<id>.demand       nodes with viewers say so, every heartbeat
 *   <prefix>.cam.<node>.<id>.rpc          settings, IR LEDs, status, snapshots: request/reply
 */
export class ClusterSubjects {
  readonly announce: string;
  readonly leave: string;
  readonly query: string;

  constructor(private readonly prefix: string) {
    this.announce = `${prefix}.dir.announce`;
    this.leave = `${prefix}.dir.leave`;
    this.query = `${prefix}.dir.query`;
  }

  camera(node: string, id: string): CameraSubjects {
    const base = `${this.prefix}.cam.${node}.${id}`;
    return {
      jpeg: `${base}.jpeg`,
      h264: `${base}.h264`,
      demand: `${base}.demand`,
      rpc: `${base}.rpc`,
    };
  }
}

export interface CameraSubjects {
  readonly jpeg: string;
  readonly h264: string;
  readonly demand: string;
  readonly rpc: string;
}
