import { chooseFraming } from './mjpeg-framing';

describe(chooseFraming.name, () => {
  it.each([
    [{ fetchDest: 'image' }, 'advance-headers'],
    [{ fetchDest: 'IMAGE ' }, 'advance-headers'],
    [{ fetchDest: 'document' }, 'advance-headers'],
    [{ fetchDest: 'iframe' }, 'advance-headers'],
    [{ fetchDest: 'empty', accept: 'image/avif,*/*' }, 'content-length'],
    [{ fetchDest: 'video' }, 'content-length'],
    [{ accept: 'image/webp,image/avif,video/*;q=0.8,image/png,*/*;q=0.5' }, 'advance-headers'],
    [{ accept: '*/*' }, 'content-length'],
    [{ accept: 'multipart/x-mixed-replace, image/jpeg' }, 'content-length'],
    [{}, 'content-length'],
  ] as const)('%j gets %s', (hints, framing) => {
    expect(chooseFraming(hints)).toBe(framing);
  });

  it('lets ?advance_headers= win over what the request says', () => {
    expect(chooseFraming({ fetchDest: 'image', advanceHeaders: false })).toBe('content-length');
    expect(chooseFraming({ fetchDest: 'empty', advanceHeaders: true })).toBe('advance-headers');
  });
});
