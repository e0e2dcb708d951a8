const CRLF_CRLF = Buffer.from('\r\n\r\n');
const LF_LF = Buffer.from('\n\n');

export interface MultipartParserOptions {
  /** A part growing past this is dropped (a broken or hostile server). */
  readonly maxPartBytes?: number;
}

/**
 * Reads the parts of a multipart/x-mixed-replace body (a remote MJPEG stream) as they arrive and
 * returns their bodies exactly as sent. A part is framed by its Content-Length when it has one,
 * else by the next boundary. Servers disagree on details, so it accepts the boundary with or
 * without the leading "--" the parameter sometimes already includes, LF as well as CRLF line
 * ends, and anything before the first boundary.
 */
export class MultipartParser {
  private readonly delimiters: Buffer[];
  private readonly maxPartBytes: number;
  private buffer: Buffer = Buffer.alloc(0);
  private state: 'boundary' | 'headers' | 'body' = 'boundary';
  private bodyLength: number | undefined;
  private partType: string | undefined;
  /** Chunks of a body of known length, joined once when complete (not once per chunk). */
  private pieces: Buffer[] = [];
  private piecesLength = 0;
  dropped = 0;

  constructor(boundary: string, options: MultipartParserOptions = {}) {
    const cleaned = boundary.replace(/^"|"$/g, '');
    this.delimiters = [Buffer.from(`--${cleaned}`)];
    if (cleaned.startsWith('--')) this.delimiters.push(Buffer.from(cleaned));
    this.maxPartBytes = options.maxPartBytes ?? 16 * 1024 * 1024;
  }

  /** Feeds the next chunk; returns the bodies of the parts it completed. */
  push(chunk: Buffer): Buffer[] {
    const bodies: Buffer[] = [];
    if (this.pieces.length > 0) {
      this.pieces.push(chunk);
      this.piecesLength += chunk.length;
      if (this.piecesLength < (this.bodyLength ?? 0)) return bodies;
      this.buffer = Buffer.concat(this.pieces, this.piecesLength);
      this.pieces = [];
      this.piecesLength = 0;
    } else {
      this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    }
    for (;;) {
      if (this.state === 'boundary') {
        const found = this.findDelimiter(0);
        if (found === undefined) {
          // Keep only what could be the start of a delimiter split across chunks.
          const keep = Math.max(...this.delimiters.map((d) => d.length));
          if (this.buffer.length > keep)
            this.buffer = this.buffer.subarray(this.buffer.length - keep);
          return bodies;
        }
        const lineEnd = this.buffer.indexOf(0x0a, found.index + found.length);
        if (lineEnd === -1) return bodies;
        this.buffer = this.buffer.subarray(lineEnd + 1);
        this.state = 'headers';
      }
      if (this.state === 'headers') {
        const crlf = this.buffer.indexOf(CRLF_CRLF);
        const lf = this.buffer.indexOf(LF_LF);
        const end =
          crlf !== -1 && (lf === -1 || crlf < lf)
            ? { at: crlf, length: 4 }
            : lf !== -1
              ? { at: lf, length: 2 }
              : undefined;
        // A part may have no headers at all: the blank line comes first.
        const blankFirst =
          this.buffer[0] === 0x0a ? 1 : this.buffer[0] === 0x0d && this.buffer[1] === 0x0a ? 2 : 0;
        if (blankFirst > 0) {
          this.buffer = this.buffer.subarray(blankFirst);
          this.setHeaders('');
        } else if (end === undefined) {
          if (this.buffer.length > 16 * 1024) this.resync();
          return bodies;
        } else {
          this.setHeaders(this.buffer.toString('latin1', 0, end.at));
          this.buffer = this.buffer.subarray(end.at + end.length);
        }
        this.state = 'body';
      }
      if (this.state === 'body') {
        let body: Buffer;
        if (this.bodyLength !== undefined) {
          if (this.buffer.length < this.bodyLength) {
            if (this.bodyLength > this.maxPartBytes) {
              this.resync();
            } else {
              this.pieces = [this.buffer];
              this.piecesLength = this.buffer.length;
              this.buffer = Buffer.alloc(0);
            }
            return bodies;
          }
          body = this.buffer.subarray(0, this.bodyLength);
          this.buffer = this.buffer.subarray(this.bodyLength);
        } else {
          const found = this.findDelimiter(0);
          if (found === undefined) {
            if (this.buffer.length > this.maxPartBytes) this.resync();
            return bodies;
          }
          // The line break before the delimiter belongs to the delimiter, not the body.
          let end = found.index;
          if (this.buffer[end - 1] === 0x0a) end -= 1;
          if (this.buffer[end - 1] === 0x0d) end -= 1;
          body = this.buffer.subarray(0, end);
          this.buffer = this.buffer.subarray(found.index);
        }
        this.state = 'boundary';
        if (this.partType === undefined || this.partType.startsWith('image/')) bodies.push(body);
      }
    }
  }

  private setHeaders(text: string): void {
    const length = /^content-length:\s*(\d+)\s*$/im.exec(text);
    const type = /^content-type:\s*([^;\s]+)/im.exec(text);
    this.bodyLength = length ? Number(length[1]) : undefined;
    this.partType = type ? type[1].toLowerCase() : undefined;
  }

  private findDelimiter(from: number): { index: number; length: number } | undefined {
    let best: { index: number; length: number } | undefined;
    for (const delimiter of this.delimiters) {
      const index = this.buffer.indexOf(delimiter, from);
      if (index !== -1 && (best === undefined || index < best.index))
        best = { index, length: delimiter.length };
    }
    return best;
  }

  /** Gives up on the current part and looks for the next boundary. */
  private resync(): void {
    this.dropped += 1;
    this.state = 'boundary';
    this.bodyLength = undefined;
    const keep = Math.max(...this.delimiters.map((d) => d.length));
    this.buffer = this.buffer.subarray(Math.max(0, this.buffer.length - keep));
  }
}

/** The boundary parameter of a multipart Content-Type, if it is one. */
export function multipartBoundary(contentType: string | undefined): string | undefined {
  if (contentType === undefined || !/^multipart\//i.test(contentType.trim())) return undefined;
  const match = /boundary\s*=\s*("[^"]+"|[^;\s]+)/i.exec(contentType);
  return match ? match[1].replace(/^"|"$/g, '') : undefined;
}
