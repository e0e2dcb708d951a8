/*
 * Motion-JPEG over HTTP: one endless multipart/x-mixed-replace response, one JPEG per part.
 *
 * Two framings, both valid multipart, because the two kinds of client disagree on what completes
 * a part:
 *
 * - `content-length` (players, ffmpeg, OpenCV, Home Assistant, fetch()-based players): each part's
 *   headers carry Content-Length and X-Timestamp, and the boundary follows the JPEG at once, so
 *   a client can take the part the moment its bytes arrive, without scanning the JPEG.
 * - `advance-headers` (browsers showing an <img>): Chromium and WebKit paint a part only once the
 *   next part's header block has arrived (crbug 527446), so the boundary *and the next part's
 *   headers* follow each JPEG straight away. Those headers are written before the next frame
 *   exists, so they cannot say its length (µStreamer's `advance_headers`).
 */

export const BOUNDARY = 'frame';
export const MJPEG_CONTENT_TYPE = `multipart/x-mixed-replace; boundary=${BOUNDARY}`;

export const MJPEG_FRAMINGS = ['content-length', 'advance-headers'] as const;
export type MjpegFraming = (typeof MJPEG_FRAMINGS)[number];

const DELIMITER = `--${BOUNDARY}\r\n`;
const ADVANCE_HEADERS = 'Content-Type: image/jpeg\r\n\r\n';

/** Sent once, right after the response headers, per framing. */
export const STREAM_PREAMBLES: Readonly<Record<MjpegFraming, Buffer>> = {
  'content-length': Buffer.from(DELIMITER, 'latin1'),
  'advance-headers': Buffer.from(DELIMITER + ADVANCE_HEADERS, 'latin1'),
};

const TRAILERS: Readonly<Record<MjpegFraming, Buffer>> = {
  'content-length': Buffer.from(`\r\n${DELIMITER}`, 'latin1'),
  'advance-headers': Buffer.from(`\r\n${DELIMITER}${ADVANCE_HEADERS}`, 'latin1'),
};

/** Unix time in seconds with microseconds, the X-Timestamp format of mjpg-streamer and µStreamer. */
export function formatTimestamp(epochMs: number): string {
  return (epochMs / 1000).toFixed(6);
}

/**
 * One complete part in `framing`, in one buffer: built once per frame and written as-is to every
 * viewer that uses this framing.
 */
export function encodeMjpegPart(
  jpeg: Uint8Array,
  capturedAtMs: number,
  framing: MjpegFraming = 'content-length',
): Buffer {
  const head =
    framing === 'content-length'
      ? `Content-Type: image/jpeg\r\nContent-Length: ${jpeg.length}\r\n` +
        `X-Timestamp: ${formatTimestamp(capturedAtMs)}\r\n\r\n`
      : '';
  const trailer = TRAILERS[framing];
  const headLength = Buffer.byteLength(head, 'latin1');
  const part = Buffer.allocUnsafe(headLength + jpeg.length + trailer.length);
  part.write(head, 0, 'latin1');
  part.set(jpeg, headLength);
  trailer.copy(part, headLength + jpeg.length);
  return part;
}
