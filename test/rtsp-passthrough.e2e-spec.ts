import { CameraRegistry } from '../src/cameras/camera-registry.service';
import type { H264Status } from '../src/camera/h264/h264-stream';
import { MjpegReader } from './utils/mjpeg-reader';
import { readdirSync, readFileSync } from 'node:fs';
import { startRtspServer, type RtspServer } from './utils/rtsp-server';
import { startApp, type TestApp } from './utils/test-app';
import { delay, waitFor } from './utils/wait-for';
import { WhepClient } from './utils/whep-client';

/** Command lines of this process's children, read from /proc: sampling forks nothing. */
function childCommands(): string[] {
  const commands: string[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // The command name may hold spaces and parentheses: the fields after its last ")" count.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid !== process.pid) continue;
      const command = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ').trim();
      if (command !== '') commands.push(command);
    } catch {
      // It exited meanwhile.
    }
  }
  return commands;
}

/**
 * Every process camfeed starts is a child of this one: watched all along, so an encoder that
 * ran for a moment, or a second reader of the camera, is seen too.
 */
class ProcessWatch {
  readonly commands = new Set<string>();
  /** The most ffmpeg processes that had the camera's URL open at one time. */
  maxCameraReaders = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly url: string) {
    this.timer = setInterval(() => this.sample(), 100);
  }

  sample(): void {
    const ffmpeg = childCommands().filter((command) => /ffmpeg/.test(command));
    for (const command of ffmpeg) this.commands.add(command);
    const readers = ffmpeg.filter((command) => command.includes(this.url)).length;
    this.maxCameraReaders = Math.max(this.maxCameraReaders, readers);
  }

  /** ffmpeg command lines that encode H.264 (camfeed's encoder: JPEGs on stdin, x264 out). */
  get encoders(): string[] {
    return [...this.commands].filter((command) =>
      /libx264|h264_v4l2m2m|h264 encoder|-i pipe:0/.test(command),
    );
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

/** In the camera's URL as users write them; the test camera asks for none, ffmpeg sends none. */
const PASSWORD = 'Pa55-rtsp-secret';

describe('ffmpeg driver, an RTSP camera that sends H.264', () => {
  let camera: RtspServer;
  let source: string;
  let server: TestApp;
  let watch: ProcessWatch;
  const clients: WhepClient[] = [];
  /**
   * Every player, kept until the server has closed: its shutdown (node-datachannel's cleanup)
   * crashed the process when a closed player's peer connection had been garbage-collected.
   */
  const everyClient: WhepClient[] = [];
  const readers: MjpegReader[] = [];

  /** A WHEP player connected to the camera. */
  const connectViewer = async (): Promise<WhepClient> => {
    const client = new WhepClient(`${server.baseUrl}/cameras/default/whep`);
    clients.push(client);
    everyClient.push(client);
    const reply = await client.connect();
    expect(reply.status).toBe(201);
    return client;
  };

  const h264 = (): H264Status => server.app.get(CameraRegistry).first().h264.status();

  beforeAll(async () => {
    camera = await startRtspServer({
      width: 320,
      height: 240,
      framerate: 15,
      keyframeIntervalFrames: 15,
    });
    source = camera.url.replace('rtsp://', `rtsp://viewer:${PASSWORD}@`);
    watch = new ProcessWatch(source);
    server = await startApp({
      CAMERA: 'ffmpeg',
      CAMERA_SOURCE: source,
      CAMERA_WIDTH: '320',
      CAMERA_HEIGHT: '240',
      CAMERA_FRAMERATE: '10',
      CAMERA_IDLE_TIMEOUT: '2',
      CAMERA_STALL_TIMEOUT: '5',
    });
  }, 30_000);

  afterEach(async () => {
    // Ended as players end them, so the server's viewer counts are right for the next test.
    for (const client of clients.splice(0))
      await client.disconnect().catch(async () => client.close());
    for (const reader of readers.splice(0)) reader.close();
  });

  afterAll(async () => {
    watch?.stop();
    await server?.close();
    await camera?.stop();
    everyClient.length = 0;
  });

  it('gives WebRTC viewers the camera’s own H.264 and MJPEG viewers JPEGs, from one ffmpeg and no encoder', async () => {
    const client = await connectViewer();

    const reader = await MjpegReader.open(`${server.baseUrl}/video_feed`, { keep: 3 });
    readers.push(reader);
    expect(reader.statusCode).toBe(200);

    await waitFor(() => client.stats.pictures > 30, 'H.264 pictures over RTP', 20_000);
    await reader.waitForParts(10, 15_000);
    const picturesBefore = client.stats.pictures;
    const partsBefore = reader.count;
    // Both keep flowing side by side.
    await delay(2000);
    expect(client.stats.pictures - picturesBefore).toBeGreaterThan(15);
    expect(reader.count - partsBefore).toBeGreaterThan(10);
    expect(client.stats.strayPackets).toBe(0);
    for (const part of reader.parts) expect(part.body.subarray(0, 2).toString('hex')).toBe('ffd8');

    const status = h264();
    expect(status.encoder).toBe('passthrough');
    expect(status.state).toBe('running');
    expect(status.viewers).toBe(1);
    // The camera's keyframe interval (1 s), not camfeed's: its own stream is what arrives.
    expect(status.keyframes).toBeGreaterThanOrEqual(2);

    watch.sample();
    expect(watch.encoders).toEqual([]);
    expect(watch.maxCameraReaders).toBe(1);
    const capture = [...watch.commands].filter((command) => command.includes(source));
    expect(capture.some((command) => command.includes('-c:v copy'))).toBe(true);
    expect(capture.some((command) => command.includes('pipe:3'))).toBe(true);

    expect(await client.disconnect()).toBe(200);
  }, 60_000);

  it('a viewer who joins a running passthrough gets pictures at once from the kept GOP', async () => {
    const first = await connectViewer();
    await waitFor(() => first.stats.pictures > 20, 'the first viewer’s pictures', 20_000);

    const connectedAt = Date.now();
    const second = await connectViewer();
    await waitFor(() => second.stats.pictures > 5, 'the second viewer’s pictures', 10_000);
    expect(second.stats.strayPackets).toBe(0);
    expect(second.stats.firstPacketAt - connectedAt).toBeLessThan(3000);
    expect(h264().viewers).toBe(2);

    watch.sample();
    expect(watch.encoders).toEqual([]);
    expect(watch.maxCameraReaders).toBe(1);
  }, 60_000);

  it('shows the camera’s password nowhere in its status', async () => {
    const response = await fetch(`${server.baseUrl}/cameras/default/status`);
    expect(response.status).toBe(200);
    expect(await response.text()).not.toContain(PASSWORD);
    expect(JSON.stringify(h264())).not.toContain(PASSWORD);
  });

  it('stops the one ffmpeg once the last viewer has left for the idle timeout', async () => {
    for (const client of clients.splice(0)) await client.disconnect();
    for (const reader of readers.splice(0)) reader.close();
    await waitFor(
      () => childCommands().every((command) => !command.includes(source)),
      'the capture to stop',
      10_000,
    );
    expect(h264()).toMatchObject({ state: 'idle', viewers: 0 });
    watch.sample();
    expect(watch.encoders).toEqual([]);
    expect(watch.maxCameraReaders).toBe(1);
  }, 20_000);
});
