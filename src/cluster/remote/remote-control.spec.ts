import type { FrameProducer } from '../../camera/producer/frame-producer';
import type { ClusterBus } from '../cluster-bus.service';
import { ClusterSubjects } from '../cluster-subjects';
import type { ControlReply } from '../control-messages';
import type { DirectoryCamera } from '../directory-state';
import { PIECE_KINDS, splitIntoPieces } from '../frame-pieces';
import { RemoteControl } from './remote-control';
import { RemoteLink } from './remote-link';

/** A camera node that answers every request with `reply`, counting the requests. */
class AnsweringBus {
  connected = true;
  requests: Array<{ subject: string; request: { op: string } }> = [];
  reply: (request: { op: string }) => ControlReply = () => ({ status: 200, body: {} });
  onChange(): () => void {
    return () => undefined;
  }
  publish(): boolean {
    return true;
  }
  async requestFirst<T>(
    subject: string,
    data: string,
    _timeoutMs: number,
    take: (reply: Uint8Array) => T | undefined,
  ): Promise<{ result: T | undefined; replies: number }> {
    const request = JSON.parse(data) as { op: string };
    this.requests.push({ subject, request });
    await new Promise((resolve) => setImmediate(resolve));
    const answer = Buffer.from(JSON.stringify(this.reply(request)));
    const pieces = splitIntoPieces(
      { kind: PIECE_KINDS.json, epoch: 1, seq: 0, capturedAt: 0, width: 0, height: 0 },
      answer,
      1024,
    );
    for (const [index, piece] of pieces.entries()) {
      const result = take(piece);
      if (result !== undefined) return { result, replies: index + 1 };
    }
    return { result: undefined, replies: pieces.length };
  }
}

function setUp() {
  const bus = new AnsweringBus();
  const link = new RemoteLink(
    'cam',
    bus as unknown as ClusterBus,
    new ClusterSubjects('camfeed'),
    { node: 'edge', instance: 'e1' },
    1000,
  );
  link.update({ node: 'pi', instance: 'p1' } as unknown as DirectoryCamera, []);
  const producer = { isRunning: false, latestFrame: undefined } as unknown as FrameProducer;
  return { bus, link, sut: new RemoteControl(link, producer, () => 'pi') };
}

describe(RemoteControl.name, () => {
  it('should ask the camera’s node on its rpc subject and give its answer', async () => {
    const { bus, sut } = setUp();
    bus.reply = () => ({ status: 200, body: { width: 640 } });
    await expect(sut.settings()).resolves.toEqual({ width: 640 });
    expect(bus.requests).toEqual([
      { subject: 'camfeed.cam.pi.cam.rpc', request: { op: 'settings' } },
    ]);
  });

  it('should share one status request among the pages polling at once', async () => {
    const { bus, sut } = setUp();
    bus.reply = () => ({ status: 200, body: { state: 'running' } });
    const answers = await Promise.all(Array.from({ length: 100 }, async () => sut.status()));
    expect(answers.every((answer) => (answer as { state: string }).state === 'running')).toBe(true);
    expect(bus.requests).toHaveLength(1);
  });

  it('should read again after a change made through it', async () => {
    const { bus, sut } = setUp();
    await sut.settings();
    await sut.updateSettings({ width: 320 });
    await sut.settings();
    expect(bus.requests.map((entry) => entry.request.op)).toEqual([
      'settings',
      'updateSettings',
      'settings',
    ]);
  });

  it('should give the node’s refusal as it was given, and not keep it', async () => {
    const { bus, sut } = setUp();
    bus.reply = () => ({
      status: 503,
      body: { statusCode: 503, error: 'Service Unavailable', message: 'IR LEDs unavailable' },
      headers: {},
    });
    await expect(sut.irLedState()).rejects.toMatchObject({
      status: 503,
      message: 'IR LEDs unavailable',
    });
    await expect(sut.irLedState()).rejects.toMatchObject({ status: 503 });
    expect(bus.requests).toHaveLength(2);
  });

  it('should answer 502 when the node’s answer is none', async () => {
    const { bus, sut } = setUp();
    bus.reply = () => ({ hello: 'world' }) as unknown as ControlReply;
    await expect(sut.capabilities()).rejects.toMatchObject({ status: 502 });
  });

  it('should answer 503 naming the node, without asking, when the camera cannot be reached', async () => {
    const { bus, link, sut } = setUp();
    link.update(undefined, []);
    const refusal = (await sut.status().catch((error: unknown) => error)) as Error & {
      status: number;
    };
    expect(refusal.status).toBe(503);
    expect(refusal.message).toMatch(
      /on node pi, which cannot be reached: the node of camera cam left/,
    );
    expect(bus.requests).toHaveLength(0);
  });
});
