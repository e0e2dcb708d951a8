import { DEFAULT_SETTINGS } from '../camera/settings/settings-limits';
import {
  type AnnouncedCamera,
  type Announcement,
  DirectoryState,
  MISSED_HEARTBEATS,
  parseAnnouncement,
} from './directory-state';

const camera = (id: string): AnnouncedCamera => ({
  id,
  name: id.toUpperCase(),
  driver: 'emulated',
  state: 'idle',
  running: false,
  clients: 0,
  frameSize: null,
  lastError: null,
  maxClients: null,
  h264: true,
  settings: DEFAULT_SETTINGS,
});

const announce = (
  node: string,
  instance: string,
  ids: string[],
  startedAt = 1000,
): Announcement => ({
  v: 1,
  node,
  instance,
  startedAt,
  heartbeatMs: 1000,
  cameras: ids.map(camera),
});

const SELF = { node: 'edge', instance: 'self' };

describe(parseAnnouncement.name, () => {
  it('should take what a node announces, through JSON', () => {
    const sent = announce('pi-kitchen', 'a1', ['kitchen', 'door']);
    expect(parseAnnouncement(JSON.parse(JSON.stringify(sent)))).toEqual(sent);
  });

  it.each([
    ['another version', { ...announce('n', 'i', []), v: 2 }],
    ['a node name with a dot', announce('pi.kitchen', 'i', [])],
    ['a camera id that is no id', announce('n', 'i', ['Bad Id'])],
    ['no heartbeat', { ...announce('n', 'i', []), heartbeatMs: 0 }],
    ['a camera without settings', { ...announce('n', 'i', []), cameras: [{ id: 'a' }] }],
    [
      'settings no camera can have',
      {
        ...announce('n', 'i', []),
        cameras: [{ ...camera('a'), settings: { ...DEFAULT_SETTINGS, framerate: 0 } }],
      },
    ],
    [
      'settings without a frame rate',
      {
        ...announce('n', 'i', []),
        cameras: [{ ...camera('a'), settings: { ...DEFAULT_SETTINGS, framerate: undefined } }],
      },
    ],
    ['a heartbeat longer than any node has', { ...announce('n', 'i', []), heartbeatMs: 3_600_000 }],
    ['a start far in the future', { ...announce('n', 'i', []), startedAt: Date.now() + 10 ** 12 }],
    ['not an object', 'hello'],
  ])('should refuse %s', (_what, data) => {
    expect(parseAnnouncement(data)).toBeUndefined();
  });
});

describe(DirectoryState.name, () => {
  it('should list every node’s cameras by node name, then in announced order', () => {
    const sut = new DirectoryState(SELF);
    sut.receive(announce('pi-yard', 'y', ['yard', 'gate']), 0);
    sut.receive(announce('edge', 'self', []), 0);
    sut.receive(announce('pi-kitchen', 'k', ['kitchen']), 0);
    expect(sut.cameras().map((entry) => `${entry.node}/${entry.camera.id}`)).toEqual([
      'pi-kitchen/kitchen',
      'pi-yard/yard',
      'pi-yard/gate',
    ]);
  });

  it('should forget a node after three silent heartbeats, never itself', () => {
    const sut = new DirectoryState(SELF);
    sut.receive(announce('edge', 'self', []), 0);
    sut.receive(announce('pi', 'p', ['cam']), 0);
    expect(sut.expire(MISSED_HEARTBEATS * 1000)).toEqual([]);
    expect(sut.expire(MISSED_HEARTBEATS * 1000 + 1000).map((gone) => gone.node)).toEqual(['pi']);
    expect(sut.nodes().map((node) => node.node)).toEqual(['edge']);
  });

  it('should keep a node that keeps announcing', () => {
    const sut = new DirectoryState(SELF);
    for (let t = 0; t < 10_000; t += 1000) {
      sut.receive(announce('pi', 'p', ['cam']), t);
      expect(sut.expire(t + 500)).toEqual([]);
    }
  });

  it('should forget a node that leaves at once', () => {
    const sut = new DirectoryState(SELF);
    sut.receive(announce('pi', 'p', ['cam']), 0);
    expect(sut.leave('p')).toBe(true);
    expect(sut.cameras()).toEqual([]);
  });

  it('should take a restarted node’s new process in place of the old one, without a clash', () => {
    const sut = new DirectoryState(SELF);
    sut.receive(announce('pi', 'old', ['cam'], 1000), 0);
    sut.receive(announce('pi', 'new', ['cam'], 5000), 10);
    expect(sut.claimants('cam').map((entry) => entry.instance)).toEqual(['new']);
    expect(sut.conflicts().size).toBe(0);
    expect(sut.clashes()).toEqual([]);
  });

  it('should report two live processes of one node name, and keep both', () => {
    const sut = new DirectoryState(SELF);
    sut.receive(announce('pi', 'first', ['cam'], 1000), 0);
    sut.receive(announce('pi', 'second', ['cam'], 5000), 10);
    // The first one is alive after all: it announces again.
    sut.receive(announce('pi', 'first', ['cam'], 1000), 20);
    expect(sut.clashes()).toEqual(['pi']);
    expect(sut.conflicts().get('cam')).toEqual(['pi', 'pi']);
    sut.leave('first');
    expect(sut.clashes()).toEqual([]);
  });

  it('should report another process that calls itself by this node’s name', () => {
    const sut = new DirectoryState(SELF);
    sut.receive(announce('edge', 'self', ['cam'], 1000), 0);
    sut.receive(announce('edge', 'impostor', ['cam'], 9000), 0);
    expect(sut.clashes()).toEqual(['edge']);
    expect(sut.claimants('cam')).toHaveLength(2);
  });

  it('should report one id announced by two nodes, never merging them', () => {
    const sut = new DirectoryState(SELF);
    sut.receive(announce('pi-a', 'a', ['door', 'garden']), 0);
    sut.receive(announce('pi-b', 'b', ['door']), 0);
    expect([...sut.conflicts()]).toEqual([['door', ['pi-a', 'pi-b']]]);
    expect(sut.claimants('garden').map((entry) => entry.node)).toEqual(['pi-a']);
  });

  it('should tell when the cameras of a node change, not when only their state does', () => {
    const sut = new DirectoryState(SELF);
    expect(sut.receive(announce('pi', 'p', ['cam']), 0)).toBe(true);
    const busy = announce('pi', 'p', ['cam']);
    expect(
      sut.receive({ ...busy, cameras: [{ ...busy.cameras[0], state: 'running', clients: 3 }] }, 1),
    ).toBe(false);
    expect(sut.receive(announce('pi', 'p', ['cam', 'other']), 2)).toBe(true);
  });
});
