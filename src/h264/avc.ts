/*
 * H.264 in its AVC form (length-prefixed NAL units, parameter sets in an
 * AVCDecoderConfigurationRecord), as FLV and MP4 carry it and as camfeed hands it to the RTP
 * packetizer ("Length" separator, 4-byte lengths).
 */

export const NAL_TYPE = { slice: 1, idr: 5, sei: 6, sps: 7, pps: 8, aud: 9 } as const;

export const nalType = (header: number): number => header & 0x1f;

export interface ParameterSets {
  readonly sps: readonly Buffer[];
  readonly pps: readonly Buffer[];
  /** The NAL length field size the stream uses (1, 2 or 4 bytes). */
  readonly lengthSize: number;
  /** profile_idc, constraint flags, level_idc: what SDP calls profile-level-id. */
  readonly profileLevelId: string;
}

/** Parses an AVCDecoderConfigurationRecord (ISO/IEC 14496-15). */
export function parseAvcConfiguration(record: Buffer): ParameterSets {
  if (record.length < 7 || record[0] !== 1) throw new Error('not an AVCDecoderConfigurationRecord');
  const profileLevelId = record.subarray(1, 4).toString('hex');
  const lengthSize = (record[4] & 0x03) + 1;
  let offset = 5;
  const read = (count: number): Buffer[] => {
    const units: Buffer[] = [];
    for (let i = 0; i < count; i++) {
      if (offset + 2 > record.length) throw new Error('truncated AVCDecoderConfigurationRecord');
      const size = record.readUInt16BE(offset);
      offset += 2;
      if (offset + size > record.length) throw new Error('truncated AVCDecoderConfigurationRecord');
      units.push(Buffer.from(record.subarray(offset, offset + size)));
      offset += size;
    }
    return units;
  };
  const sps = read(record[offset++] & 0x1f);
  if (offset >= record.length) throw new Error('truncated AVCDecoderConfigurationRecord');
  const pps = read(record[offset++]);
  return { sps, pps, lengthSize, profileLevelId };
}

/** The NAL units of a length-prefixed packet. */
export function splitNals(packet: Buffer, lengthSize = 4): Buffer[] {
  const units: Buffer[] = [];
  let offset = 0;
  while (offset + lengthSize <= packet.length) {
    const size = packet.readUIntBE(offset, lengthSize);
    offset += lengthSize;
    if (size === 0 || offset + size > packet.length) break;
    units.push(packet.subarray(offset, offset + size));
    offset += size;
  }
  return units;
}

/** NAL units as one packet with 4-byte lengths, what the packetizer is set up for. */
export function joinNals(units: readonly Buffer[]): Buffer {
  const total = units.reduce((sum, unit) => sum + 4 + unit.length, 0);
  const packet = Buffer.allocUnsafe(total);
  let offset = 0;
  for (const unit of units) {
    packet.writeUInt32BE(unit.length, offset);
    unit.copy(packet, offset + 4);
    offset += 4 + unit.length;
  }
  return packet;
}

/** One picture, ready to send: 4-byte length-prefixed NALs, parameter sets before a keyframe. */
export interface AccessUnit {
  readonly data: Buffer;
  readonly keyframe: boolean;
  /** Capture time (epoch ms) or the encoder's clock: what the RTP timestamp follows. */
  readonly timestampMs: number;
}

/**
 * A picture from a length-prefixed packet: NALs re-framed with 4-byte lengths (the packetizer's
 * setting), AUDs dropped (RTP has its own framing), and for a keyframe the parameter sets put in
 * front, so a viewer can start decoding from it alone.
 */
export function accessUnitOf(
  packet: Buffer,
  keyframe: boolean,
  timestampMs: number,
  parameters: ParameterSets | undefined,
): AccessUnit {
  const units = splitNals(packet, parameters?.lengthSize ?? 4).filter(
    (unit) => nalType(unit[0]) !== NAL_TYPE.aud,
  );
  const types = new Set(units.map((unit) => nalType(unit[0])));
  const isKey = keyframe || types.has(NAL_TYPE.idr);
  const prefix: Buffer[] = [];
  if (isKey && parameters !== undefined) {
    if (!types.has(NAL_TYPE.sps)) prefix.push(...parameters.sps);
    if (!types.has(NAL_TYPE.pps)) prefix.push(...parameters.pps);
  }
  return { data: joinNals([...prefix, ...units]), keyframe: isKey, timestampMs };
}
