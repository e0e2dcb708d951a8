import { accessUnitOf, joinNals, nalType, NAL_TYPE, parseAvcConfiguration, splitNals } from './avc';

const SPS = Buffer.from([0x67, 0x42, 0xc0, 0x1e, 0xda]);
const PPS = Buffer.from([0x68, 0xce, 0x3c, 0x80]);
const IDR = Buffer.from([0x65, 0x88, 0x84, 0x00]);
const SLICE = Buffer.from([0x41, 0x9a, 0x02]);
const AUD = Buffer.from([0x09, 0xf0]);

/** An AVCDecoderConfigurationRecord with one SPS and one PPS, 4-byte NAL lengths. */
const record = Buffer.concat([
  Buffer.from([1, 0x42, 0xc0, 0x1e, 0xff, 0xe1]),
  Buffer.from([0, SPS.length]),
  SPS,
  Buffer.from([1, 0, PPS.length]),
  PPS,
]);

describe(parseAvcConfiguration.name, () => {
  it('reads the parameter sets, the NAL length size and the profile-level-id', () => {
    expect(parseAvcConfiguration(record)).toEqual({
      sps: [SPS],
      pps: [PPS],
      lengthSize: 4,
      profileLevelId: '42c01e',
    });
  });

  it('refuses a truncated or foreign record', () => {
    expect(() => parseAvcConfiguration(record.subarray(0, 9))).toThrow('truncated');
    expect(() => parseAvcConfiguration(Buffer.from([2, 0, 0, 0, 0, 0, 0]))).toThrow(
      'not an AVCDecoderConfigurationRecord',
    );
  });
});

describe('length-prefixed NAL units', () => {
  it('split and join back to the same bytes', () => {
    const packet = joinNals([IDR, SLICE]);
    expect(packet.readUInt32BE(0)).toBe(IDR.length);
    expect(splitNals(packet)).toEqual([IDR, SLICE]);
    expect(joinNals(splitNals(packet))).toEqual(packet);
  });

  it('stop at a length that runs past the end instead of reading beyond it', () => {
    const packet = Buffer.concat([joinNals([IDR]), Buffer.from([0, 0, 0, 99, 1])]);
    expect(splitNals(packet)).toEqual([IDR]);
  });

  it('read 2-byte lengths too', () => {
    expect(splitNals(Buffer.from([0, 2, 0x41, 1, 0, 1, 0x09]), 2)).toEqual([
      Buffer.from([0x41, 1]),
      Buffer.from([0x09]),
    ]);
  });
});

describe(accessUnitOf.name, () => {
  const parameters = parseAvcConfiguration(record);
  const types = (data: Buffer): number[] => splitNals(data).map((unit) => nalType(unit[0]));

  it('puts the parameter sets before a keyframe, so a viewer can start from it alone', () => {
    const unit = accessUnitOf(joinNals([AUD, IDR]), true, 1000, parameters);
    expect(unit.keyframe).toBe(true);
    expect(types(unit.data)).toEqual([NAL_TYPE.sps, NAL_TYPE.pps, NAL_TYPE.idr]);
    expect(unit.timestampMs).toBe(1000);
  });

  it('does not repeat parameter sets the keyframe already carries', () => {
    const unit = accessUnitOf(joinNals([SPS, PPS, IDR]), true, 0, parameters);
    expect(types(unit.data)).toEqual([NAL_TYPE.sps, NAL_TYPE.pps, NAL_TYPE.idr]);
  });

  it('leaves other pictures as they are, without access unit delimiters', () => {
    const unit = accessUnitOf(joinNals([AUD, SLICE]), false, 0, parameters);
    expect(unit.keyframe).toBe(false);
    expect(types(unit.data)).toEqual([NAL_TYPE.slice]);
  });

  it('takes an IDR for a keyframe even when the container did not say so', () => {
    expect(accessUnitOf(joinNals([IDR]), false, 0, parameters).keyframe).toBe(true);
  });
});
