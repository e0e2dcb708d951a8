/*
 * Glass-to-glass latency for the benchmark: the emulated camera paints its clock into each
 * picture as a barcode (src/drawing/clock-barcode.ts); these probes decode pictures as a player
 * would and read it back. Each sample keeps three times: painted (the camera's clock when it
 * rendered the picture), arrived (the picture's last byte or RTP packet in the probe) and decoded
 * (its pixels in the probe), so the decoder's own share can be told apart.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import sharp from 'sharp';
import { readClockBarcode } from '../../src/drawing/clock-barcode';
import { MjpegReader } from '../utils/mjpeg-reader';

export interface ClockSample {
  readonly paintedAt: number;
  readonly arrivedAt: number;
  readonly decodedAt: number;
}

/** Counts what a probe saw; `samples` only pictures whose barcode was read. */
export interface ProbeTotals {
  pictures: number;
  unreadable: number;
  bytes: number;
  samples: ClockSample[];
}

export const newTotals = (): ProbeTotals => ({ pictures: 0, unreadable: 0, bytes: 0, samples: [] });

/** A copy that stays as it is while the probe goes on counting. */
export const snapshot = (totals: ProbeTotals): ProbeTotals => ({
  ...totals,
  samples: [...totals.samples],
});

const START_CODE = Buffer.from([0, 0, 0, 1]);
/** An access unit delimiter after each picture: ffmpeg's H.264 parser ends the picture at once. */
const ACCESS_UNIT_DELIMITER = Buffer.from([0, 0, 0, 1, 0x09, 0xf0]);

/**
 * RTP (RFC 6184, packetization-mode 1: single NAL unit, STAP-A, FU-A) to Annex B pictures, one
 * per marker bit. After a lost packet it skips to the next picture with an SPS or IDR slice.
 */
export class H264Depacketizer {
  private nals: Buffer[] = [];
  private expected: number | undefined;
  private broken = true;
  private fragment: Buffer[] | undefined;

  /** The picture the packet completes, or undefined. */
  push(packet: Buffer): Buffer | undefined {
    const sequence = packet.readUInt16BE(2);
    if (this.expected !== undefined && sequence !== this.expected) {
      this.broken = true;
      this.nals = [];
      this.fragment = undefined;
    }
    this.expected = (sequence + 1) & 0xffff;
    let offset = 12 + 4 * (packet[0] & 0x0f);
    if ((packet[0] & 0x10) !== 0) offset += 4 + 4 * packet.readUInt16BE(offset + 2);
    const end =
      (packet[0] & 0x20) !== 0 ? packet.length - packet[packet.length - 1] : packet.length;
    const payload = packet.subarray(offset, end);
    if (payload.length > 0) this.payload(payload);
    if ((packet[1] & 0x80) === 0) return undefined;
    const nals = this.nals;
    this.nals = [];
    this.fragment = undefined;
    const types = nals.map((nal) => nal[0] & 0x1f);
    if (this.broken && (types.includes(7) || types.includes(5))) this.broken = false;
    if (this.broken || nals.length === 0) return undefined;
    return Buffer.concat([...nals.flatMap((nal) => [START_CODE, nal]), ACCESS_UNIT_DELIMITER]);
  }

  private payload(payload: Buffer): void {
    const type = payload[0] & 0x1f;
    if (type >= 1 && type <= 23) {
      this.nals.push(Buffer.from(payload));
    } else if (type === 24) {
      for (let at = 1; at + 2 <= payload.length;) {
        const size = payload.readUInt16BE(at);
        this.nals.push(Buffer.from(payload.subarray(at + 2, at + 2 + size)));
        at += 2 + size;
      }
    } else if (type === 28 && payload.length > 2) {
      const header = payload[1];
      if ((header & 0x80) !== 0) {
        this.fragment = [Buffer.from([(payload[0] & 0xe0) | (header & 0x1f)])];
      }
      if (this.fragment === undefined) return;
      this.fragment.push(Buffer.from(payload.subarray(2)));
      if ((header & 0x40) !== 0) {
        this.nals.push(Buffer.concat(this.fragment));
        this.fragment = undefined;
      }
    }
  }
}

/**
 * Decodes Annex B pictures with an ffmpeg child (one thread, low-delay flags, grey pixels out)
 * and reads each decoded picture's barcode. Pictures come out in the order they went in, so each
 * decoded picture is matched with the time the one written first arrived. (Not -fflags nobuffer:
 * it drops the pictures ffmpeg reads while it analyses the input, and the match with them.)
 */
export class H264ClockProbe {
  totals = newTotals();
  private readonly child: ChildProcessByStdio<Writable, Readable, null>;
  private readonly arrivals: number[] = [];
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  constructor(
    ffmpeg: string,
    private readonly width: number,
    private readonly height: number,
  ) {
    this.child = spawn(
      ffmpeg,
      [
        ...['-hide_banner', '-loglevel', 'error', '-threads', '1'],
        ...['-flags', 'low_delay', '-probesize', '32', '-fpsprobesize', '0'],
        ...['-analyzeduration', '0', '-f', 'h264', '-i', 'pipe:0'],
        ...['-vsync', '0', '-f', 'rawvideo', '-pix_fmt', 'gray', 'pipe:1'],
      ],
      { stdio: ['pipe', 'pipe', 'ignore'] },
    );
    this.child.stdin.on('error', () => undefined);
    this.child.stdout.on('data', (chunk: Buffer) => this.onPixels(chunk));
  }

  /** A picture from the depacketizer, with when its last packet arrived. */
  write(picture: Buffer, arrivedAt: number): void {
    this.arrivals.push(arrivedAt);
    this.child.stdin.write(picture);
  }

  /** Starts a new window of counts. */
  mark(): void {
    this.totals = newTotals();
  }

  stop(): void {
    this.child.kill('SIGKILL');
  }

  private onPixels(chunk: Buffer): void {
    const frameSize = this.width * this.height;
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    while (this.pendingBytes >= frameSize) {
      const all = Buffer.concat(this.pending);
      const frame = all.subarray(0, frameSize);
      const decodedAt = Date.now();
      this.pending = [all.subarray(frameSize)];
      this.pendingBytes = all.length - frameSize;
      const arrivedAt = this.arrivals.shift() ?? decodedAt;
      this.totals.pictures += 1;
      const paintedAt = readClockBarcode(frame, this.width, this.height);
      if (paintedAt === undefined) this.totals.unreadable += 1;
      else this.totals.samples.push({ paintedAt, arrivedAt, decodedAt });
    }
  }
}

/**
 * An MJPEG viewer in the benchmark's process that decodes every part with libvips (sharp, as
 * the server encodes them) and reads its barcode.
 */
export class MjpegClockProbe {
  totals = newTotals();
  private stopped = false;

  private constructor(
    private readonly reader: MjpegReader,
    private readonly width: number,
    private readonly height: number,
  ) {
    void this.loop();
  }

  static async open(url: string, width: number, height: number): Promise<MjpegClockProbe> {
    return new MjpegClockProbe(await MjpegReader.open(url, { keep: 60 }), width, height);
  }

  /** Starts a new window of counts. */
  mark(): void {
    this.totals = newTotals();
  }

  stop(): void {
    this.stopped = true;
    this.reader.close();
  }

  private async loop(): Promise<void> {
    let next = 1;
    let bytes = 0;
    while (!this.stopped) {
      await this.reader.waitForParts(next, 30_000).catch(() => undefined);
      if (this.stopped || this.reader.ended) return;
      // Every part that arrived meanwhile, oldest first; those already gone count as unread.
      const newest = this.reader.count;
      for (; next <= newest; next++) {
        const part = this.reader.parts[this.reader.parts.length - 1 - (newest - next)];
        this.totals.pictures += 1;
        if (part === undefined) {
          this.totals.unreadable += 1;
          continue;
        }
        const pixels = await sharp(part.body).greyscale().raw().toBuffer();
        const paintedAt = readClockBarcode(pixels, this.width, this.height);
        if (paintedAt === undefined) this.totals.unreadable += 1;
        else
          this.totals.samples.push({
            paintedAt,
            arrivedAt: part.receivedAt,
            decodedAt: Date.now(),
          });
      }
      this.totals.bytes += this.reader.bytes - bytes;
      bytes = this.reader.bytes;
    }
  }
}

/** p (0–1) of a list of numbers, NaN if empty. */
export function quantile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}
