import type { Msg } from '@nats-io/nats-core';
import type { H264Viewer } from '../../camera/h264/h264-stream';
import type { AccessUnit } from '../../h264/avc';
import type { ClusterBus, MessageHandler } from '../cluster-bus.service';
import { ClusterSubjects } from '../cluster-subjects';
import type { DirectoryCamera } from '../directory-state';
import { PIECE_KINDS, splitIntoPieces } from '../frame-pieces';
import { RemoteH264Stream } from './remote-h264-stream';
import { RemoteLink } from './remote-link';

/** The bus as the stream and its link use it: subscriptions by subject, published demands kept. */
class FakeBus {
  connected = true;
  readonly handlers = new Map<string, MessageHandler>();
  readonly published: Array<{ subject: string; data: string }> = [];
  onChange(): () => void {
    return () => undefined;
  }
  subscribe(subject: string, handler: MessageHandler) {
    this.handlers.set(subject, handler);
    return { unsubscribe: () => this.handlers.delete(subject) };
  }
  publish(subject: string, data: Uint8Array | string): boolean {
    this.published.push({ subject, data: String(data) });
    return true;
  }
  /** What the camera node sends: one H.264 unit, in pieces. */
  send(subject: string, seq: number, keyframe: boolean, epoch = 1): void {
    const kind = keyframe ? PIECE_KINDS.h264Keyframe : PIECE_KINDS.h264;
    const data = Buffer.from(`unit-${seq}`);
    for (const piece of splitIntoPieces(
      { kind, epoch, seq, capturedAt: seq * 33, width: 0, height: 0 },
      data,
      1024,
    )) {
      this.handlers.get(subject)?.({ subject, data: piece } as unknown as Msg);
    }
  }
}

const OWNER = { node: 'pi', instance: 'p1', camera: { id: 'cam' } } as unknown as DirectoryCamera;
const subjects = new ClusterSubjects('camfeed').camera('pi', 'cam');

function setUp() {
  const bus = new FakeBus();
  const link = new RemoteLink(
    'cam',
    bus as unknown as ClusterBus,
    new ClusterSubjects('camfeed'),
    { node: 'edge', instance: 'e1' },
    1000,
  );
  link.update(OWNER, []);
  const sut = new RemoteH264Stream(link, () => true);
  const received: string[] = [];
  const viewer: H264Viewer = {
    deliver: (unit: AccessUnit) => received.push(unit.data.toString()),
  };
  return { bus, sut, received, viewer };
}

describe(RemoteH264Stream.name, () => {
  it('should ask the camera’s node for H.264 with the first viewer, and stop asking with the last', () => {
    const { bus, sut, viewer } = setUp();
    const subscription = sut.subscribe(viewer);
    expect(bus.handlers.has(subjects.h264)).toBe(true);
    expect(JSON.parse(bus.published.at(-1)?.data ?? '{}')).toMatchObject({ h264: true });
    subscription.close();
    expect(bus.handlers.has(subjects.h264)).toBe(false);
    expect(JSON.parse(bus.published.at(-1)?.data ?? '{}')).toMatchObject({ h264: false });
  });

  it('should start viewers on a keyframe, skipping what comes before it', () => {
    const { bus, sut, received, viewer } = setUp();
    sut.subscribe(viewer);
    bus.send(subjects.h264, 7, false);
    bus.send(subjects.h264, 8, false);
    bus.send(subjects.h264, 9, true);
    bus.send(subjects.h264, 10, false);
    expect(received).toEqual(['unit-9', 'unit-10']);
  });

  it('should drop a GOP sent again for another node, and take it when it is what it lacks', () => {
    const { bus, sut, received, viewer } = setUp();
    sut.subscribe(viewer);
    // Joined mid-GOP: live 5 first, then the GOP sent again from its keyframe, then live on.
    bus.send(subjects.h264, 5, false);
    for (const seq of [3, 4, 5]) bus.send(subjects.h264, seq, seq === 3);
    bus.send(subjects.h264, 6, false);
    // Sent again for a node joining later: this one has it all.
    for (const seq of [3, 4, 5, 6]) bus.send(subjects.h264, seq, seq === 3);
    bus.send(subjects.h264, 7, false);
    expect(received).toEqual(['unit-3', 'unit-4', 'unit-5', 'unit-6', 'unit-7']);
  });

  it('should stop at a lost picture until the next keyframe, never going back in time', () => {
    const { bus, sut, received, viewer } = setUp();
    sut.subscribe(viewer);
    bus.send(subjects.h264, 1, true);
    bus.send(subjects.h264, 2, false);
    bus.send(subjects.h264, 4, false); // 3 was lost
    bus.send(subjects.h264, 5, false);
    bus.send(subjects.h264, 1, true); // an older keyframe, sent again for another node
    bus.send(subjects.h264, 6, true);
    bus.send(subjects.h264, 7, false);
    expect(received).toEqual(['unit-1', 'unit-2', 'unit-6', 'unit-7']);
  });

  it('should start afresh when the camera’s node restarts its numbering (another epoch)', () => {
    const { bus, sut, received, viewer } = setUp();
    sut.subscribe(viewer);
    bus.send(subjects.h264, 100, true, 1);
    bus.send(subjects.h264, 1, false, 2);
    bus.send(subjects.h264, 2, true, 2);
    bus.send(subjects.h264, 3, false, 2);
    expect(received).toEqual(['unit-100', 'unit-2', 'unit-3']);
  });

  it('should give a joining viewer the GOP it kept, at once', () => {
    const { bus, sut, viewer } = setUp();
    sut.subscribe(viewer);
    bus.send(subjects.h264, 1, true);
    bus.send(subjects.h264, 2, false);
    const late: string[] = [];
    sut.subscribe({ deliver: (unit) => late.push(unit.data.toString()) });
    expect(late).toEqual(['unit-1', 'unit-2']);
  });
});
