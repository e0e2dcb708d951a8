import { randomBytes } from 'node:crypto';
import { MultipartParser, multipartBoundary } from './multipart-parser';

const jpegs = [randomBytes(5000), randomBytes(123), randomBytes(70_000)].map((body) =>
  Buffer.concat([Buffer.from([0xff, 0xd8]), body, Buffer.from([0xff, 0xd9])]),
);

function stream(
  parts: Buffer[],
  { boundary = 'frame', lengths = true, eol = '\r\n', preamble = '' } = {},
): Buffer {
  const pieces: Buffer[] = [Buffer.from(preamble)];
  for (const body of parts) {
    const headers = [
      `--${boundary}`,
      'Content-Type: image/jpeg',
      ...(lengths ? [`Content-Length: ${body.length}`] : []),
    ];
    pieces.push(Buffer.from(headers.join(eol) + eol + eol), body, Buffer.from(eol));
  }
  pieces.push(Buffer.from(`--${boundary}${eol}`));
  return Buffer.concat(pieces);
}

function parse(parser: MultipartParser, data: Buffer, chunk: number): Buffer[] {
  const bodies: Buffer[] = [];
  for (let offset = 0; offset < data.length; offset += chunk)
    bodies.push(...parser.push(data.subarray(offset, offset + chunk)));
  return bodies;
}

describe(MultipartParser.name, () => {
  it.each([1, 7, 100, 4096, 1_000_000])(
    'returns each body byte for byte, framed by Content-Length (chunks of %i)',
    (chunk) => {
      expect(parse(new MultipartParser('frame'), stream(jpegs), chunk)).toEqual(jpegs);
    },
  );

  it.each([1, 13, 8192])(
    'returns each body framed by the boundary when there is no Content-Length (chunks of %i)',
    (chunk) => {
      expect(parse(new MultipartParser('frame'), stream(jpegs, { lengths: false }), chunk)).toEqual(
        jpegs,
      );
    },
  );

  it('accepts LF line ends and a preamble', () => {
    const data = stream(jpegs, { eol: '\n', lengths: false, preamble: 'This is a stream\n' });
    expect(parse(new MultipartParser('frame'), data, 50)).toEqual(jpegs);
  });

  it('accepts a boundary parameter that already includes the leading dashes', () => {
    const data = stream(jpegs, { boundary: '--myboundary' });
    expect(parse(new MultipartParser('--myboundary'), data, 999)).toEqual(jpegs);
    // mjpg-streamer style: parameter "boundarydonotcross", delimiter "--boundarydonotcross".
    expect(
      parse(
        new MultipartParser('boundarydonotcross'),
        stream(jpegs, { boundary: 'boundarydonotcross' }),
        999,
      ),
    ).toEqual(jpegs);
  });

  it('skips parts that are not images', () => {
    const data = Buffer.concat([
      Buffer.from('--frame\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello\r\n'),
      stream([jpegs[0]]),
    ]);
    expect(parse(new MultipartParser('frame'), data, 64)).toEqual([jpegs[0]]);
  });

  it('drops a part over the size limit and carries on with the next', () => {
    const parser = new MultipartParser('frame', { maxPartBytes: 10_000 });
    expect(parse(parser, stream(jpegs), 1000)).toEqual([jpegs[0], jpegs[1]]);
    expect(parser.dropped).toBe(1);
  });
});

describe(multipartBoundary.name, () => {
  it.each([
    ['multipart/x-mixed-replace; boundary=frame', 'frame'],
    ['multipart/x-mixed-replace;boundary=--myboundary', '--myboundary'],
    ['Multipart/X-Mixed-Replace; boundary="quoted one"', 'quoted one'],
    ['image/jpeg', undefined],
    [undefined, undefined],
  ])('reads %s', (header, boundary) => {
    expect(multipartBoundary(header)).toBe(boundary);
  });
});
