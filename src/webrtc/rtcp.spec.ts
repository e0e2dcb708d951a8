import { readFeedback } from './rtcp';

/** An RTCP packet: version 2, the format or count, the type, and the body in 32-bit words. */
function rtcp(format: number, type: number, body: Buffer): Buffer {
  const header = Buffer.alloc(4);
  header[0] = 0x80 | format;
  header[1] = type;
  header.writeUInt16BE(body.length / 4, 2);
  return Buffer.concat([header, body]);
}

const ssrcs = Buffer.from([0, 0, 0, 1, 0, 0, 0, 2]);
const receiverReport = rtcp(0, 201, Buffer.alloc(4));
const pli = rtcp(1, 206, ssrcs);
const fir = rtcp(4, 206, Buffer.concat([ssrcs, Buffer.alloc(8)]));
// Lost: 100, and 101, 103 (bits 0 and 2 of the bitmask); then 200 alone.
const nack = rtcp(1, 205, Buffer.concat([ssrcs, Buffer.from([0, 100, 0, 0b101, 0, 200, 0, 0])]));

describe(readFeedback.name, () => {
  it('counts keyframe requests and lost packets in a compound packet', () => {
    expect(readFeedback(Buffer.concat([receiverReport, pli, nack, fir]))).toEqual({
      keyframeRequests: 2,
      nackedPackets: 4,
    });
  });

  it('finds nothing in reports without feedback, or in what is not RTCP', () => {
    expect(readFeedback(receiverReport)).toEqual({ keyframeRequests: 0, nackedPackets: 0 });
    expect(readFeedback(Buffer.from([0x17, 0xfe, 0, 9, 1]))).toEqual({
      keyframeRequests: 0,
      nackedPackets: 0,
    });
    expect(readFeedback(pli.subarray(0, 6))).toEqual({ keyframeRequests: 0, nackedPackets: 0 });
  });
});
