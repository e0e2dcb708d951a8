import { withHuffmanTables } from './huffman-tables';
import { EOI, isStandaloneMarker, SOI, SOS } from './jpeg-segments';

export interface JpegSplitterOptions {
  /** A frame growing past this is dropped, so a broken source cannot exhaust memory. */
  readonly maxFrameBytes?: number;
  /** Frames smaller than this are bogus (µStreamer's default minimum is 128 bytes). */
  readonly minFrameBytes?: number;
  /** Insert the standard Huffman tables into frames without them (UVC webcams; see huffman-tables). */
  readonly insertHuffmanTables?: boolean;
}

export interface JpegSplitterStats {
  frames: number;
  truncated: number;
  oversized: number;
  tiny: number;
  garbageBytes: number;
}

const enum State {
  SeekStart,
  Marker,
  LengthHigh,
  LengthLow,
  SegmentBody,
  ScanData,
}

const FF = Buffer.from([0xff]);
const EMPTY = Buffer.alloc(0);
const SOI_SEQUENCE = Buffer.from([0xff, SOI, 0xff]);

/**
 * The largest payload each kind of header segment can have (length field excluded), for up to
 * four colour components: a length beyond it means the frame was cut inside its headers.
 */
function maxSegmentPayload(marker: number): number {
  if (marker === SOS) return 1 + 2 * 4 + 3;
  if (marker === 0xdd) return 2; // DRI
  if (marker === 0xdb) return 4 * (1 + 128); // DQT: four 16-bit tables
  if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
    return 6 + 3 * 4; // SOFn
  }
  return 4 * (1 + 16 + 256); // DHT with all four tables full, and the rare others
}

/** APPn and COM segments carry arbitrary data, such as an EXIF thumbnail (a whole JPEG). */
function mayHoldImages(marker: number): boolean {
  return (marker >= 0xe0 && marker <= 0xef) || marker === 0xfe;
}

/**
 * Cuts a byte stream (a camera's stdout, an HTTP body) into complete JPEG images.
 *
 * It follows the JPEG structure rather than searching for FF D8 / FF D9: header segments are
 * skipped by their length, so an EXIF thumbnail (a whole JPEG inside APP1) never ends a frame
 * early; scan data is searched for markers with indexOf. It copes with frames split across
 * chunks, garbage between frames, frames cut short (a new SOI before EOI), oversized and tiny
 * frames. Each emitted frame is one new buffer, copied once.
 */
export class JpegSplitter {
  readonly stats: JpegSplitterStats = {
    frames: 0,
    truncated: 0,
    oversized: 0,
    tiny: 0,
    garbageBytes: 0,
  };
  private readonly maxFrameBytes: number;
  private readonly minFrameBytes: number;
  private readonly insertHuffmanTables: boolean;
  private state = State.SeekStart;
  /** The previous byte (possibly in the previous chunk) was 0xFF. */
  private afterFF = false;
  /** Pieces of the current frame from earlier chunks. */
  private pieces: Buffer[] = [];
  private piecesBytes = 0;
  private marker = 0;
  private remaining = 0;
  /** The low byte of the current segment's length field. */
  private lengthLow = 0;
  private segmentStart = false;
  /** The current frame has reached its image data (a header alone is no picture). */
  private sawScan = false;
  /**
   * The last bytes of a header segment's body that continues in the next chunk, so that a new
   * SOI split across the two chunks is still seen.
   */
  private bodyTail: Buffer = EMPTY;

  /**
   * Only the headers before the first scan carry embedded images (EXIF thumbnails). A segment
   * between scans is a table; an APPn or COM there with a huge length is a frame that was cut and
   * continues with random bytes, and must not swallow the frames that follow.
   */
  private segmentMayHoldImages(): boolean {
    return mayHoldImages(this.marker) && !this.sawScan;
  }

  constructor(options: JpegSplitterOptions = {}) {
    this.maxFrameBytes = options.maxFrameBytes ?? 16 * 1024 * 1024;
    this.minFrameBytes = options.minFrameBytes ?? 128;
    this.insertHuffmanTables = options.insertHuffmanTables ?? false;
  }

  /** Feeds the next chunk; returns the frames it completed, in order. */
  push(chunk: Buffer): Buffer[] {
    const frames: Buffer[] = [];
    const length = chunk.length;
    /** Where the current frame starts in this chunk (0 if it started in an earlier one). */
    let start = this.state === State.SeekStart ? -1 : 0;
    let pos = 0;

    const beginFrame = (sofOffset: number): void => {
      // sofOffset is where D8 is; its FF is just before it, possibly in the previous chunk.
      if (sofOffset === 0) {
        this.pieces = [FF];
        this.piecesBytes = 1;
        start = 0;
      } else {
        this.pieces = [];
        this.piecesBytes = 0;
        start = sofOffset - 1;
      }
      this.state = State.Marker;
      this.afterFF = false;
      this.sawScan = false;
      this.bodyTail = EMPTY;
    };
    const dropFrame = (reason: 'truncated' | 'oversized'): void => {
      this.stats[reason] += 1;
      this.pieces = [];
      this.piecesBytes = 0;
      start = -1;
      this.state = State.SeekStart;
    };
    /**
     * The headers broke off (no marker where one must be, an impossible segment length): this
     * frame was cut short, and the next one may have begun inside what looked like its headers.
     * Drop it and search its bytes again, after its SOI.
     */
    const rescanAfterError = (errorAt: number): void => {
      const replay = Buffer.concat([...this.pieces, chunk.subarray(start, errorAt)]).subarray(2);
      dropFrame('truncated');
      this.afterFF = false;
      frames.push(...this.push(replay));
      // A frame the rescan left open has its bytes in pieces and continues here.
      start = this.state === State.SeekStart ? -1 : errorAt;
    };
    const endFrame = (end: number): void => {
      const size = this.piecesBytes + (end - start);
      if (!this.sawScan) {
        this.stats.truncated += 1;
      } else if (size > this.maxFrameBytes) {
        this.stats.oversized += 1;
      } else if (size < this.minFrameBytes) {
        this.stats.tiny += 1;
      } else {
        const last = chunk.subarray(start, end);
        let frame: Buffer =
          this.pieces.length === 0
            ? Buffer.from(last)
            : Buffer.concat([...this.pieces, last], size);
        if (this.insertHuffmanTables) frame = withHuffmanTables(frame);
        this.stats.frames += 1;
        frames.push(frame);
      }
      this.pieces = [];
      this.piecesBytes = 0;
      start = -1;
      this.state = State.SeekStart;
      this.afterFF = false;
    };

    while (pos < length) {
      switch (this.state) {
        case State.SeekStart: {
          if (this.afterFF) {
            this.afterFF = false;
            if (chunk[pos] === SOI) {
              beginFrame(pos);
              pos += 1;
              break;
            }
          }
          const ff = chunk.indexOf(0xff, pos);
          if (ff === -1) {
            this.stats.garbageBytes += length - pos;
            pos = length;
            break;
          }
          this.stats.garbageBytes += ff - pos;
          if (ff === length - 1) {
            this.afterFF = true;
            pos = length;
          } else if (chunk[ff + 1] === SOI) {
            beginFrame(ff + 1);
            pos = ff + 2;
          } else {
            this.stats.garbageBytes += 1;
            pos = ff + 1;
          }
          break;
        }
        case State.Marker: {
          const byte = chunk[pos];
          if (!this.afterFF) {
            if (byte !== 0xff) {
              rescanAfterError(pos);
              break;
            }
            this.afterFF = true;
            pos += 1;
            break;
          }
          pos += 1;
          if (byte === 0xff) break; // fill byte
          this.afterFF = false;
          if (byte === SOI) {
            dropFrame('truncated');
            beginFrame(pos - 1);
          } else if (byte === EOI) {
            endFrame(pos);
          } else if (!isStandaloneMarker(byte)) {
            this.marker = byte;
            this.state = State.LengthHigh;
          }
          break;
        }
        case State.LengthHigh:
          this.remaining = chunk[pos] << 8;
          this.state = State.LengthLow;
          pos += 1;
          break;
        case State.LengthLow:
          this.lengthLow = chunk[pos];
          this.segmentStart = true;
          this.remaining = (this.remaining | chunk[pos]) - 2;
          pos += 1;
          if (
            this.remaining < 0 ||
            (!this.segmentMayHoldImages() && this.remaining > maxSegmentPayload(this.marker))
          ) {
            rescanAfterError(pos);
          } else {
            this.state = State.SegmentBody;
          }
          break;
        case State.SegmentBody: {
          const take = Math.min(this.remaining, length - pos);
          const firstByte = this.segmentStart;
          this.segmentStart = false;
          if (
            !this.segmentMayHoldImages() &&
            firstByte &&
            this.lengthLow === 0xff &&
            chunk[pos] === SOI
          ) {
            // The "length" ended in the FF of a new SOI: the frame was cut inside its headers.
            dropFrame('truncated');
            beginFrame(pos);
            pos += 1;
            break;
          }
          if (!this.segmentMayHoldImages() && !firstByte && this.bodyTail.length > 0) {
            // The same, with the SOI split between the previous chunk and this one.
            const joined = Buffer.concat([this.bodyTail, chunk.subarray(pos, pos + 2)]);
            const at = joined.indexOf(SOI_SEQUENCE);
            if (at !== -1 && at < this.bodyTail.length) {
              const replay = Buffer.concat([this.bodyTail.subarray(at), chunk.subarray(pos)]);
              dropFrame('truncated');
              this.afterFF = false;
              this.bodyTail = EMPTY;
              frames.push(...this.push(replay));
              // The replay took the rest of this chunk, and kept what it left open.
              return frames;
            }
          }
          if (!this.segmentMayHoldImages()) {
            // Tables and frame headers never contain SOI followed by a marker; seeing one means
            // this frame was cut inside its headers and the next one starts here.
            const next = chunk.indexOf(SOI_SEQUENCE, pos);
            if (next !== -1 && next < pos + take) {
              dropFrame('truncated');
              beginFrame(next + 1);
              pos = next + 2;
              break;
            }
          }
          pos += take;
          this.remaining -= take;
          this.bodyTail =
            this.remaining > 0 && !this.segmentMayHoldImages()
              ? Buffer.from(
                  Buffer.concat([this.bodyTail, chunk.subarray(pos - take, pos)]).subarray(-2),
                )
              : EMPTY;
          if (this.remaining === 0) {
            this.sawScan ||= this.marker === SOS;
            this.state = this.marker === SOS ? State.ScanData : State.Marker;
          }
          break;
        }
        case State.ScanData: {
          if (this.afterFF) {
            this.afterFF = false;
            const byte = chunk[pos];
            pos += 1;
            if (byte === 0x00 || (byte >= 0xd0 && byte <= 0xd7)) break; // stuffed byte, restart marker
            if (byte === 0xff) {
              this.afterFF = true;
            } else if (byte === EOI) {
              endFrame(pos);
            } else if (byte === SOI) {
              // A new image began before this one ended: this one was cut short.
              dropFrame('truncated');
              beginFrame(pos - 1);
            } else {
              // Another segment inside the image, as between the scans of a progressive JPEG.
              this.marker = byte;
              this.state = isStandaloneMarker(byte) ? State.ScanData : State.LengthHigh;
            }
            break;
          }
          const ff = chunk.indexOf(0xff, pos);
          if (ff === -1) {
            pos = length;
          } else {
            pos = ff + 1;
            this.afterFF = true;
          }
          break;
        }
      }
    }

    if (this.state !== State.SeekStart && start !== -1) {
      const rest = chunk.subarray(start);
      if (this.piecesBytes + rest.length > this.maxFrameBytes) {
        dropFrame('oversized');
        this.afterFF = false;
      } else {
        this.pieces.push(rest);
        this.piecesBytes += rest.length;
      }
    }
    return frames;
  }
}

/** Splits an async stream of chunks into JPEG frames. */
export async function* splitJpegStream(
  chunks: AsyncIterable<Buffer>,
  options: JpegSplitterOptions = {},
): AsyncGenerator<Buffer> {
  const splitter = new JpegSplitter(options);
  for await (const chunk of chunks) {
    for (const frame of splitter.push(chunk)) yield frame;
  }
}
