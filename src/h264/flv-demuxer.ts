/*
 * FLV, as ffmpeg writes it to a pipe (`-f flv`): a 9-byte header, then tags, each with its type,
 * its size and its timestamp. camfeed reads H.264 from encoders this way because every video tag
 * is exactly one picture: a frame is complete the moment its tag is, without waiting for the next
 * picture's start code as raw Annex-B would need.
 */

const HEADER_BYTES = 9;
const TAG_HEADER_BYTES = 11;
const PREVIOUS_TAG_SIZE_BYTES = 4;
const VIDEO_TAG = 9;
const AVC_CODEC_ID = 7;

export interface FlvVideoTag {
  /** Decode timestamp in ms (FLV's own clock, from 0). */
  readonly timestampMs: number;
  readonly keyframe: boolean;
  /** 0: the AVCDecoderConfigurationRecord (SPS/PPS); 1: NAL units; 2: end of sequence. */
  readonly packetType: number;
  /** Composition time offset in ms (B-frames; 0 for camfeed's encoders). */
  readonly compositionMs: number;
  /** The packet after the 5-byte AVC video header: a configuration record or length-prefixed NALs. */
  readonly payload: Buffer;
}

/** Splits an FLV byte stream into its H.264 video tags; other tags (audio, script) are skipped. */
export class FlvDemuxer {
  private buffer: Buffer = Buffer.alloc(0);
  private headerRead = false;

  constructor(private readonly maxTagBytes = 16 * 1024 * 1024) {}

  push(chunk: Buffer): FlvVideoTag[] {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    const tags: FlvVideoTag[] = [];
    let offset = 0;
    if (!this.headerRead) {
      if (this.buffer.length < HEADER_BYTES + PREVIOUS_TAG_SIZE_BYTES) return tags;
      if (this.buffer.toString('latin1', 0, 3) !== 'FLV') throw new Error('not an FLV stream');
      offset = this.buffer.readUInt32BE(5) + PREVIOUS_TAG_SIZE_BYTES;
      this.headerRead = true;
    }
    for (;;) {
      if (this.buffer.length - offset < TAG_HEADER_BYTES) break;
      const type = this.buffer[offset] & 0x1f;
      const size = this.buffer.readUIntBE(offset + 1, 3);
      if (size > this.maxTagBytes) throw new Error(`an FLV tag of ${size} bytes`);
      const total = TAG_HEADER_BYTES + size + PREVIOUS_TAG_SIZE_BYTES;
      if (this.buffer.length - offset < total) break;
      const timestampMs = this.buffer.readUIntBE(offset + 4, 3) | (this.buffer[offset + 7] << 24);
      const body = this.buffer.subarray(
        offset + TAG_HEADER_BYTES,
        offset + TAG_HEADER_BYTES + size,
      );
      if (type === VIDEO_TAG && body.length >= 5 && (body[0] & 0x0f) === AVC_CODEC_ID) {
        const composition = body.readIntBE(2, 3);
        tags.push({
          timestampMs,
          keyframe: body[0] >> 4 === 1,
          packetType: body[1],
          compositionMs: composition,
          payload: Buffer.from(body.subarray(5)),
        });
      }
      offset += total;
    }
    this.buffer = this.buffer.subarray(offset);
    return tags;
  }
}
