/*
 * Small byte-level edits of JPEG files: find where segments go, insert a segment. They work on
 * the marker structure only and never decode image data.
 */

export const SOI = 0xd8;
export const EOI = 0xd9;
export const SOS = 0xda;
export const DHT = 0xc4;
export const APP0 = 0xe0;
export const APP1 = 0xe1;
export const COM = 0xfe;

/** Markers that stand alone, without a length field (TEM, RST0–7, SOI, EOI). */
export function isStandaloneMarker(marker: number): boolean {
  return marker === 0x01 || (marker >= 0xd0 && marker <= 0xd9);
}

export interface Segment {
  readonly marker: number;
  /** Offset of the 0xFF that starts the segment. */
  readonly offset: number;
  /** Offset just past the segment (its length field included). */
  readonly end: number;
}

/** The header segments of a JPEG, from after SOI up to and including SOS. */
export function headerSegments(jpeg: Uint8Array): Segment[] {
  const segments: Segment[] = [];
  if (jpeg.length < 4 || jpeg[0] !== 0xff || jpeg[1] !== SOI) return segments;
  let pos = 2;
  while (pos + 4 <= jpeg.length) {
    if (jpeg[pos] !== 0xff) break;
    const marker = jpeg[pos + 1];
    if (marker === 0xff) {
      pos += 1;
      continue;
    }
    if (isStandaloneMarker(marker)) {
      pos += 2;
      continue;
    }
    const end = pos + 2 + ((jpeg[pos + 2] << 8) | jpeg[pos + 3]);
    segments.push({ marker, offset: pos, end });
    if (marker === SOS) break;
    pos = end;
  }
  return segments;
}

/** A segment with `marker` and `payload` (the length field is added). */
export function buildSegment(marker: number, payload: Uint8Array): Buffer {
  const segment = Buffer.alloc(4 + payload.length);
  segment[0] = 0xff;
  segment[1] = marker;
  segment.writeUInt16BE(payload.length + 2, 2);
  segment.set(payload, 4);
  return segment;
}

/** A copy of `jpeg` with `segment` inserted at `offset`. */
export function insertAt(jpeg: Uint8Array, offset: number, segment: Uint8Array): Buffer {
  const result = Buffer.allocUnsafe(jpeg.length + segment.length);
  result.set(jpeg.subarray(0, offset), 0);
  result.set(segment, offset);
  result.set(jpeg.subarray(offset), offset + segment.length);
  return result;
}

/** Where an APP segment belongs: after SOI and after a JFIF APP0, before everything else. */
export function appSegmentOffset(jpeg: Uint8Array): number {
  const first = headerSegments(jpeg)[0];
  return first !== undefined && first.marker === APP0 ? first.end : 2;
}
