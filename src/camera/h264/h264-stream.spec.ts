import { Logger } from '@nestjs/common';
import { solidJpeg } from '../../../test/utils/jpeg-fixtures';
import { delay, waitFor } from '../../../test/utils/wait-for';
import { createRedactor } from '../../common/redact-secrets';
import type { AccessUnit } from '../../h264/avc';
import type {
  CameraDriver,
  CameraSettings,
  CaptureOutputs,
  DriverCapabilities,
} from '../drivers/camera-driver.interface';
import { FrameProducer } from '../producer/frame-producer';
import { H264Stream } from './h264-stream';

const SOURCE = 'rtsp://admin:hunter2secret@cam.local/stream';

const settings: CameraSettings = {
  width: 32,
  height: 24,
  framerate: 50,
  quality: 80,
  rotation: 0,
  hflip: false,
  vflip: false,
  bitrate: 2000,
  keyframeInterval: 1,
};

/**
 * A network camera that sends H.264: JPEGs from its capture and, beside them, its own pictures,
 * a keyframe every `gop`, numbered in their first byte.
 */
class H264CameraDriver implements CameraDriver {
  readonly name = 'h264-camera';
  readonly redact = createRedactor(SOURCE);
  probeError: Error | undefined;
  runs = 0;
  sent = 0;

  constructor(
    private readonly jpeg: Buffer,
    private readonly gop = 5,
  ) {}

  async capabilities(): Promise<DriverCapabilities> {
    return Promise.reject(new Error('not used'));
  }

  async h264Passthrough(): Promise<boolean> {
    if (this.probeError !== undefined) throw this.probeError;
    return Promise.resolve(true);
  }

  async *frames(
    _settings: CameraSettings,
    signal: AbortSignal,
    outputs: CaptureOutputs = {},
  ): AsyncGenerator<Buffer> {
    this.runs += 1;
    while (!signal.aborted) {
      await delay(10);
      const unit: AccessUnit = {
        data: Buffer.from([this.sent & 0xff, 0, 0, 0]),
        keyframe: this.sent % this.gop === 0,
        timestampMs: Date.now(),
      };
      this.sent += 1;
      outputs.h264?.(unit);
      yield this.jpeg;
    }
  }
}

class RecordingViewer {
  readonly units: AccessUnit[] = [];
  deliver(unit: AccessUnit): void {
    this.units.push(unit);
  }
}

describe(H264Stream.name, () => {
  let jpeg: Buffer;
  let driver: H264CameraDriver;
  let producer: FrameProducer;
  let stream: H264Stream;

  beforeAll(async () => {
    jpeg = await solidJpeg(32, 24);
  });

  beforeEach(() => {
    driver = new H264CameraDriver(jpeg);
    producer = new FrameProducer({
      driver,
      settings,
      idleTimeoutMs: 100,
      stallTimeoutMs: 10_000,
      logger: new Logger('Camera'),
    });
    stream = new H264Stream({
      producer,
      // Any encoder lookup would fail on this: passthrough must not make one.
      ffmpegPath: '/nonexistent/ffmpeg',
      settings: () => producer.currentSettings,
      idleTimeoutMs: 100,
      logger: new Logger('Camera'),
      redact: driver.redact,
    });
  });

  afterEach(async () => {
    await stream.destroy();
    await producer.destroy();
  });

  it('passes a camera’s own H.264 to its viewers, starting the capture, with no encoder', async () => {
    const viewer = new RecordingViewer();
    const subscription = stream.subscribe(viewer);
    await waitFor(() => viewer.units.length >= 8, 'pictures');
    expect(producer.isRunning).toBe(true);
    expect(driver.runs).toBe(1);
    expect(stream.status()).toMatchObject({
      state: 'running',
      encoder: 'passthrough',
      viewers: 1,
      restarts: 0,
      lastError: null,
    });
    // The same objects the camera gave, in its order: nothing re-encoded or copied per viewer.
    const numbers = viewer.units.map((unit) => unit.data[0]);
    expect(numbers).toEqual(numbers.map((_, index) => numbers[0] + index));
    subscription.close();
  });

  it('starts a viewer who joins mid-GOP at the kept keyframe, then goes on live', async () => {
    const first = new RecordingViewer();
    stream.subscribe(first);
    await waitFor(() => first.units.some((unit) => unit.keyframe), 'a keyframe');
    await waitFor(() => !first.units.at(-1)!.keyframe, 'a picture after it');
    const second = new RecordingViewer();
    stream.subscribe(second);
    // Given at once, synchronously: the GOP up to now.
    expect(second.units.length).toBeGreaterThan(1);
    expect(second.units[0].keyframe).toBe(true);
    expect(second.units.slice(1).every((unit) => !unit.keyframe)).toBe(true);
    const replayed = second.units.length;
    await waitFor(() => second.units.length > replayed + 3, 'live pictures');
    expect(second.units.at(-1)).toBe(first.units.at(-1));
  });

  it('lets the camera stop once the last viewer has left for the idle timeout', async () => {
    const viewer = new RecordingViewer();
    const subscription = stream.subscribe(viewer);
    await waitFor(() => viewer.units.length > 2, 'pictures');
    subscription.close();
    await waitFor(() => !producer.isRunning, 'the capture to stop', 2000);
    expect(stream.status().state).toBe('idle');
  });

  it('retries with backoff, its source’s password masked, while the camera cannot be asked', async () => {
    driver.probeError = new Error(`${SOURCE}: Connection refused`);
    const viewer = new RecordingViewer();
    stream.subscribe(viewer);
    await waitFor(() => stream.status().state === 'retrying', 'retrying');
    const status = stream.status();
    expect(status.lastError).toContain('Connection refused');
    expect(status.lastError).not.toContain('hunter2secret');
    driver.probeError = undefined;
    await waitFor(() => viewer.units.length > 2, 'pictures once it answers', 3000);
    expect(stream.status()).toMatchObject({ state: 'running', encoder: 'passthrough' });
  });
});
