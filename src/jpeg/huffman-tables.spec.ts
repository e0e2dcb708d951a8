import { randomBytes } from 'node:crypto';
import sharp from 'sharp';
import { hasHuffmanTables, STANDARD_DHT_SEGMENT, withHuffmanTables } from './huffman-tables';
import { DHT, headerSegments } from './jpeg-segments';
import { JpegSplitter } from './jpeg-splitter';

/** What many UVC webcams send: a JPEG coded with the standard tables, the tables left out. */
function withoutHuffmanTables(jpeg: Buffer): Buffer {
  const tables = headerSegments(jpeg).filter((segment) => segment.marker === DHT);
  let result = jpeg;
  for (const segment of [...tables].reverse()) {
    result = Buffer.concat([result.subarray(0, segment.offset), result.subarray(segment.end)]);
  }
  return result;
}

describe(withHuffmanTables.name, () => {
  let original: Buffer;
  let stripped: Buffer;

  beforeAll(async () => {
    // Standard tables, not optimised ones: exactly what a webcam's encoder uses.
    original = await sharp(randomBytes(96 * 64 * 3), {
      raw: { width: 96, height: 64, channels: 3 },
    })
      .jpeg({ quality: 85, optimiseCoding: false })
      .toBuffer();
    stripped = withoutHuffmanTables(original);
  });

  it('holds the four standard tables in one 418-byte segment', () => {
    expect(STANDARD_DHT_SEGMENT.length).toBe(2 + 418);
    expect(STANDARD_DHT_SEGMENT.readUInt16BE(2)).toBe(418);
  });

  it('restores the tables a frame was coded with: it decodes to the same pixels', async () => {
    // libjpeg-turbo itself falls back to these tables; Safari's decoder does not, hence the fix.
    expect(hasHuffmanTables(stripped)).toBe(false);
    const fixed = withHuffmanTables(stripped);
    expect(hasHuffmanTables(fixed)).toBe(true);
    const [repaired, reference] = await Promise.all([
      sharp(fixed).raw().toBuffer(),
      sharp(original).raw().toBuffer(),
    ]);
    expect(repaired.equals(reference)).toBe(true);
  });

  it('leaves frames that have tables untouched', () => {
    expect(withHuffmanTables(original)).toBe(original);
  });

  it('is applied by the splitter when asked', () => {
    const [frame] = new JpegSplitter({ insertHuffmanTables: true }).push(stripped);
    expect(hasHuffmanTables(frame)).toBe(true);
  });
});
