import { randomBytes } from 'node:crypto';
import sharp, { type JpegOptions } from 'sharp';
import { appSegmentOffset, buildSegment, APP1, insertAt } from './jpeg-segments';
import { JpegSplitter, splitJpegStream } from './jpeg-splitter';

const noisy = async (width: number, height: number, options: JpegOptions = {}): Promise<Buffer> =>
  sharp(randomBytes(width * height * 3), { raw: { width, height, channels: 3 } })
    .jpeg(options)
    .toBuffer();

function feed(splitter: JpegSplitter, data: Buffer, chunkSize: number): Buffer[] {
  const frames: Buffer[] = [];
  for (let offset = 0; offset < data.length; offset += chunkSize) {
    frames.push(...splitter.push(data.subarray(offset, offset + chunkSize)));
  }
  return frames;
}

describe(JpegSplitter.name, () => {
  let a: Buffer;
  let b: Buffer;
  let c: Buffer;

  beforeAll(async () => {
    [a, b, c] = await Promise.all([
      noisy(64, 48),
      noisy(80, 60, { quality: 50 }),
      noisy(32, 32, { progressive: true }),
    ]);
  });

  it('returns each frame exactly, whatever the chunk boundaries', () => {
    const stream = Buffer.concat([a, b, c, a]);
    for (const size of [1, 2, 3, 5, 7, 64, 1000, 4096, stream.length]) {
      expect(feed(new JpegSplitter(), stream, size)).toEqual([a, b, c, a]);
    }
  });

  it('handles a frame cut at every single position', () => {
    const stream = Buffer.concat([a, b]);
    for (let cut = 1; cut < stream.length; cut++) {
      const splitter = new JpegSplitter();
      const frames = [
        ...splitter.push(stream.subarray(0, cut)),
        ...splitter.push(stream.subarray(cut)),
      ];
      expect(frames).toEqual([a, b]);
    }
  });

  it('skips garbage before, between and after frames, including stray 0xFF bytes', () => {
    const garbage = Buffer.from([0x00, 0xff, 0x12, 0xff, 0xff, 0x00, 0xd9, 0xff]);
    const splitter = new JpegSplitter();
    expect(feed(splitter, Buffer.concat([garbage, a, garbage, b, garbage]), 97)).toEqual([a, b]);
    expect(splitter.stats.garbageBytes).toBeGreaterThanOrEqual(garbage.length * 2);
  });

  it('drops a frame cut short in its image data and keeps the next one', () => {
    const splitter = new JpegSplitter();
    const cut = a.subarray(0, Math.floor(a.length * 0.6));
    expect(feed(splitter, Buffer.concat([cut, b]), 512)).toEqual([b]);
    expect(splitter.stats.truncated).toBe(1);
  });

  it('drops a frame cut short in its headers and keeps the next one', () => {
    const splitter = new JpegSplitter();
    expect(feed(splitter, Buffer.concat([a.subarray(0, 40), b]), 33)).toEqual([b]);
    expect(splitter.stats.truncated).toBe(1);
  });

  it('keeps an embedded thumbnail inside its frame instead of ending the frame there', () => {
    const thumbnail = c;
    const exif = buildSegment(APP1, Buffer.concat([Buffer.from('Exif\0\0'), thumbnail]));
    const withThumbnail = insertAt(a, appSegmentOffset(a), exif);
    expect(feed(new JpegSplitter(), Buffer.concat([withThumbnail, b]), 100)).toEqual([
      withThumbnail,
      b,
    ]);
  });

  it('passes progressive JPEGs, with tables between their scans, through whole', async () => {
    const progressive = await noisy(120, 90, { progressive: true, quality: 90 });
    const [frame] = feed(new JpegSplitter(), progressive, 50);
    expect(frame).toEqual(progressive);
    const { info } = await sharp(frame).raw().toBuffer({ resolveWithObject: true });
    expect(info.width).toBe(120);
  });

  it('drops frames over the size limit and recovers on the next', () => {
    const splitter = new JpegSplitter({
      maxFrameBytes: Math.min(a.length, b.length) - 1,
      minFrameBytes: 10,
    });
    const small = c;
    expect(feed(splitter, Buffer.concat([a, small]), 256)).toEqual([small]);
    expect(splitter.stats.oversized).toBe(1);
  });

  it('drops tiny bogus frames', () => {
    const splitter = new JpegSplitter();
    const bogus = Buffer.from([0xff, 0xd8, 0xff, 0xda, 0x00, 0x02, 0x11, 0xff, 0xd9]);
    expect(feed(splitter, Buffer.concat([bogus, a]), 10)).toEqual([a]);
    expect(splitter.stats.tiny).toBe(1);
  });

  it('yields exactly the intact frames of random mixes of frames, cut-off frames and garbage', () => {
    // A seeded generator keeps any failure reproducible.
    let seed = 12345;
    const random = (): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    const pool = [a, b, c];
    for (let trial = 0; trial < 300; trial++) {
      const parts: Buffer[] = [];
      const expected: Buffer[] = [];
      for (let item = 0; item < 8; item++) {
        const frame = pool[Math.floor(random() * pool.length)];
        const kind = random();
        if (kind < 0.6) {
          parts.push(frame);
          expected.push(frame);
        } else if (kind < 0.8) {
          parts.push(frame.subarray(0, 2 + Math.floor(random() * (frame.length - 4))));
        } else {
          // Arbitrary bytes, 0xFF and marker-like sequences included.
          parts.push(
            Buffer.from(
              Array.from({ length: Math.floor(random() * 300) }, () => Math.floor(random() * 256)),
            ),
          );
        }
      }
      const chunkSize = 1 + Math.floor(random() * 3000);
      const got = feed(new JpegSplitter(), Buffer.concat(parts), chunkSize);
      if (got.length !== expected.length || got.some((f, i) => !f.equals(expected[i]))) {
        const describe = (f: Buffer): string =>
          f === a ? 'a' : f === b ? 'b' : f === c ? 'c' : `?${f.length}`;
        throw new Error(
          `trial ${trial} chunk ${chunkSize}: parts ${parts.map((p) => (pool.includes(p) ? describe(p) : p[0] === 0xff ? `cut${p.length}` : `g${p.length}`)).join(',')} got ${got.map((f) => (pool.find((x) => x.equals(f)) ? describe(pool.find((x) => x.equals(f))!) : `?${f.length}`)).join(',')}`,
        );
      }
    }
  });

  it('splits an async stream', async () => {
    async function* chunks(): AsyncGenerator<Buffer> {
      yield Buffer.concat([a, b.subarray(0, 10)]);
      await Promise.resolve();
      yield b.subarray(10);
    }
    const frames: Buffer[] = [];
    for await (const frame of splitJpegStream(chunks())) frames.push(frame);
    expect(frames).toEqual([a, b]);
  });
});
