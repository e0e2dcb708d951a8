import {
  encodeMjpegPart,
  formatTimestamp,
  MJPEG_CONTENT_TYPE,
  STREAM_PREAMBLES,
} from './mjpeg-part';

describe(encodeMjpegPart.name, () => {
  const jpeg = Buffer.from([0xff, 0xd8, 0x01, 0x02, 0x03, 0xff, 0xd9]);

  describe('content-length framing', () => {
    it('builds headers, a blank line, the JPEG bytes and then the closing boundary', () => {
      const part = encodeMjpegPart(jpeg, 1_700_000_000_123.456, 'content-length');
      const expectedHead =
        'Content-Type: image/jpeg\r\nContent-Length: 7\r\nX-Timestamp: 1700000000.123456\r\n\r\n';
      expect(part.subarray(0, expectedHead.length).toString('latin1')).toBe(expectedHead);
      expect(part.subarray(expectedHead.length, expectedHead.length + jpeg.length)).toEqual(jpeg);
      expect(part.subarray(expectedHead.length + jpeg.length).toString('latin1')).toBe(
        '\r\n--frame\r\n',
      );
      expect(part.length).toBe(expectedHead.length + jpeg.length + '\r\n--frame\r\n'.length);
    });

    it('states the real length of the image, whatever its size', () => {
      const big = Buffer.alloc(123_457, 7);
      const text = encodeMjpegPart(big, 0, 'content-length').toString('latin1');
      expect(text).toContain('Content-Length: 123457\r\n');
    });

    it('is the default', () => {
      expect(encodeMjpegPart(jpeg, 5)).toEqual(encodeMjpegPart(jpeg, 5, 'content-length'));
    });
  });

  describe('advance-headers framing', () => {
    it('follows the JPEG at once with the boundary and the next part’s complete header block', () => {
      const part = encodeMjpegPart(jpeg, 1_700_000_000_000, 'advance-headers');
      expect(part.subarray(0, jpeg.length)).toEqual(jpeg);
      expect(part.subarray(jpeg.length).toString('latin1')).toBe(
        '\r\n--frame\r\nContent-Type: image/jpeg\r\n\r\n',
      );
    });

    it('forms a valid multipart body together with its preamble', () => {
      const stream = Buffer.concat([
        STREAM_PREAMBLES['advance-headers'],
        encodeMjpegPart(jpeg, 0, 'advance-headers'),
        encodeMjpegPart(jpeg, 0, 'advance-headers'),
      ]).toString('latin1');
      const parts = stream.split('--frame\r\n').slice(1);
      expect(parts).toHaveLength(3);
      for (const part of parts.slice(0, 2)) {
        const [head, body] = part.split('\r\n\r\n');
        expect(head).toBe('Content-Type: image/jpeg');
        expect(Buffer.from(body.replace(/\r\n$/, ''), 'latin1')).toEqual(jpeg);
      }
      expect(parts[2]).toBe('Content-Type: image/jpeg\r\n\r\n');
    });
  });

  it('copies the image, so later changes to the source buffer do not alter a built part', () => {
    const source = Buffer.from(jpeg);
    const part = encodeMjpegPart(source, 0);
    source.fill(0);
    expect(part.includes(jpeg)).toBe(true);
  });

  it('opens the stream with the boundary its content type declares', () => {
    expect(MJPEG_CONTENT_TYPE).toBe('multipart/x-mixed-replace; boundary=frame');
    expect(STREAM_PREAMBLES['content-length'].toString()).toBe('--frame\r\n');
  });
});

describe(formatTimestamp.name, () => {
  it('writes Unix seconds with microseconds', () => {
    expect(formatTimestamp(1_700_000_000_000)).toBe('1700000000.000000');
    expect(formatTimestamp(1_700_000_000_000.5)).toBe('1700000000.000500');
    expect(formatTimestamp(1_234.5678)).toBe('1.234568');
  });
});
