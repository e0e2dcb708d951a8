import type { Frame } from '../camera/producer/frame';
import { encodeMjpegPart } from './mjpeg-part';
import { MjpegPartCache } from './mjpeg-part-cache';

const frame = (seq: number): Frame => ({
  seq,
  jpeg: Buffer.from([0xff, 0xd8, seq, 0xff, 0xd9]),
  capturedAt: 1_700_000_000_000 + seq,
  width: 1,
  height: 1,
  live: true,
});

describe(MjpegPartCache.name, () => {
  it('builds each frame’s part once per framing and hands out the same buffer', () => {
    const sut = new MjpegPartCache();
    const first = frame(1);
    const part = sut.partFor(first, 'content-length');
    expect(part).toEqual(encodeMjpegPart(first.jpeg, first.capturedAt, 'content-length'));
    expect(sut.partFor(first, 'content-length')).toBe(part);
    const advance = sut.partFor(first, 'advance-headers');
    expect(advance).toEqual(encodeMjpegPart(first.jpeg, first.capturedAt, 'advance-headers'));
    expect(sut.partFor(first, 'advance-headers')).toBe(advance);
    expect(sut.partFor(first, 'content-length')).toBe(part);
  });

  it('keeps frames of different cameras apart when they interleave', () => {
    const sut = new MjpegPartCache();
    const a = frame(1);
    const b = frame(1);
    const partA = sut.partFor(a, 'content-length');
    const partB = sut.partFor(b, 'content-length');
    expect(partA).not.toBe(partB);
    expect(sut.partFor(a, 'content-length')).toBe(partA);
    expect(sut.partFor(b, 'content-length')).toBe(partB);
  });
});
