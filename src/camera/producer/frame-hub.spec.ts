import type { Frame } from './frame';
import { FrameHub, FrameWaiter } from './frame-hub';

const frame = (seq: number): Frame => ({
  seq,
  jpeg: Buffer.from([seq]),
  capturedAt: 1_700_000_000_000 + seq,
  width: 4,
  height: 4,
  live: true,
});

describe(FrameWaiter.name, () => {
  let hub: FrameHub;
  let closes: number;
  let sut: FrameWaiter;

  beforeEach(() => {
    hub = new FrameHub();
    closes = 0;
    sut = new FrameWaiter(hub, () => (closes += 1));
  });

  it('gives a stalled reader the newest frame next (frame 10, not frame 2)', async () => {
    hub.publish(frame(1));
    expect((await sut.next()).seq).toBe(1);
    for (let seq = 2; seq <= 10; seq++) hub.publish(frame(seq));
    expect((await sut.next()).seq).toBe(10);
  });

  it('hands out each frame at most once and then waits for the next one', async () => {
    hub.publish(frame(1));
    expect(sut.takeNewer()?.seq).toBe(1);
    expect(sut.takeNewer()).toBeUndefined();

    let resolved: Frame | undefined;
    const pending = sut.next().then((f) => (resolved = f));
    await Promise.resolve();
    expect(resolved).toBeUndefined();
    expect(hub.waitingCount).toBe(1);

    hub.publish(frame(2));
    await pending;
    expect(resolved?.seq).toBe(2);
    expect(hub.waitingCount).toBe(0);
  });

  it('calls an armed callback once per arming, even if more frames arrive', () => {
    const seen: number[] = [];
    sut.arm((f) => seen.push(f.seq));
    hub.publish(frame(1));
    hub.publish(frame(2));
    expect(seen).toEqual([1]);
  });

  it('puts a consumer that re-arms during a wake-up into the next round', () => {
    const seen: number[] = [];
    const onFrame = (f: Frame): void => {
      seen.push(f.seq);
      sut.arm(onFrame);
    };
    sut.arm(onFrame);
    hub.publish(frame(1));
    hub.publish(frame(2));
    expect(seen).toEqual([1, 2]);
  });

  it('wakes every waiting consumer, even when one of them throws', () => {
    const other = new FrameWaiter(hub, () => undefined);
    const seen: number[] = [];
    sut.arm(() => {
      throw new Error('socket died');
    });
    other.arm((f) => seen.push(f.seq));
    hub.publish(frame(1));
    expect(seen).toEqual([1]);
  });

  it('rejects next() when its signal aborts, and leaves nothing waiting', async () => {
    const abort = new AbortController();
    const pending = sut.next(abort.signal);
    expect(hub.waitingCount).toBe(1);
    abort.abort(new Error('client left'));
    await expect(pending).rejects.toThrow('client left');
    expect(hub.waitingCount).toBe(0);
  });

  it('releases its consumer exactly once on close and is never woken afterwards', () => {
    const seen: number[] = [];
    sut.arm((f) => seen.push(f.seq));
    sut.close();
    sut.close();
    hub.publish(frame(1));
    expect(closes).toBe(1);
    expect(seen).toEqual([]);
    expect(hub.waitingCount).toBe(0);
    sut.arm((f) => seen.push(f.seq));
    expect(seen).toEqual([]);
  });

  it('serves nothing after the hub is cleared (a stopped camera)', () => {
    hub.publish(frame(1));
    hub.clear();
    expect(sut.takeNewer()).toBeUndefined();
    expect(sut.latest).toBeUndefined();
  });
});
