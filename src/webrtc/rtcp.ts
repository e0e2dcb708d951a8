/*
 * What a viewer's RTCP says that camfeed acts on: a picture it lost (PLI, FIR: it needs a
 * keyframe) and packets it asks to be sent again (NACK, which the NACK responder answers; they
 * are counted here for metrics).
 */

const PT_RTPFB = 205;
const PT_PSFB = 206;
const FMT_NACK = 1;
const FMT_PLI = 1;
const FMT_FIR = 4;

export interface RtcpFeedback {
  /** The viewer asked for a keyframe (PLI or FIR). */
  readonly keyframeRequests: number;
  /** Packets the viewer reported lost in NACKs. */
  readonly nackedPackets: number;
}

const bits = (value: number): number => {
  let count = 0;
  for (let v = value; v !== 0; v &= v - 1) count += 1;
  return count;
};

/** Reads a compound RTCP packet; anything that is not RTCP version 2 counts as nothing. */
export function readFeedback(packet: Buffer): RtcpFeedback {
  let keyframeRequests = 0;
  let nackedPackets = 0;
  let offset = 0;
  while (offset + 4 <= packet.length) {
    const first = packet[offset];
    if (first >> 6 !== 2) break;
    const format = first & 0x1f;
    const type = packet[offset + 1];
    const length = (packet.readUInt16BE(offset + 2) + 1) * 4;
    if (offset + length > packet.length) break;
    if (type === PT_PSFB && (format === FMT_PLI || format === FMT_FIR)) keyframeRequests += 1;
    if (type === PT_RTPFB && format === FMT_NACK) {
      // Header (4), sender SSRC (4), media SSRC (4), then PID/BLP pairs.
      for (let fci = offset + 12; fci + 4 <= offset + length; fci += 4)
        nackedPackets += 1 + bits(packet.readUInt16BE(fci + 2));
    }
    offset += length;
  }
  return { keyframeRequests, nackedPackets };
}
