import type { MjpegFraming } from './mjpeg-part';

/** What a stream request says about its client. */
export interface FramingHints {
  /** Sec-Fetch-Dest: what the browser will do with the response ("image" for an <img>). */
  readonly fetchDest?: string;
  readonly accept?: string;
  /** ?advance_headers=0|1, µStreamer's name: forces a framing for clients that know they need it. */
  readonly advanceHeaders?: boolean;
}

/** Destinations where a browser paints the stream itself (an <img>, a tab, a frame). */
const PAINTED = new Set(['image', 'document', 'iframe', 'frame', 'embed', 'object']);

/**
 * Browsers paint on time only with `advance-headers`; everything that reads the bytes itself
 * (ffmpeg, OpenCV, VLC, Home Assistant, fetch()-based players, which send `Sec-Fetch-Dest: empty`)
 * needs each part's Content-Length. Browsers too old for Sec-Fetch-Dest (Safari before 16.4) still
 * ask for images with an Accept list that starts with image types; tools send Accept: *\/*.
 */
export function chooseFraming(hints: FramingHints): MjpegFraming {
  if (hints.advanceHeaders !== undefined)
    return hints.advanceHeaders ? 'advance-headers' : 'content-length';
  const dest = hints.fetchDest?.trim().toLowerCase();
  if (dest !== undefined && dest !== '')
    return PAINTED.has(dest) ? 'advance-headers' : 'content-length';
  return /^\s*image\//i.test(hints.accept ?? '') ? 'advance-headers' : 'content-length';
}
