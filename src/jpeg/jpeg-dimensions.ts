import { readExifOrientation } from './exif-orientation';

export interface JpegDimensions {
  readonly width: number;
  readonly height: number;
}

const SOI = 0xd8;
const SOS = 0xda;

/** Start-of-frame markers C0–CF carry the image size; C4 (DHT), C8 (JPG) and CC (DAC) do not. */
function isStartOfFrame(marker: number): boolean {
  return marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
}

/** Markers that stand alone, without a length field. */
function isStandalone(marker: number): boolean {
  return marker === 0x01 || (marker >= 0xd0 && marker <= 0xd9);
}

/**
 * The size a viewer sees: the frame header's size, turned by an EXIF orientation of 5 to 8
 * (which browsers apply when they show the picture).
 */
export function readDisplayDimensions(jpeg: Uint8Array): JpegDimensions | undefined {
  const size = readJpegDimensions(jpeg);
  if (size === undefined || readExifOrientation(jpeg) < 5) return size;
  return { width: size.height, height: size.width };
}

/**
 * Reads a JPEG's width and height from its start-of-frame header without decoding it. Returns
 * undefined for anything that is not a JPEG with a frame header before its scan data. It only
 * walks the segment headers, so it costs well under a microsecond per frame.
 */
export function readJpegDimensions(jpeg: Uint8Array): JpegDimensions | undefined {
  if (jpeg.length < 4 || jpeg[0] !== 0xff || jpeg[1] !== SOI) return undefined;
  let pos = 2;
  while (pos + 4 <= jpeg.length) {
    if (jpeg[pos] !== 0xff) return undefined;
    const marker = jpeg[pos + 1];
    if (marker === 0xff) {
      pos += 1; // fill byte
      continue;
    }
    if (isStandalone(marker)) {
      pos += 2;
      continue;
    }
    if (marker === SOS) return undefined;
    const length = (jpeg[pos + 2] << 8) | jpeg[pos + 3];
    if (length < 2) return undefined;
    if (isStartOfFrame(marker)) {
      if (pos + 9 > jpeg.length) return undefined;
      const height = (jpeg[pos + 5] << 8) | jpeg[pos + 6];
      const width = (jpeg[pos + 7] << 8) | jpeg[pos + 8];
      return width > 0 && height > 0 ? { width, height } : undefined;
    }
    pos += 2 + length;
  }
  return undefined;
}
