/*
 * How a picture crosses the bus. A NATS message may hold at most the server's max_payload
 * (1 MB by default, often set lower), and a large JPEG or H.264 keyframe can exceed it, so each
 * picture is sent as one or more pieces, each a message of its own with a fixed header:
 *
 *   0  u8   magic 0xCF           8  u32  seq (per publisher)      20  f64  capture time, epoch ms
 *   1  u8   version 1           12  u16  piece index              28  u16  width
 *   2  u8   kind                14  u16  piece count              30  u16  height
 *   3  u8   flags (0)           16  u32  total length of the picture
 *   4  u32  epoch (a random number per publisher run, so a restarted owner's seq 1 is new)
 *
 * Pieces of one picture follow each other on one subject from one publisher (NATS keeps a
 * publisher's order). A picture is complete when pieces 0..count-1 of the same epoch and seq
 * arrived in order and their lengths add up; a missing piece drops that picture, never joins
 * pieces of two pictures into one.
 */

export const PIECE_HEADER_BYTES = 32;
/** No picture is bigger: a piece announcing more is not one of camfeed's (or an attack). */
export const MAX_PICTURE_BYTES = 64 * 1024 * 1024;
const MAGIC = 0xcf;
const VERSION = 1;
const MAX_PIECES = 0xffff;

export const PIECE_KINDS = {
  /** A camera frame. */
  jpeg: 1,
  /** The owner's "no signal" picture: a JPEG, but not the camera's. */
  placeholder: 2,
  /** An H.264 access unit (AVC, 4-byte lengths) that is not a keyframe. */
  h264: 3,
  /** An H.264 keyframe, its parameter sets in front. */
  h264Keyframe: 4,
  /** A JSON document (a control reply). */
  json: 5,
} as const;
export type PieceKind = (typeof PIECE_KINDS)[keyof typeof PIECE_KINDS];
const KIND_VALUES = new Set<number>(Object.values(PIECE_KINDS));

export interface PictureMeta {
  readonly kind: PieceKind;
  readonly epoch: number;
  readonly seq: number;
  readonly capturedAt: number;
  readonly width: number;
  readonly height: number;
}

export interface Picture extends PictureMeta {
  readonly data: Buffer;
}

/**
 * The messages that carry `data`: as few as `maxMessageBytes` (the server's max_payload) allows.
 * The payload is copied once into the messages, whatever the number of subscribers.
 */
export function splitIntoPieces(
  meta: PictureMeta,
  data: Buffer,
  maxMessageBytes: number,
): Buffer[] {
  const room = maxMessageBytes - PIECE_HEADER_BYTES;
  if (room < 1) throw new Error(`a message of ${maxMessageBytes} bytes cannot carry a picture`);
  const count = Math.max(1, Math.ceil(data.length / room));
  if (count > MAX_PIECES)
    throw new Error(`a picture of ${data.length} bytes needs too many pieces`);
  const pieces: Buffer[] = [];
  for (let index = 0; index < count; index++) {
    const body = data.subarray(index * room, Math.min(data.length, (index + 1) * room));
    const piece = Buffer.allocUnsafe(PIECE_HEADER_BYTES + body.length);
    piece[0] = MAGIC;
    piece[1] = VERSION;
    piece[2] = meta.kind;
    piece[3] = 0;
    piece.writeUInt32BE(meta.epoch >>> 0, 4);
    piece.writeUInt32BE(meta.seq >>> 0, 8);
    piece.writeUInt16BE(index, 12);
    piece.writeUInt16BE(count, 14);
    piece.writeUInt32BE(data.length, 16);
    piece.writeDoubleBE(meta.capturedAt, 20);
    piece.writeUInt16BE(Math.min(meta.width, 0xffff), 28);
    piece.writeUInt16BE(Math.min(meta.height, 0xffff), 30);
    body.copy(piece, PIECE_HEADER_BYTES);
    pieces.push(piece);
  }
  return pieces;
}

interface PieceHeader extends PictureMeta {
  readonly index: number;
  readonly count: number;
  readonly total: number;
}

/** The header of a piece, or undefined for anything that is not one. */
export function readPieceHeader(message: Uint8Array): PieceHeader | undefined {
  if (message.length < PIECE_HEADER_BYTES || message[0] !== MAGIC || message[1] !== VERSION) {
    return undefined;
  }
  const view = Buffer.from(message.buffer, message.byteOffset, message.byteLength);
  const kind = view[2];
  const index = view.readUInt16BE(12);
  const count = view.readUInt16BE(14);
  const total = view.readUInt32BE(16);
  if (!KIND_VALUES.has(kind) || count === 0 || index >= count || total > MAX_PICTURE_BYTES)
    return undefined;
  // A capture time that is no time would end up in X-Timestamp and in RTP timestamps.
  const capturedAt = view.readDoubleBE(20);
  if (!Number.isFinite(capturedAt) || capturedAt < 0) return undefined;
  return {
    kind: kind as PieceKind,
    epoch: view.readUInt32BE(4),
    seq: view.readUInt32BE(8),
    index,
    count,
    total,
    capturedAt,
    width: view.readUInt16BE(28),
    height: view.readUInt16BE(30),
  };
}

/**
 * Joins pieces back into pictures, for one publisher's subject. It holds at most the one picture
 * being received: a piece of another picture abandons it (counted as dropped), since a publisher
 * never interleaves two. A picture of one piece is handed out without a copy.
 */
export class PieceAssembler {
  private header: PieceHeader | undefined;
  private parts: Buffer[] = [];
  private received = 0;
  private lost: { epoch: number; seq: number } | undefined;
  /** Pictures abandoned because a piece of them never came, or came out of order. */
  dropped = 0;
  /** Messages that were not pieces at all. */
  malformed = 0;

  /** The picture `message` completes, if it completes one. */
  push(message: Uint8Array): Picture | undefined {
    const header = readPieceHeader(message);
    if (header === undefined) {
      this.malformed += 1;
      return undefined;
    }
    const body = Buffer.from(
      message.buffer,
      message.byteOffset + PIECE_HEADER_BYTES,
      message.byteLength - PIECE_HEADER_BYTES,
    );
    const current = this.header;
    if (current !== undefined) {
      const next =
        header.epoch === current.epoch &&
        header.seq === current.seq &&
        header.index === this.parts.length &&
        header.count === current.count &&
        header.total === current.total;
      if (!next) this.abandon();
    }
    if (this.header === undefined) {
      if (header.index !== 0) {
        // The start of this picture was lost: nothing to do until the next one begins.
        if (!this.isLost(header)) this.markLost(header);
        return undefined;
      }
      this.header = header;
    }
    this.parts.push(body);
    this.received += body.length;
    if (this.parts.length < header.count) {
      // More bytes than the picture has before its last piece: not pieces of one picture.
      if (this.received >= header.total) this.abandon();
      return undefined;
    }
    const complete = this.received === header.total;
    const parts = this.parts;
    this.reset();
    if (!complete) {
      this.markLost(header);
      return undefined;
    }
    const { index: _index, count: _count, total: _total, ...meta } = header;
    return { ...meta, data: parts.length === 1 ? parts[0] : Buffer.concat(parts, header.total) };
  }

  private abandon(): void {
    if (this.header !== undefined) this.markLost(this.header);
    this.reset();
  }

  /** Counts a picture as dropped once, however many of its pieces still come. */
  private markLost(header: PictureMeta): void {
    this.dropped += 1;
    this.lost = { epoch: header.epoch, seq: header.seq };
  }

  private isLost(header: PictureMeta): boolean {
    return this.lost?.epoch === header.epoch && this.lost.seq === header.seq;
  }

  private reset(): void {
    this.header = undefined;
    this.parts = [];
    this.received = 0;
  }
}
