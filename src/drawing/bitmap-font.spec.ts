import { glyphFor } from './bitmap-font';

const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const shape = (char: string): string => Buffer.from(glyphFor(char)).toString('hex');

describe(glyphFor.name, () => {
  it('draws lower case letters as their own shapes, unlike their capitals and each other', () => {
    for (const char of LOWER) expect(shape(char)).not.toBe(shape(char.toUpperCase()));
    expect(new Set([...LOWER].map(shape)).size).toBe(LOWER.length);
  });

  it('has a glyph for every character of device paths, URLs and query strings', () => {
    const text =
      "/dev/video0 rtsp://***:***@[fe80::1]:554/live?user=***&pwd=***;a=b_c-d~e|f\\g{h}$'`^";
    const unknown = shape('?');
    for (const char of text)
      if (char !== '?') expect([char, shape(char)]).not.toEqual([char, unknown]);
  });

  it('draws typographic quotes and dashes like their plain look-alikes', () => {
    expect(shape('’')).toBe(shape("'"));
    expect(shape('—')).toBe(shape('-'));
    expect(shape('é')).toBe(shape('?'));
  });
});
