import { createSocket } from 'node:dgram';
import { decodedSizes, startsWithKeyframe } from './utils/h264';
import { MjpegReader } from './utils/mjpeg-reader';
import { childProcesses } from './utils/processes';
import { scrape, valueOf } from './utils/prometheus';
import { startApp, type TestApp } from './utils/test-app';
import { delay, waitFor } from './utils/wait-for';
import { WhepClient, type WhepReply } from './utils/whep-client';

const ENDPOINT = '/cameras/default/whep';
const encoders = (): number =>
  childProcesses().filter((child) => child.command.includes('libx264')).length;

/** The UDP port the answer's host candidate gives, which the session holds while it lives. */
const candidatePort = (answer: string): number => {
  const match = /^a=candidate:\S+ 1 UDP \d+ 127\.0\.0\.1 (\d+) typ host/im.exec(answer);
  if (match === null) throw new Error(`no 127.0.0.1 host candidate in the answer:\n${answer}`);
  return Number(match[1]);
};

/** Whether a UDP port on 127.0.0.1 can be bound, i.e. no session holds it. */
const portIsFree = async (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = createSocket('udp4');
    socket.once('error', () => resolve(false));
    socket.bind(port, '127.0.0.1', () => socket.close(() => resolve(true)));
  });

interface StatusBody {
  readonly running: boolean;
  readonly clients: number;
  readonly h264: { state: string; encoder: string | null; viewers: number };
}

const statusOf = async (server: TestApp): Promise<StatusBody> =>
  (await fetch(`${server.baseUrl}/cameras/default/status`)).json() as Promise<StatusBody>;

/** Polls an asynchronous check until it holds. */
async function eventually(check: () => Promise<boolean>, what: string, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await delay(50);
  }
}

async function connected(client: WhepClient): Promise<void> {
  const reply = await client.play();
  expect(reply.status).toBe(201);
  await waitFor(() => client.stats.packets > 0, 'RTP packets', 20_000);
}

describe('WebRTC (WHEP)', () => {
  const clients: WhepClient[] = [];
  const open = (server: TestApp): WhepClient => {
    const client = new WhepClient(`${server.baseUrl}${ENDPOINT}`);
    clients.push(client);
    return client;
  };

  afterEach(async () => {
    for (const client of clients.splice(0)) await client.disconnect().catch(() => 0);
  });

  describe('a camera with the default settings', () => {
    let server: TestApp;

    beforeAll(async () => {
      // A keyframe every 10 s: only the kept GOP can start a joining viewer at once.
      server = await startApp({ CAMERA_IDLE_TIMEOUT: '1', CAMERA_KEYFRAME_INTERVAL: '10' });
    });

    afterAll(async () => server.close());

    it('answers an offer with 201, the SDP answer and the session’s resource; RTP of the answer’s SSRC arrives; DELETE ends the session and frees its port', async () => {
      const client = open(server);
      const reply = await client.connect();
      expect(reply.status).toBe(201);
      expect(reply.headers.get('content-type')).toMatch(/^application\/sdp/);
      expect(reply.headers.get('location')).toMatch(/^\/cameras\/default\/whep\/[0-9a-f]+$/);
      expect(reply.headers.get('accept-patch')).toBe('application/trickle-ice-sdpfrag');
      expect(reply.body).toMatch(/^a=rtpmap:\d+ H264\/90000/m);
      const port = candidatePort(reply.body);

      await waitFor(() => client.stats.pictures >= 30, '30 pictures', 20_000);
      expect(client.stats.strayPackets).toBe(0);
      expect(await portIsFree(port)).toBe(false);
      const status = await statusOf(server);
      expect(status.h264).toMatchObject({ state: 'running', encoder: 'libx264', viewers: 1 });
      const metrics = await scrape(server.baseUrl);
      expect(valueOf(metrics, 'camfeed_webrtc_viewers', { camera: 'default' })).toBe(1);
      expect(
        valueOf(metrics, 'camfeed_webrtc_bytes_sent_total', { camera: 'default' }),
      ).toBeGreaterThan(10_000);
      expect(valueOf(metrics, 'camfeed_h264_running', { camera: 'default' })).toBe(1);

      const location = client.location!;
      expect(await client.disconnect()).toBe(200);
      // The library closes the socket on its own thread, a moment after the DELETE answered.
      await eventually(async () => portIsFree(port), 'the session’s UDP port to be freed', 2000);
      expect((await fetch(location, { method: 'DELETE' })).status).toBe(404);
      const after = await scrape(server.baseUrl);
      expect(valueOf(after, 'camfeed_webrtc_viewers', { camera: 'default' })).toBe(0);
    });

    it('gives a joining viewer a keyframe at once from the kept GOP, not at the next one', async () => {
      const first = open(server);
      await connected(first);
      // Well inside the 10 s GOP.
      await delay(700);
      const second = open(server);
      second.record();
      await connected(second);
      // Long before the next keyframe, even on a loaded machine (from the offer that played).
      expect(second.stats.firstPacketAt - second.offeredAt).toBeLessThan(5000);
      await delay(300);
      // What arrived first was a keyframe (IDR, NAL type 5) with its parameter sets before it.
      const recording = second.recording();
      expect(startsWithKeyframe(recording)).toBe(true);
      const sizes = await decodedSizes(recording);
      expect(sizes.length).toBeGreaterThan(0);
      expect(sizes[0]).toBe('640x480');
    });

    it('encodes once for ten viewers: one encoder process, every viewer gets every picture', async () => {
      const viewers = Array.from({ length: 10 }, () => open(server));
      await Promise.all(viewers.map(connected));
      const start = viewers.map((viewer) => viewer.stats.pictures);
      await delay(2000);
      expect(encoders()).toBe(1);
      for (const [index, viewer] of viewers.entries()) {
        // 30 fps for 2 s; a slow machine may lose a few.
        expect(viewer.stats.pictures - start[index]).toBeGreaterThan(40);
        expect(viewer.stats.strayPackets).toBe(0);
      }
      const status = await statusOf(server);
      expect(status.h264.viewers).toBe(10);
      // Ten viewers, not one encoder.
      expect(status.clients).toBe(10);
    });

    it('stops the encoder and then the camera after the last viewer leaves', async () => {
      const client = open(server);
      await connected(client);
      expect(encoders()).toBe(1);
      await client.disconnect();
      await waitFor(() => encoders() === 0, 'the encoder to stop', 5000);
      const status = await statusOf(server);
      expect(status.h264.state).toBe('idle');
      // The encoder was the camera's last user: the camera stops its idle timeout later.
      await eventually(
        async () => {
          return (await statusOf(server)).running === false;
        },
        'the camera to stop',
        5000,
      );
    });

    it('brings a new size to a connected viewer when the settings change', async () => {
      const client = open(server);
      client.record();
      await connected(client);
      const change = await fetch(`${server.baseUrl}/cameras/default/settings`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ width: 320, height: 240 }),
      });
      expect(change.status).toBe(200);
      await eventually(
        async () => (await decodedSizes(client.recording())).includes('320x240'),
        'a 320x240 picture',
        15_000,
      );
      await delay(500);
      const sizes = await decodedSizes(client.recording());
      // The new size arrives on the same connection, decodable (new parameter sets, a keyframe).
      expect(sizes).toContain('320x240');
      expect(sizes.at(-1)).toBe('320x240');
      const reset = await fetch(`${server.baseUrl}/cameras/default/settings`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ width: 640, height: 480 }),
      });
      expect(reset.status).toBe(200);
    });

    it('plays for Mainsail’s WebRTC (MediaMTX) player: OPTIONS, a video and audio offer without candidates, candidates by PATCH', async () => {
      const client = open(server);
      const reply = await client.connect({}, true);
      expect(reply.status).toBe(201);
      expect(client.messages.find((message) => message.type === 'options')).toMatchObject({
        status: 204,
      });
      // Video is answered, audio (which camfeed has none of) declined.
      const [, video, audio] = reply.body.split(/\r?\nm=/);
      expect(video).toMatch(/^video [\s\S]*^a=sendonly\s*$/m);
      expect(audio).toMatch(/^audio [\s\S]*^a=inactive\s*$/m);
      await waitFor(() => client.stats.pictures >= 30, '30 pictures', 20_000);
      const patched = client.messages.filter((message) => message.type === 'patched');
      expect(patched.length).toBeGreaterThan(0);
      expect(patched.every((message) => message.status === 204)).toBe(true);
    });

    it('refuses what is not an offer, with a JSON error, and keeps no session', async () => {
      const bad = await fetch(`${server.baseUrl}${ENDPOINT}`, {
        method: 'POST',
        headers: { 'content-type': 'application/sdp' },
        body: 'v=0\r\nthis is not an offer\r\n',
      });
      expect(bad.status).toBe(400);
      expect(await bad.json()).toMatchObject({ statusCode: 400 });
      const json = await fetch(`${server.baseUrl}${ENDPOINT}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      });
      expect(json.status).toBe(415);
      const unknown = await fetch(`${server.baseUrl}/cameras/nope/whep`, {
        method: 'POST',
        headers: { 'content-type': 'application/sdp' },
        body: 'v=0\r\n',
      });
      expect(unknown.status).toBe(404);
      const status = await statusOf(server);
      expect(status.h264.viewers).toBe(0);
    });

    it('keeps the others playing when a viewer freezes (its process stopped, its socket unread)', async () => {
      const frozen = open(server);
      await connected(frozen);
      const other = open(server);
      await connected(other);
      frozen.signal('SIGSTOP');
      try {
        const before = other.stats.pictures;
        await delay(3000);
        // 30 fps for 3 s: the frozen viewer's full socket costs the others nothing.
        expect(other.stats.pictures - before).toBeGreaterThan(70);
      } finally {
        await frozen.close();
      }
    });
  });

  describe('with STREAM_AUTH and MAX_CLIENTS', () => {
    let server: TestApp;
    const auth = `Basic ${Buffer.from('viewer:watch-the-baby').toString('base64')}`;

    beforeAll(async () => {
      server = await startApp({
        STREAM_AUTH: 'true',
        STREAM_USERNAME: 'viewer',
        STREAM_PASSWORD: 'watch-the-baby',
        MAX_CLIENTS: '2',
        CAMERA_WIDTH: '320',
        CAMERA_HEIGHT: '240',
      });
    });

    afterAll(async () => server.close());

    it('asks for credentials as /video_feed does, and plays with them', async () => {
      const anonymous = open(server);
      const refused = await anonymous.connect();
      expect(refused.status).toBe(401);
      const viewer = new WhepClient(`${server.baseUrl}${ENDPOINT}`);
      clients.push(viewer);
      const reply = await viewer.connect({ authorization: auth });
      expect(reply.status).toBe(201);
      await waitFor(() => viewer.stats.packets > 0, 'RTP packets', 20_000);
      expect(await viewer.disconnect({ authorization: auth })).toBe(200);
    });

    it('counts WebRTC viewers in the MAX_CLIENTS budget with MJPEG viewers', async () => {
      const mjpeg = await MjpegReader.open(`${server.baseUrl}/video_feed`, {
        headers: { authorization: auth },
      });
      expect(mjpeg.statusCode).toBe(200);
      try {
        const viewer = new WhepClient(`${server.baseUrl}${ENDPOINT}`);
        clients.push(viewer);
        expect((await viewer.connect({ authorization: auth })).status).toBe(201);
        const third = new WhepClient(`${server.baseUrl}${ENDPOINT}`);
        clients.push(third);
        const refused = await third.connect({ authorization: auth });
        expect(refused.status).toBe(503);
        expect(refused.headers.get('retry-after')).toBe('10');
        expect(JSON.parse(refused.body)).toMatchObject({ statusCode: 503 });
        const feed = await fetch(`${server.baseUrl}/video_feed`, {
          headers: { authorization: auth },
        });
        expect(feed.status).toBe(503);
        await feed.body?.cancel();
      } finally {
        mjpeg.close();
      }
    });
  });
});

describe('WebRTC network settings', () => {
  const clients: WhepClient[] = [];
  afterEach(async () => {
    for (const client of clients.splice(0)) await client.disconnect().catch(() => 0);
  });
  const freeUdpPort = async (): Promise<number> => {
    for (;;) {
      const port = 20_000 + Math.floor(Math.random() * 40_000);
      if ((await portIsFree(port)) && (await portIsFree(port + 1))) return port;
    }
  };
  const play = async (server: TestApp): Promise<WhepReply> => {
    const client = new WhepClient(`${server.baseUrl}${ENDPOINT}`);
    clients.push(client);
    const reply = await client.connect();
    expect(reply.status).toBe(201);
    await waitFor(() => client.stats.pictures > 10, 'pictures', 20_000);
    return reply;
  };

  it('puts every viewer on the one WEBRTC_UDP_PORT', async () => {
    const port = await freeUdpPort();
    const server = await startApp({
      WEBRTC_UDP_PORT: String(port),
      CAMERA_WIDTH: '320',
      CAMERA_HEIGHT: '240',
    });
    try {
      const first = await play(server);
      const second = await play(server);
      expect(candidatePort(first.body)).toBe(port);
      expect(candidatePort(second.body)).toBe(port);
    } finally {
      for (const client of clients.splice(0)) await client.disconnect();
      await server.close();
    }
  });

  it('keeps viewers in the WEBRTC_PORT_MIN–MAX range', async () => {
    const min = await freeUdpPort();
    const server = await startApp({
      WEBRTC_PORT_MIN: String(min),
      WEBRTC_PORT_MAX: String(min + 1),
      CAMERA_WIDTH: '320',
      CAMERA_HEIGHT: '240',
    });
    try {
      const ports = [
        candidatePort((await play(server)).body),
        candidatePort((await play(server)).body),
      ];
      expect(ports.sort()).toEqual([min, min + 1]);
    } finally {
      for (const client of clients.splice(0)) await client.disconnect();
      await server.close();
    }
  });

  it('advertises WEBRTC_PUBLIC_IP and the configured ICE servers, never a public one by default', async () => {
    const plain = await startApp({});
    try {
      const options = await fetch(`${plain.baseUrl}${ENDPOINT}`, { method: 'OPTIONS' });
      expect(options.status).toBe(204);
      expect(options.headers.get('link')).toBeNull();
    } finally {
      await plain.close();
    }
    const server = await startApp({
      WEBRTC_PUBLIC_IP: '203.0.113.7',
      WEBRTC_ICE_SERVERS: 'stun:stun.example.net:3478,turn:alice:s3cret@turn.example.net:3478',
    });
    try {
      const client = new WhepClient(`${server.baseUrl}${ENDPOINT}`);
      clients.push(client);
      const reply = await client.connect();
      expect(reply.status).toBe(201);
      // Beside the server's own address (for viewers on its network), on the same port.
      const port = candidatePort(reply.body);
      expect(reply.body).toMatch(
        new RegExp(`^a=candidate:\\S+ 1 udp \\d+ 203\\.0\\.113\\.7 ${port} typ host`, 'im'),
      );
      const links = reply.headers.get('link') ?? '';
      expect(links).toContain('<stun:stun.example.net:3478>; rel="ice-server"');
      expect(links).toContain(
        '<turn:turn.example.net:3478>; rel="ice-server"; username="alice"; credential="s3cret"',
      );
    } finally {
      for (const client of clients.splice(0)) await client.disconnect();
      await server.close();
    }
  });

  it('with WEBRTC=false answers 503 with the reason, and MJPEG plays on', async () => {
    const server = await startApp({ WEBRTC: 'false' });
    try {
      const response = await fetch(`${server.baseUrl}${ENDPOINT}`, {
        method: 'POST',
        headers: { 'content-type': 'application/sdp' },
        body: 'v=0\r\n',
      });
      expect(response.status).toBe(503);
      expect(((await response.json()) as { message: string }).message).toMatch(/WEBRTC=false/);
      const feed = await MjpegReader.open(`${server.baseUrl}/video_feed`);
      expect(feed.statusCode).toBe(200);
      feed.close();
    } finally {
      await server.close();
    }
  });
});
