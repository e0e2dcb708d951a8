import { Logger } from '@nestjs/common';
import { FakeCameraDriver } from '../../../test/fakes/fake-camera.driver';
import { solidJpeg } from '../../../test/utils/jpeg-fixtures';
import { delay, waitFor } from '../../../test/utils/wait-for';
import { createRedactor } from '../../common/redact-secrets';
import type { Frame } from './frame';
import type { FrameWaiter } from './frame-hub';
import { FrameProducer, type FrameProducerOptions } from './frame-producer';
import { isPlaceholder, readPlaceholderComment } from '../../drawing/placeholder-frame';

/** The next frame that is a placeholder, skipping live ones. */
async function nextPlaceholder(waiter: FrameWaiter): Promise<Frame> {
  for (;;) {
    const frame = await waiter.next();
    if (!frame.live) return frame;
  }
}

/** A producer as a camera's runtime makes one, with the test's timeouts. */
function producerFor(
  driver: FrameProducerOptions['driver'],
  config: {
    defaults: FrameProducerOptions['settings'];
    idleTimeoutMs: number;
    stallTimeoutMs: number;
  },
): FrameProducer {
  return new FrameProducer({
    driver,
    settings: config.defaults,
    idleTimeoutMs: config.idleTimeoutMs,
    stallTimeoutMs: config.stallTimeoutMs,
    logger: new Logger('Camera'),
  });
}

const sinceOf = (frame: Frame): number =>
  Date.parse(readPlaceholderComment(frame.jpeg)?.since ?? '');

describe(FrameProducer.name, () => {
  let driver: FakeCameraDriver;
  let sut: FrameProducer;
  let jpeg: Buffer;
  const config: {
    defaults: FrameProducerOptions['settings'];
    idleTimeoutMs: number;
    stallTimeoutMs: number;
  } = {
    defaults: {
      width: 32,
      height: 24,
      framerate: 30,
      quality: 80,
      rotation: 0,
      hflip: false,
      vflip: false,
      bitrate: 2000,
      keyframeInterval: 1,
    },
    idleTimeoutMs: 200,
    stallTimeoutMs: 10_000,
  };

  beforeAll(async () => {
    jpeg = await solidJpeg(32, 24);
  });

  beforeEach(() => {
    driver = new FakeCameraDriver();
    sut = producerFor(driver, config);
  });

  afterEach(async () => {
    await sut.destroy();
  });

  it('does not touch the camera until the first consumer arrives', async () => {
    await delay(20);
    expect(driver.starts).toBe(0);
    expect(sut.status()).toMatchObject({ running: false, state: 'idle', clients: 0 });
  });

  it('runs exactly one capture loop however many consumers there are', async () => {
    const waiters = Array.from({ length: 50 }, () => sut.subscribe());
    await waitFor(() => driver.starts === 1, 'driver start');
    driver.push(jpeg);
    const frames = await Promise.all(waiters.map(async (waiter) => waiter.next()));
    expect(new Set(frames.map((frame) => frame.seq)).size).toBe(1);
    expect(frames[0]).toMatchObject({ width: 32, height: 24 });
    expect(driver.starts).toBe(1);
    expect(driver.maxActiveRuns).toBe(1);
    expect(sut.status()).toMatchObject({ running: true, state: 'running', clients: 50 });
    waiters.forEach((waiter) => waiter.close());
  });

  it('stops the camera the idle timeout after the last consumer leaves, then restarts on demand', async () => {
    const first = sut.subscribe();
    driver.push(jpeg);
    await first.next();
    first.close();
    await delay(config.idleTimeoutMs / 2);
    expect(sut.status().running).toBe(true);
    await waitFor(() => driver.stops === 1, 'idle stop', 2000);
    expect(sut.status()).toMatchObject({ running: false, state: 'idle', frameSize: null });

    const second = sut.subscribe();
    driver.push(jpeg);
    const frame = await second.next();
    expect(frame.seq).toBe(2);
    expect(driver.starts).toBe(2);
    second.close();
  });

  it('keeps the camera running when a consumer arrives during the idle countdown', async () => {
    const first = sut.subscribe();
    first.close();
    await delay(config.idleTimeoutMs / 2);
    const second = sut.subscribe();
    await delay(config.idleTimeoutMs * 1.5);
    expect(driver.stops).toBe(0);
    expect(sut.status().running).toBe(true);
    second.close();
  });

  it('never starts the device again before the previous run has released it', async () => {
    driver.releaseDelayMs = 100;
    for (let round = 0; round < 3; round++) {
      const waiter = sut.subscribe();
      driver.push(jpeg);
      await waiter.next();
      waiter.close();
      await waitFor(() => sut.status().state === 'stopping', 'idle stop to begin', 2000);
      // Arrives while the device is still being released.
      const next = sut.subscribe();
      driver.push(jpeg);
      await next.next();
      next.close();
      await waitFor(() => !sut.status().running, 'camera to stop', 2000);
    }
    expect(driver.maxActiveRuns).toBe(1);
  });

  it('restarts a failing driver with growing backoff while consumers keep waiting', async () => {
    const waiter = sut.subscribe();
    await waitFor(() => driver.starts === 1, 'first start');
    const failedAt: number[] = [];
    driver.fail('device unplugged');
    failedAt.push(Date.now());
    await waitFor(() => driver.starts === 2, 'first restart', 3000);
    const firstGap = Date.now() - failedAt[0];
    driver.fail('device unplugged');
    failedAt.push(Date.now());
    await waitFor(() => driver.starts === 3, 'second restart', 5000);
    const secondGap = Date.now() - failedAt[1];
    expect(secondGap).toBeGreaterThan(firstGap * 1.5);
    expect(sut.status()).toMatchObject({
      restarts: 2,
      lastError: 'device unplugged',
      state: 'starting',
    });
    expect(sut.status().lastErrorAt).not.toBeNull();

    driver.push(jpeg);
    const frame = await waiter.next();
    expect(frame.width).toBe(32);
    expect(sut.status().state).toBe('running');
    waiter.close();
  }, 15000);

  it('restarts a driver that ends by itself', async () => {
    const waiter = sut.subscribe();
    driver.end();
    await waitFor(() => driver.starts === 2, 'restart after end', 3000);
    expect(sut.status().lastError).toMatch(/stopped producing frames/);
    waiter.close();
  });

  it('drops data that is not a JPEG instead of passing it to viewers', async () => {
    const waiter = sut.subscribe();
    driver.push(Buffer.from('garbage'));
    driver.push(jpeg);
    const frame = await waiter.next();
    expect(frame.jpeg).toBe(jpeg);
    expect(sut.status().framesCaptured).toBe(1);
    waiter.close();
  });

  it('serves a snapshot while idle by starting the camera for it', async () => {
    const pending = sut.snapshot(2000);
    await waitFor(() => driver.starts === 1, 'start for snapshot');
    driver.push(jpeg);
    const frame = await pending;
    expect(frame?.jpeg).toBe(jpeg);
    expect(sut.consumerCount).toBe(0);
    await waitFor(() => !sut.status().running, 'idle stop after snapshot', 2000);
  });

  it('gives up on a snapshot when no frame comes in time', async () => {
    const frame = await sut.snapshot(100);
    expect(frame).toBeUndefined();
    expect(sut.consumerCount).toBe(0);
  });

  it('restarts a driver that stalls, and says so', async () => {
    const stalling = producerFor(driver, { ...config, stallTimeoutMs: 300 });
    try {
      const waiter = stalling.subscribe();
      driver.push(jpeg);
      await waiter.next();
      // No more frames: the watchdog aborts the run, the driver releases and is started again.
      await waitFor(() => driver.starts === 2, 'a restart after the stall', 3000);
      expect(driver.stops).toBe(1);
      expect(stalling.status().lastError).toMatch(/^no frame from the camera for 0\.3 s$/);
      waiter.close();
    } finally {
      await stalling.destroy();
    }
  });

  it('shows viewers a "no signal" frame at the stream size while the camera is down, then live frames again', async () => {
    const waiter = sut.subscribe();
    driver.push(jpeg);
    expect((await waiter.next()).live).toBe(true);
    driver.fail('the webcam was unplugged');
    const placeholder = await waiter.next();
    expect(placeholder.live).toBe(false);
    expect(isPlaceholder(placeholder.jpeg)).toBe(true);
    expect(placeholder).toMatchObject({ width: 32, height: 24 });
    expect(sut.latestFrame).toBeUndefined();
    expect(sut.status().framesCaptured).toBe(1);
    await waitFor(() => driver.starts === 2, 'the restart', 3000);
    driver.push(jpeg);
    let next = await waiter.next();
    while (!next.live) next = await waiter.next();
    expect(next.jpeg).toBe(jpeg);
    waiter.close();
  });

  it('dates the placeholder from when this run started, not from a previous run', async () => {
    const firstStart = Date.now();
    const first = sut.subscribe();
    driver.fail('no camera');
    const firstPlaceholder = await nextPlaceholder(first);
    expect(sinceOf(firstPlaceholder)).toBeGreaterThanOrEqual(firstStart);
    first.close();
    await waitFor(() => !sut.status().running, 'the idle stop', 2000);
    await delay(300);

    const secondStart = Date.now();
    const second = sut.subscribe();
    driver.fail('still no camera');
    const placeholder = await nextPlaceholder(second);
    expect(readPlaceholderComment(placeholder.jpeg)?.reason).toBe('still no camera');
    expect(sinceOf(placeholder)).toBeGreaterThanOrEqual(secondStart);
    expect(sinceOf(placeholder)).toBeLessThanOrEqual(Date.now());
    second.close();
  });

  it('dates the placeholder from when the camera went down after it was live', async () => {
    const waiter = sut.subscribe();
    driver.push(jpeg);
    await waiter.next();
    await delay(200);
    const failedAt = Date.now();
    driver.fail('unplugged');
    const placeholder = await nextPlaceholder(waiter);
    expect(sinceOf(placeholder)).toBeGreaterThanOrEqual(failedAt);
    waiter.close();
  });

  it('says "connecting" only once a start is slow, dated from the start', async () => {
    const started = Date.now();
    const waiter = sut.subscribe();
    const placeholder = await nextPlaceholder(waiter);
    const shownAfter = Date.now() - started;
    expect(readPlaceholderComment(placeholder.jpeg)).toMatchObject({
      title: 'CONNECTING',
      reason: 'waiting for the camera',
    });
    expect(shownAfter).toBeGreaterThanOrEqual(1900);
    expect(sinceOf(placeholder)).toBeGreaterThanOrEqual(started);
    expect(sinceOf(placeholder)).toBeLessThan(started + 500);
    waiter.close();
  }, 10_000);

  it('draws the placeholder at the size of the frames the source sends, not the settings', async () => {
    const waiter = sut.subscribe();
    driver.push(await solidJpeg(48, 36));
    expect(await waiter.next()).toMatchObject({ width: 48, height: 36, live: true });
    driver.fail('source gone');
    expect(await nextPlaceholder(waiter)).toMatchObject({ width: 48, height: 36 });
    waiter.close();
    await waitFor(() => !sut.status().running, 'the idle stop', 2000);

    // Still the source's size in a later run that never gets a frame.
    const later = sut.subscribe();
    driver.fail('source still gone');
    const placeholder = await nextPlaceholder(later);
    expect(placeholder).toMatchObject({ width: 48, height: 36 });
    later.close();
  });

  it('draws the placeholder at a new output size once the settings change it', async () => {
    const waiter = sut.subscribe();
    driver.push(await solidJpeg(48, 36));
    await waiter.next();
    sut.applySettings({ ...config.defaults, width: 40, height: 30, rotation: 90 });
    driver.fail('source gone');
    expect(await nextPlaceholder(waiter)).toMatchObject({ width: 30, height: 40 });
    waiter.close();
  });

  it('never serves a placeholder as a snapshot', async () => {
    const waiter = sut.subscribe();
    driver.fail('no camera');
    await waitFor(() => sut.status().state === 'retrying', 'the failure');
    await waiter.next();
    const snapshot = await sut.snapshot(300);
    expect(snapshot).toBeUndefined();
    waiter.close();
  });

  describe('with a source that holds credentials', () => {
    const source = 'rtsp://admin:S3cr%40tPw@cam.local/live';
    class CredentialedDriver extends FakeCameraDriver {
      readonly redact = createRedactor(source);
    }
    let warnings: string[];

    beforeEach(() => {
      warnings = [];
      jest
        .spyOn(Logger.prototype, 'warn')
        .mockImplementation((message: unknown) => void warnings.push(String(message)));
    });

    afterEach(() => jest.restoreAllMocks());

    it('masks them in lastError, /health, the log and the placeholder', async () => {
      const secretDriver = new CredentialedDriver();
      const producer = producerFor(secretDriver, { ...config, stallTimeoutMs: 300 });
      try {
        const waiter = producer.subscribe();
        secretDriver.fail(`${source}: 401 Unauthorized (password S3cr@tPw)`);
        const placeholder = await nextPlaceholder(waiter);
        const masked = 'rtsp://***:***@cam.local/live: 401 Unauthorized (password ***)';
        expect(producer.status().lastError).toBe(masked);
        expect(readPlaceholderComment(placeholder.jpeg)?.reason).toBe(masked);
        await waitFor(() => producer.health().degraded, 'degraded health', 3000);
        expect(producer.health().details.reason).toBe(masked);
        expect(warnings.some((line) => line.includes(masked))).toBe(true);
        for (const text of [...warnings, placeholder.jpeg.toString('latin1')]) {
          expect(text).not.toMatch(/S3cr/);
        }
        waiter.close();
      } finally {
        await producer.destroy();
      }
    });

    it('masks URL credentials by pattern for a driver that knows no secrets', async () => {
      const waiter = sut.subscribe();
      driver.fail('cannot open http://viewer:hunter22@cam/video?pwd=hunter33');
      await waitFor(() => sut.status().state === 'retrying', 'the failure');
      expect(sut.status().lastError).toBe('cannot open http://***:***@cam/video?pwd=***');
      waiter.close();
    });
  });

  it.each([
    ['an hour behind', -3_600_000],
    ['an hour ahead', 3_600_000],
  ])(
    'keeps capture times from a node whose clock is %s for viewers, and judges health and rate by its own',
    async (_how, skewMs) => {
      let flowing = true;
      const skewed: FrameProducerOptions['driver'] = {
        name: 'skewed',
        capabilities: async () => driver.capabilities(),
        async *frames(_settings, signal) {
          while (!signal.aborted) {
            if (flowing) yield { jpeg, capturedAt: Date.now() + skewMs, live: true };
            await delay(20);
          }
        },
      };
      const producer = producerFor(skewed, { ...config, stallTimeoutMs: 200 });
      const waiter = producer.subscribe();
      try {
        const frame = await waiter.next();
        expect(Math.abs(frame.capturedAt - (Date.now() + skewMs))).toBeLessThan(5_000);
        await delay(500);
        expect(producer.health().degraded).toBe(false);
        expect(producer.liveFrameAgeMs).toBeLessThan(1_000);
        expect(producer.counters.fps).toBeGreaterThan(0);
        const started = driver.starts;
        expect(await producer.snapshot(1000)).toBe(producer.latestFrame);
        expect(driver.starts).toBe(started);
        // Silence is silence, whatever the other clock says.
        flowing = false;
        await delay(600);
        expect(producer.health().degraded).toBe(true);
      } finally {
        waiter.close();
        await producer.destroy();
      }
    },
  );

  it('stops the driver on shutdown', async () => {
    const waiter = sut.subscribe();
    await waitFor(() => driver.starts === 1, 'start');
    await sut.destroy();
    expect(driver.activeRuns).toBe(0);
    expect(sut.status().running).toBe(false);
    waiter.close();
  });
});
