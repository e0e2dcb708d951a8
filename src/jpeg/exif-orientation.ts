import { APP1, appSegmentOffset, buildSegment, headerSegments, insertAt } from './jpeg-segments';

const EXIF_HEADER = Buffer.from('Exif\0\0', 'latin1');
const ORIENTATION_TAG = 0x0112;

/** EXIF orientation values that tell a viewer to turn the picture by 90 or 270 degrees. */
export const ORIENTATION_ROTATE_90 = 6;
export const ORIENTATION_ROTATE_270 = 8;

/** An APP1 segment holding only an EXIF orientation (a 1-entry IFD0, little-endian TIFF). */
export function orientationSegment(orientation: number): Buffer {
  const tiff = Buffer.alloc(8 + 2 + 12 + 4);
  tiff.write('II', 0, 'latin1');
  tiff.writeUInt16LE(42, 2);
  tiff.writeUInt32LE(8, 4); // IFD0 right after the header
  tiff.writeUInt16LE(1, 8); // one entry
  tiff.writeUInt16LE(ORIENTATION_TAG, 10);
  tiff.writeUInt16LE(3, 12); // SHORT
  tiff.writeUInt32LE(1, 14); // count
  tiff.writeUInt16LE(orientation, 18);
  tiff.writeUInt32LE(0, 22); // no next IFD
  return buildSegment(APP1, Buffer.concat([EXIF_HEADER, tiff]));
}

/**
 * Marks a JPEG with an EXIF orientation instead of re-encoding it: browsers turn the picture when
 * they show it (CSS image-orientation: from-image is the default), and it costs 36 bytes, not a
 * decode and encode of every frame.
 */
export function withOrientation(jpeg: Buffer, segment: Buffer): Buffer {
  return insertAt(jpeg, appSegmentOffset(jpeg), segment);
}

/** The EXIF orientation of a JPEG (1–8), or 1 if it has none. */
export function readExifOrientation(jpeg: Uint8Array): number {
  const buffer = Buffer.from(jpeg.buffer, jpeg.byteOffset, jpeg.byteLength);
  for (const segment of headerSegments(jpeg)) {
    if (segment.marker !== APP1) continue;
    const start = segment.offset + 4;
    if (!buffer.subarray(start, start + 6).equals(EXIF_HEADER)) continue;
    const tiff = start + 6;
    if (tiff + 8 > segment.end) return 1;
    const little = buffer.toString('latin1', tiff, tiff + 2) === 'II';
    const u16 = (at: number): number =>
      little ? buffer.readUInt16LE(at) : buffer.readUInt16BE(at);
    const u32 = (at: number): number =>
      little ? buffer.readUInt32LE(at) : buffer.readUInt32BE(at);
    const ifd = tiff + u32(tiff + 4);
    if (ifd + 2 > segment.end) return 1;
    const entries = u16(ifd);
    for (let i = 0; i < entries; i++) {
      const entry = ifd + 2 + i * 12;
      if (entry + 12 > segment.end) break;
      if (u16(entry) === ORIENTATION_TAG) {
        const value = u16(entry + 8);
        return value >= 1 && value <= 8 ? value : 1;
      }
    }
    return 1;
  }
  return 1;
}
