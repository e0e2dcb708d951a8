import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';

export interface MjpegPart {
  readonly headers: Record<string, string>;
  readonly body: Buffer;
  readonly receivedAt: number;
}

const CRLF2 = Buffer.from('\r\n\r\n');

/**
 * Reads a multipart/x-mixed-replace stream over node:http and checks its framing strictly:
 * the opening delimiter, each part's headers, exactly Content-Length bytes of body, then the
 * delimiter. It is written independently of the server's encoder, so it can catch its mistakes.
 */
export class MjpegReader {
  readonly parts: MjpegPart[] = [];
  count = 0;
  bytes = 0;
  error: Error | undefined;
  ended = false;
  readonly closed: Promise<void>;
  private buffer: Buffer = Buffer.alloc(0);
  private state: 'preamble' | 'headers' | 'body' = 'preamble';
  private pending: Record<string, string> = {};
  private waiters: Array<{ count: number; resolve: () => void }> = [];
  private markClosed!: () => void;

  private constructor(
    readonly response: IncomingMessage,
    private readonly request: http.ClientRequest,
    private readonly boundary: string,
    private readonly keep: number,
  ) {
    this.closed = new Promise((resolve) => (this.markClosed = resolve));
    response.on('data', (chunk: Buffer) => this.onData(chunk));
    response.on('end', () => (this.ended = true));
    response.on('error', () => undefined);
    response.on('close', () => {
      for (const waiter of this.waiters) waiter.resolve();
      this.markClosed();
    });
  }

  /** Opens `url`; resolves once the response headers are in. Keeps the last `keep` parts. */
  static async open(
    url: string,
    options: { keep?: number; headers?: Record<string, string> } = {},
  ): Promise<MjpegReader> {
    // Self-signed certificates of test servers are accepted: the test is about the stream.
    const get = url.startsWith('https:')
      ? (
          target: string,
          opts: http.RequestOptions,
          callback: (response: IncomingMessage) => void,
        ) => https.get(target, { ...opts, rejectUnauthorized: false }, callback)
      : http.get;
    return new Promise((resolve, reject) => {
      const request = get(url, { agent: false, headers: options.headers }, (response) => {
        const match = /boundary=([^;\s]+)/.exec(response.headers['content-type'] ?? '');
        resolve(new MjpegReader(response, request, match?.[1] ?? '', options.keep ?? 5));
      });
      request.on('error', reject);
    });
  }

  get statusCode(): number {
    return this.response.statusCode ?? 0;
  }

  /** Resolves when `count` parts in total have arrived (or the stream closed). */
  async waitForParts(count: number, timeoutMs = 10_000): Promise<void> {
    if (this.count >= count) return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`only ${this.count} of ${count} parts after ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.waiters.push({
        count,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      });
    });
    if (this.error) throw this.error;
  }

  /** Stops reading: the socket's receive buffer fills and the server sees backpressure. */
  pause(): void {
    this.response.pause();
  }

  resume(): void {
    this.response.resume();
  }

  close(): void {
    this.request.destroy();
  }

  private onData(chunk: Buffer): void {
    this.bytes += chunk.length;
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    try {
      while (this.step());
    } catch (error) {
      this.error = error as Error;
      this.close();
    }
  }

  private step(): boolean {
    const delimiter = `--${this.boundary}\r\n`;
    if (this.state === 'preamble') {
      if (this.buffer.length < delimiter.length) return false;
      const head = this.buffer.subarray(0, delimiter.length).toString('latin1');
      if (head !== delimiter)
        throw new Error(`stream does not open with ${JSON.stringify(delimiter)}`);
      this.buffer = this.buffer.subarray(delimiter.length);
      this.state = 'headers';
      return true;
    }
    if (this.state === 'headers') {
      const end = this.buffer.indexOf(CRLF2);
      if (end < 0) {
        if (this.buffer.length > 4096) throw new Error('part headers longer than 4 KiB');
        return false;
      }
      const lines = this.buffer.subarray(0, end).toString('latin1').split('\r\n');
      this.pending = {};
      for (const line of lines) {
        const colon = line.indexOf(':');
        if (colon <= 0) throw new Error(`malformed part header line ${JSON.stringify(line)}`);
        this.pending[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      if (!/^\d+$/.test(this.pending['content-length'] ?? ''))
        throw new Error('part without Content-Length');
      this.buffer = this.buffer.subarray(end + 4);
      this.state = 'body';
      return true;
    }
    const length = Number(this.pending['content-length']);
    const closing = `\r\n${delimiter}`;
    if (this.buffer.length < length + closing.length) return false;
    const after = this.buffer.subarray(length, length + closing.length).toString('latin1');
    if (after !== closing)
      throw new Error(`part body is not followed by ${JSON.stringify(closing)}`);
    const body = Buffer.from(this.buffer.subarray(0, length));
    this.buffer = this.buffer.subarray(length + closing.length);
    this.state = 'headers';
    this.count += 1;
    this.parts.push({ headers: this.pending, body, receivedAt: Date.now() });
    if (this.parts.length > this.keep) this.parts.shift();
    this.waiters = this.waiters.filter((waiter) => {
      if (this.count < waiter.count) return true;
      waiter.resolve();
      return false;
    });
    return true;
  }
}
