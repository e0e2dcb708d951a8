import { Logger, type LoggerService } from '@nestjs/common';
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { createRedactor, type Redact } from '../../common/redact-secrets';
import type { DriverCapabilities, CameraDriver, CameraSettings } from './camera-driver.interface';
import { withHuffmanTables } from '../../jpeg/huffman-tables';
import { readDisplayDimensions } from '../../jpeg/jpeg-dimensions';
import { JpegSplitter } from '../../jpeg/jpeg-splitter';
import { MultipartParser, multipartBoundary } from '../../jpeg/multipart-parser';
import { FrameRateLimiter } from './frame-rate-limiter';

const CONNECT_TIMEOUT_MS = 10_000;

interface Parser {
  push(chunk: Buffer): Buffer[];
}

/**
 * Relays a remote MJPEG stream (another camfeed, mjpg-streamer, µStreamer, an IP camera): its
 * JPEGs pass through byte for byte, never re-encoded, to any number of local viewers over one
 * upstream connection. Basic auth comes from the URL (http://user:pass@host/...). A dropped or
 * silent connection ends the run, and the producer reconnects with backoff.
 */
export class MjpegRelayDriver implements CameraDriver {
  readonly name = 'mjpeg';
  readonly redact: Redact;
  private readonly logger: LoggerService;
  private readonly url: URL;
  /** The source as it may appear in logs and errors. */
  private readonly safeUrl: string;

  constructor(source: string, logger?: LoggerService) {
    this.logger = logger ?? new Logger('mjpeg-relay');
    this.redact = createRedactor(source);
    this.safeUrl = this.redact(source);
    try {
      this.url = new URL(source);
    } catch {
      // Not URL's own error: it carries the input, password included.
      throw new Error(`not a URL: ${this.safeUrl}`);
    }
  }

  /** Sizes cannot be changed remotely: the only mode is the size of the frames it sends. */
  async capabilities(): Promise<DriverCapabilities> {
    const abort = new AbortController();
    const timer = setTimeout(
      () => abort.abort(new Error('no frame within 10 s')),
      CONNECT_TIMEOUT_MS,
    );
    try {
      for await (const jpeg of this.frames({ framerate: 120 } as CameraSettings, abort.signal)) {
        const size = readDisplayDimensions(jpeg);
        if (size === undefined) continue;
        return {
          sizes: { kind: 'modes', modes: [size] },
          framerate: { min: 0.1, max: 120 },
          quality: null,
          rotations: [0],
          flips: false,
        };
      }
      throw new Error(`no frame from ${this.safeUrl}`);
    } finally {
      clearTimeout(timer);
      abort.abort();
    }
  }

  async *frames(settings: CameraSettings, signal: AbortSignal): AsyncGenerator<Buffer> {
    const response = await this.connect(signal);
    try {
      const boundary = multipartBoundary(response.headers['content-type']);
      const parser: Parser =
        boundary !== undefined ? new MultipartParser(boundary) : new JpegSplitter();
      const limiter = new FrameRateLimiter(settings.framerate);
      for await (const chunk of response) {
        for (const part of parser.push(chunk as Buffer)) {
          if (readDisplayDimensions(part) === undefined || !limiter.accept(Date.now())) continue;
          // Only frames without Huffman tables change; the others pass through byte for byte.
          yield withHuffmanTables(part);
        }
      }
      if (!signal.aborted) throw new Error(`${this.safeUrl} ended the stream`);
    } finally {
      response.destroy();
    }
  }

  private async connect(signal: AbortSignal): Promise<IncomingMessage> {
    const url = new URL(this.url);
    const headers: Record<string, string> = { Accept: 'multipart/x-mixed-replace, image/jpeg' };
    if (url.username || url.password) {
      const credentials = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
      headers.Authorization = `Basic ${Buffer.from(credentials).toString('base64')}`;
      url.username = '';
      url.password = '';
    }
    const client = url.protocol === 'https:' ? https : http;
    return new Promise<IncomingMessage>((resolve, reject) => {
      const request = client.get(
        url,
        { headers, signal, agent: false, timeout: CONNECT_TIMEOUT_MS },
        (response) => {
          const status = response.statusCode ?? 0;
          if (status !== 200) {
            response.resume();
            reject(
              new Error(
                status === 401
                  ? `${this.safeUrl} refused the credentials (HTTP 401)`
                  : `HTTP ${status} from ${this.safeUrl}`,
              ),
            );
            return;
          }
          request.setTimeout(0);
          resolve(response);
        },
      );
      request.on('timeout', () =>
        request.destroy(new Error(`no answer from ${this.safeUrl} within 10 s`)),
      );
      request.on('error', (error) => {
        const why = this.redact(error.message);
        this.logger.debug?.(`Request to ${this.safeUrl} failed: ${why}`);
        reject(
          signal.aborted
            ? (signal.reason as Error)
            : new Error(`cannot reach ${this.safeUrl}: ${why}`),
        );
      });
    });
  }
}
