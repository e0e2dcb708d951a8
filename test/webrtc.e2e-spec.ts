import { execFile } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { findFfmpeg } from '../src/camera/drivers/ffmpeg-binary';
import { MjpegReader } from './utils/mjpeg-reader';
import { childProcesses } from './utils/processes';
import { scrape, valueOf } from './utils/prometheus';
import { startApp, type TestApp } from './utils/test-app';
import { delay, waitFor } from './utils/wait-for';
import { WhepClient } from './utils/whep-client';

const ENDPOINT = '/cameras/default/whep';
const START = Buffer.from([0, 0, 0, 1]);
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

/** The sizes of the pictures a real decoder (ffmpeg, the one camfeed uses) finds in H.264. */
async function decodedSizes(annexB: Buffer): Promise<string[]> {
  const file = join(mkdtempSync(join(tmpdir(), 'camfeed-h264-')), 'received.h264');
  await writeFile(file, annexB);
  const ffmpeg = await findFfmpeg();
  const { stderr } = await promisify(execFile)(
    ffmpeg.path,
    ['-hide_banner', '-f', 'h264', '-i', file, '-vf', 'showinfo', '-f', 'null', '-'],
    { maxBuffer: 64 * 1024 * 1024 },
  );
  return [...stderr.matchAll(/Parsed_showinfo.* s:(\d+x\d+) /g)].map((match) => match[1]);
}

interface StatusBody {
  readonly running: boolean;
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
  const reply = await client.connect();
  expect(reply.status).toBe(201);
  await waitFor(() => client.stats.packets > 0, 'RTP packets', 10_000);
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
      server = await startApp({ CAMERA_IDLE_TIMEOUT: '1' });
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

      await waitFor(() => client.stats.pictures >= 30, '30 pictures', 10_000);
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
      // Well inside a GOP (keyframe every 2 s by default), so only the kept GOP can start the second.
      await delay(700);
      const second = open(server);
      second.record();
      const posted = Date.now();
      await connected(second);
      expect(second.stats.firstPacketAt - posted).toBeLessThan(1000);
      await delay(300);
      // What arrived first was a keyframe (IDR, NAL type 5) with its parameter sets before it.
      const recording = second.recording();
      const types: number[] = [];
      for (let at = recording.indexOf(START); at >= 0; at = recording.indexOf(START, at + 4))
        types.push(recording[at + 4] & 0x1f);
      const firstSlice = types.findIndex((type) => type === 1 || type === 5);
      expect(types[firstSlice]).toBe(5);
      expect(types.slice(0, firstSlice)).toEqual(expect.arrayContaining([7, 8]));
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
      await connected(client);
      client.record();
      const change = await fetch(`${server.baseUrl}/cameras/default/settings`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ width: 320, height: 240 }),
      });
      expect(change.status).toBe(200);
      await delay(3000);
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
      await waitFor(() => viewer.stats.packets > 0, 'RTP packets', 10_000);
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
