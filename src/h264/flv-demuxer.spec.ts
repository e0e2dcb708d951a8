import { FlvDemuxer } from './flv-demuxer';

/** An FLV tag as ffmpeg writes one: 11-byte header, body, then the previous-tag size. */
function tag(type: number, timestampMs: number, body: Buffer): Buffer {
  const header = Buffer.alloc(11);
  header[0] = type;
  header.writeUIntBE(body.length, 1, 3);
  header.writeUIntBE(timestampMs & 0xffffff, 4, 3);
  header[7] = (timestampMs >>> 24) & 0xff;
  const previous = Buffer.alloc(4);
  previous.writeUInt32BE(11 + body.length);
  return Buffer.concat([header, body, previous]);
}

const FLV_HEADER = Buffer.from([0x46, 0x4c, 0x56, 1, 1, 0, 0, 0, 9, 0, 0, 0, 0]);

/** A video tag body: frame type and codec (7 = AVC), packet type, composition time, payload. */
const avc = (keyframe: boolean, packetType: number, payload: Buffer, composition = 0): Buffer => {
  const head = Buffer.alloc(5);
  head[0] = ((keyframe ? 1 : 2) << 4) | 7;
  head[1] = packetType;
  head.writeIntBE(composition, 2, 3);
  return Buffer.concat([head, payload]);
};

describe(FlvDemuxer.name, () => {
  const stream = Buffer.concat([
    FLV_HEADER,
    tag(18, 0, Buffer.from('onMetaData')),
    tag(9, 0, avc(true, 0, Buffer.from([1, 2, 3]))),
    tag(8, 10, Buffer.from([0xaf, 1, 9, 9])),
    tag(9, 33, avc(true, 1, Buffer.from([0, 0, 0, 1, 0x65]))),
    tag(9, 0x1234567, avc(false, 1, Buffer.from([0, 0, 0, 1, 0x41]), -5)),
  ]);

  it('yields the video tags of a stream, whatever the chunking, and skips audio and metadata', () => {
    for (const size of [1, 3, 7, 16, stream.length]) {
      const sut = new FlvDemuxer();
      const tags = [];
      for (let offset = 0; offset < stream.length; offset += size)
        tags.push(...sut.push(stream.subarray(offset, offset + size)));
      expect(tags.map((t) => [t.packetType, t.keyframe, t.timestampMs, t.compositionMs])).toEqual([
        [0, true, 0, 0],
        [1, true, 33, 0],
        [1, false, 0x1234567, -5],
      ]);
      expect(tags[1].payload).toEqual(Buffer.from([0, 0, 0, 1, 0x65]));
    }
  });

  it('refuses what is not FLV, and a tag too large to be real', () => {
    expect(() => new FlvDemuxer().push(Buffer.from('RIFF0000WAVEfmt '))).toThrow(
      'not an FLV stream',
    );
    const huge = Buffer.concat([FLV_HEADER, Buffer.from([9, 0xff, 0xff, 0xff])]);
    expect(() => new FlvDemuxer(1024).push(Buffer.concat([huge, Buffer.alloc(8)]))).toThrow(
      'an FLV tag of 16777215 bytes',
    );
  });
});
