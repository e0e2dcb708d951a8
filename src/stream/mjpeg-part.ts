/*
 * Motion-JPEG over HTTP: one endless multipart/x-mixed-replace response, one JPEG per part.
 *
 * The boundary is written after each image rather than before it, so a part is complete the
 * moment its bytes arrive and the browser can paint it at once (flask-video-streaming PR #75);
 * Content-Length lets clients frame parts without scanning the JPEG bytes (mjpg-streamer notes
 * it also fixes stream disruption in Firefox).
 */

export const BOUNDARY = 'frame';
export const MJPEG_CONTENT_TYPE = `multipart/x-mixed-replace; boundary=${BOUNDARY}`;

/** Sent once, right after the response headers: the delimiter that opens the first part. */
export const STREAM_PREAMBLE = Buffer.from(`--${BOUNDARY}\r\n`, 'latin1');

const PART_TRAILER = Buffer.from(`\r\n--${BOUNDARY}\r\n`, 'latin1');

/** Unix time in seconds with microseconds, the X-Timestamp format of mjpg-streamer and µStreamer. */
export function formatTimestamp(epochMs: number): string {
  return (epochMs / 1000).toFixed(6);
}

/**
 * One complete part: headers, blank line, the JPEG bytes and the boundary that closes it. Built
 * once per frame, in one buffer, and then written as-is to every viewer.
 */
export function encodeMjpegPart(jpeg: Uint8Array, capturedAtMs: number): Buffer {
  const head =
    `Content-Type: image/jpeg\r\nContent-Length: ${jpeg.length}\r\n` +
    `X-Timestamp: ${formatTimestamp(capturedAtMs)}\r\n\r\n`;
  const headLength = Buffer.byteLength(head, 'latin1');
  const part = Buffer.allocUnsafe(headLength + jpeg.length + PART_TRAILER.length);
  part.write(head, 0, 'latin1');
  part.set(jpeg, headLength);
  PART_TRAILER.copy(part, headLength + jpeg.length);
  return part;
}
