import { randomBytes } from 'node:crypto';
import {
  MAX_PICTURE_BYTES,
  PIECE_HEADER_BYTES,
  PIECE_KINDS,
  PieceAssembler,
  type PictureMeta,
  readPieceHeader,
  splitIntoPieces,
} from './frame-pieces';

const meta = (seq: number, epoch = 7): PictureMeta => ({
  kind: PIECE_KINDS.jpeg,
  epoch,
  seq,
  capturedAt: 1_733_000_000_123.456,
  width: 640,
  height: 480,
});

describe(splitIntoPieces.name, () => {
  it('should fit a picture in one message when it can', () => {
    const data = randomBytes(1000);
    const pieces = splitIntoPieces(meta(1), data, 4096);
    expect(pieces).toHaveLength(1);
    expect(pieces[0].length).toBe(PIECE_HEADER_BYTES + 1000);
    expect(pieces[0].subarray(PIECE_HEADER_BYTES)).toEqual(data);
  });

  it('should never make a message larger than the limit', () => {
    const data = randomBytes(10_000);
    const pieces = splitIntoPieces(meta(1), data, 1024);
    expect(pieces).toHaveLength(Math.ceil(10_000 / (1024 - PIECE_HEADER_BYTES)));
    for (const piece of pieces) expect(piece.length).toBeLessThanOrEqual(1024);
    expect(pieces.map((piece) => readPieceHeader(piece)?.index)).toEqual(pieces.map((_, i) => i));
  });

  it('should carry an empty picture in one piece', () => {
    expect(splitIntoPieces(meta(1), Buffer.alloc(0), 100)).toHaveLength(1);
  });

  it('should refuse a limit too small for its header', () => {
    expect(() => splitIntoPieces(meta(1), randomBytes(10), PIECE_HEADER_BYTES)).toThrow(
      /cannot carry/,
    );
  });
});

describe(PieceAssembler.name, () => {
  it('should give back the same bytes and the capture time, size and kind', () => {
    const sut = new PieceAssembler();
    const data = randomBytes(50_000);
    const pieces = splitIntoPieces(meta(3), data, 4000);
    const results = pieces.map((piece) => sut.push(piece));
    expect(results.slice(0, -1).every((result) => result === undefined)).toBe(true);
    const picture = results.at(-1);
    expect(picture?.data.equals(data)).toBe(true);
    expect(picture).toMatchObject({ ...meta(3), kind: PIECE_KINDS.jpeg });
    expect(sut.dropped).toBe(0);
  });

  it('should drop a picture that lost a middle piece, and take the next one whole', () => {
    const sut = new PieceAssembler();
    const first = splitIntoPieces(meta(1), randomBytes(9000), 2000);
    const second = randomBytes(9000);
    for (const [index, piece] of first.entries())
      if (index !== 2) expect(sut.push(piece)).toBe(undefined);
    const pieces = splitIntoPieces(meta(2), second, 2000);
    const last = pieces.map((piece) => sut.push(piece)).at(-1);
    expect(last?.data.equals(second)).toBe(true);
    expect(last?.seq).toBe(2);
    expect(sut.dropped).toBe(1);
  });

  it('should drop a picture that lost its last piece when the next picture begins', () => {
    const sut = new PieceAssembler();
    const first = splitIntoPieces(meta(1), randomBytes(5000), 2000);
    for (const piece of first.slice(0, -1)) sut.push(piece);
    const next = randomBytes(100);
    expect(sut.push(splitIntoPieces(meta(2), next, 2000)[0])?.data.equals(next)).toBe(true);
    expect(sut.dropped).toBe(1);
  });

  it('should wait for the next picture when it joins in the middle of one', () => {
    const sut = new PieceAssembler();
    const first = splitIntoPieces(meta(1), randomBytes(5000), 2000);
    for (const piece of first.slice(1)) expect(sut.push(piece)).toBe(undefined);
    const next = randomBytes(3000);
    expect(
      splitIntoPieces(meta(2), next, 2000)
        .map((p) => sut.push(p))
        .at(-1)?.data,
    ).toEqual(next);
  });

  it('should never join pieces of two publishers runs (another epoch) into one picture', () => {
    const sut = new PieceAssembler();
    const before = splitIntoPieces(meta(5, 1), randomBytes(5000), 2000);
    const after = splitIntoPieces(meta(5, 2), randomBytes(5000), 2000);
    // Same seq and size, another epoch: a restarted owner whose counter met the old one.
    expect(sut.push(before[0])).toBe(undefined);
    expect(sut.push(after[1])).toBe(undefined);
    expect(sut.push(before[2])).toBe(undefined);
    expect(sut.dropped).toBeGreaterThanOrEqual(1);
    const whole = after.map((piece) => sut.push(piece)).at(-1);
    expect(whole?.epoch).toBe(2);
  });

  it('should count messages that are not pieces and ignore them', () => {
    const sut = new PieceAssembler();
    expect(sut.push(Buffer.from('hello, this is not a piece of any picture'))).toBe(undefined);
    expect(sut.push(Buffer.alloc(0))).toBe(undefined);
    expect(sut.malformed).toBe(2);
  });

  it('should refuse a piece that announces a picture larger than any', () => {
    const sut = new PieceAssembler();
    const [piece] = splitIntoPieces(meta(1), randomBytes(100), 2000);
    piece.writeUInt32BE(MAX_PICTURE_BYTES + 1, 16);
    expect(readPieceHeader(piece)).toBeUndefined();
    expect(sut.push(piece)).toBe(undefined);
    expect(sut.malformed).toBe(1);
  });

  it.each([NaN, Infinity, -1])('should refuse a piece captured at %d, which is no time', (at) => {
    const sut = new PieceAssembler();
    const [piece] = splitIntoPieces(meta(1), randomBytes(100), 2000);
    piece.writeDoubleBE(at, 20);
    expect(sut.push(piece)).toBe(undefined);
    expect(sut.malformed).toBe(1);
  });

  it('should refuse a piece whose lengths do not add up', () => {
    const sut = new PieceAssembler();
    const [piece] = splitIntoPieces(meta(1), randomBytes(100), 2000);
    piece.writeUInt32BE(99, 16);
    expect(sut.push(piece)).toBe(undefined);
    expect(sut.dropped).toBe(1);
  });
});
