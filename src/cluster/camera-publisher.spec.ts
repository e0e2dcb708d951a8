import { Logger } from '@nestjs/common';
import type { Msg } from '@nats-io/nats-core';
import { FakeCameraDriver } from '../../test/fakes/fake-camera.driver';
import { solidJpeg } from '../../test/utils/jpeg-fixtures';
import { waitFor } from '../../test/utils/wait-for';
import type { H264Source } from '../camera/h264/h264-stream';
import { FrameProducer } from '../camera/producer/frame-producer';
import { DEFAULT_SETTINGS } from '../camera/settings/settings-limits';
import type { ClusterBus, MessageHandler } from './cluster-bus.service';
import { ClusterSubjects } from './cluster-subjects';
import { CameraPublisher, type PublishedCamera } from './camera-publisher';
import { PieceAssembler } from './frame-pieces';

/** A bus whose round trips (flush) the test completes by hand: a link as slow as it likes. */
class SlowBus {
  connected = true;
  maxPayload = 1024 * 1024;
  readonly handlers = new Map<string, MessageHandler>();
  readonly published: Array<{ subject: string; data: Uint8Array }> = [];
  private readonly pendingFlushes: Array<() => void> = [];
  private readonly listeners = new Set<(up: boolean) => void>();
  onChange(listener: (up: boolean) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  setUp(up: boolean): void {
    this.connected = up;
    for (const listener of this.listeners) listener(up);
  }
  subscribe(subject: string, handler: MessageHandler) {
    this.handlers.set(subject, handler);
    return { unsubscribe: () => this.handlers.delete(subject) };
  }
  publish(subject: string, data: Uint8Array | string): boolean {
    if (!this.connected) return false;
    this.published.push({ subject, data: typeof data === 'string' ? Buffer.from(data) : data });
    return true;
  }
  async flush(): Promise<void> {
    return new Promise((resolve) => this.pendingFlushes.push(resolve));
  }
  /** The server took everything published so far. */
  catchUp(): void {
    for (const resolve of this.pendingFlushes.splice(0)) resolve();
  }
  deliver(subject: string, data: unknown): void {
    this.handlers.get(subject)?.({
      subject,
      data: Buffer.from(JSON.stringify(data)),
    } as unknown as Msg);
  }
}

const subjects = new ClusterSubjects('camfeed').camera('pi', 'cam');
const DEMAND = { node: 'edge', instance: 'e1', mjpeg: true, h264: false, heartbeatMs: 1000 };

describe(CameraPublisher.name, () => {
  let driver: FakeCameraDriver;
  let producer: FrameProducer;
  let bus: SlowBus;
  let sut: CameraPublisher;
  let frames: Buffer[];

  /** The sequence numbers of the frames that went out on the camera's JPEG subject. */
  const sentSeqs = (): number[] => {
    const assembler = new PieceAssembler();
    return bus.published
      .filter((message) => message.subject === subjects.jpeg)
      .map((message) => assembler.push(message.data)?.seq)
      .filter((seq): seq is number => seq !== undefined);
  };

  beforeAll(async () => {
    frames = await Promise.all(
      Array.from({ length: 10 }, async (_, i) => solidJpeg(64, 48, i * 20)),
    );
  });

  beforeEach(() => {
    driver = new FakeCameraDriver();
    producer = new FrameProducer({
      driver,
      settings: DEFAULT_SETTINGS,
      idleTimeoutMs: 60_000,
      stallTimeoutMs: 60_000,
      logger: new Logger('test'),
    });
    bus = new SlowBus();
    const h264 = {
      subscribe: () => ({ close: () => undefined, resync: () => undefined }),
    } as unknown as H264Source;
    const camera = { producer, h264 } as unknown as PublishedCamera;
    sut = new CameraPublisher(camera, bus as unknown as ClusterBus, subjects, new Logger('test'));
    sut.start();
  });

  afterEach(async () => {
    sut.stop();
    await producer.destroy();
  });

  it('should not run the camera for nobody, and start it with the first demand', () => {
    expect(producer.isRunning).toBe(false);
    bus.deliver(subjects.demand, DEMAND);
    expect(producer.isRunning).toBe(true);
    expect(sut.demanders).toBe(1);
    bus.deliver(subjects.demand, { ...DEMAND, mjpeg: false });
    expect(sut.demanders).toBe(0);
    expect(producer.consumerCount).toBe(0);
  });

  it('should count the viewers of the nodes that want the camera, and its own hold on it apart', () => {
    expect(sut.audience()).toEqual({ viewers: 0, carriers: 0 });
    bus.deliver(subjects.demand, { ...DEMAND, viewers: 3 });
    bus.deliver(subjects.demand, { ...DEMAND, instance: 'e2', node: 'edge-2', viewers: 2 });
    expect(sut.audience()).toEqual({ viewers: 5, carriers: 1 });
    expect(producer.consumerCount).toBe(1);
    bus.deliver(subjects.demand, { ...DEMAND, viewers: 1 });
    expect(sut.audience()).toEqual({ viewers: 3, carriers: 1 });
    bus.deliver(subjects.demand, { ...DEMAND, mjpeg: false, viewers: 0 });
    bus.deliver(subjects.demand, { ...DEMAND, instance: 'e2', node: 'edge-2', mjpeg: false });
    expect(sut.audience()).toEqual({ viewers: 0, carriers: 0 });
    // WebRTC viewers only: the publisher holds the H.264 stream instead.
    bus.deliver(subjects.demand, { ...DEMAND, mjpeg: false, h264: true, viewers: 2 });
    expect(sut.audience()).toEqual({ viewers: 2, carriers: 1 });
  });

  it('should keep the demand of at most 1024 nodes, and still hear those it keeps', () => {
    for (let n = 0; n < 1100; n++) {
      bus.deliver(subjects.demand, { ...DEMAND, instance: `i${n}`, viewers: 1 });
    }
    expect(sut.demanders).toBe(1024);
    bus.deliver(subjects.demand, { ...DEMAND, instance: 'i0', mjpeg: false });
    expect(sut.demanders).toBe(1023);
    bus.deliver(subjects.demand, { ...DEMAND, instance: 'i1', viewers: 5 });
    expect(sut.audience().viewers).toBe(1022 + 5);
  });

  it('should send the newest frame when the link catches up, never a backlog', async () => {
    bus.deliver(subjects.demand, DEMAND);
    await waitFor(() => driver.starts === 1, 'the camera to start');
    for (const [index, frame] of frames.entries()) {
      driver.push(frame);
      await waitFor(() => producer.counters.framesCaptured > index, 'a frame');
    }
    // Two frames in flight, the link has taken neither: the other eight were skipped.
    expect(sentSeqs()).toHaveLength(2);
    const [first, second] = sentSeqs();
    bus.catchUp();
    await waitFor(() => sentSeqs().length === 3, 'the next frame');
    const latest = producer.latestFrame?.seq;
    expect(sentSeqs()).toEqual([first, second, latest]);
  });

  it('should forget a node whose demand was not renewed', () => {
    bus.deliver(subjects.demand, DEMAND);
    expect(sut.demanders).toBe(1);
    sut.sweep(Date.now() + 2_000);
    expect(sut.demanders).toBe(1);
    sut.sweep(Date.now() + 4_000);
    expect(sut.demanders).toBe(0);
    expect(producer.consumerCount).toBe(0);
  });

  it('should publish nothing while the bus is down, and the newest frame once it is back', async () => {
    bus.deliver(subjects.demand, DEMAND);
    await waitFor(() => driver.starts === 1, 'the camera to start');
    bus.setUp(false);
    for (const frame of frames.slice(0, 3)) driver.push(frame);
    await waitFor(() => producer.counters.framesCaptured === 3, 'three frames');
    expect(sentSeqs()).toEqual([]);
    bus.setUp(true);
    expect(sentSeqs()).toEqual([producer.latestFrame?.seq]);
  });
});
