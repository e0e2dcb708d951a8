import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { findFfmpeg } from '../src/camera/drivers/ffmpeg-binary';
import { isPlaceholder } from '../src/drawing/placeholder-frame';
import { MjpegReader } from './utils/mjpeg-reader';
import { childProcesses, processState } from './utils/processes';
import { getJson, producerOf, sendJson, startApp, type TestApp } from './utils/test-app';
import { delay, waitFor } from './utils/wait-for';

const ffmpegChildren = (): ReturnType<typeof childProcesses> =>
  childProcesses().filter(
    (child) => /ffmpeg/.test(child.command) && child.command.includes('pipe:1'),
  );

async function sizeOf(jpeg: Buffer): Promise<string> {
  const { info } = await sharp(jpeg).raw().toBuffer({ resolveWithObject: true });
  return `${info.width}x${info.height}`;
}

describe('ffmpeg driver, lavfi test source', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startApp({
      CAMERA: 'ffmpeg',
      CAMERA_SOURCE: 'testsrc2',
      CAMERA_WIDTH: '320',
      CAMERA_HEIGHT: '240',
      CAMERA_FRAMERATE: '15',
      CAMERA_IDLE_TIMEOUT: '30',
      CAMERA_STALL_TIMEOUT: '3',
      DATA_DIR: mkdtempSync(join(tmpdir(), 'camfeed-ffmpeg-')),
    });
  });

  afterAll(async () => {
    await t.close();
    await waitFor(() => ffmpegChildren().length === 0, 'ffmpeg to be stopped at shutdown', 5000);
  });

  it('serves /video_feed at the requested size and rate', async () => {
    const reader = await MjpegReader.open(`${t.baseUrl}/video_feed`, { keep: 3 });
    await reader.waitForParts(5, 15_000);
    const start = reader.count;
    await delay(2000);
    const fps = (reader.count - start) / 2;
    reader.close();
    for (const part of reader.parts) expect(await sizeOf(part.body)).toBe('320x240');
    expect(fps).toBeGreaterThanOrEqual(12);
    expect(fps).toBeLessThanOrEqual(17);
    expect(ffmpegChildren()).toHaveLength(1);
  });

  it('survives ffmpeg being killed under a viewer: placeholder meanwhile, live again within 5 s, no zombie', async () => {
    const reader = await MjpegReader.open(`${t.baseUrl}/video_feed`, { keep: 100 });
    await reader.waitForParts(3);
    const [victim] = ffmpegChildren();
    expect(victim).toBeDefined();
    const killedAt = Date.now();
    const before = reader.count;
    process.kill(victim.pid, 'SIGKILL');

    let sawPlaceholder = false;
    let liveAgainAt = 0;
    while (Date.now() - killedAt < 8000 && liveAgainAt === 0) {
      await reader.waitForParts(reader.count + 1, 5000);
      const part = reader.parts.at(-1)!;
      if (isPlaceholder(part.body)) sawPlaceholder = true;
      else if (reader.count > before + 1 && sawPlaceholder) liveAgainAt = Date.now();
    }
    expect(sawPlaceholder).toBe(true);
    expect(liveAgainAt - killedAt).toBeLessThan(5000);
    expect(reader.ended).toBe(false);
    expect(reader.error).toBeUndefined();
    expect(processState(victim.pid)).toBeUndefined();
    const [replacement] = ffmpegChildren();
    expect(replacement.pid).not.toBe(victim.pid);
    const status = await getJson<{ lastError: string; restarts: number; state: string }>(
      `${t.baseUrl}/camera/status`,
    );
    expect(status.body.lastError).toMatch(/^ffmpeg was killed by SIGKILL/);
    expect(status.body.state).toBe('running');
    reader.close();
  });

  it('respawns ffmpeg with the new size when the settings change, keeping the viewer', async () => {
    const reader = await MjpegReader.open(`${t.baseUrl}/video_feed`, { keep: 1 });
    await reader.waitForParts(2);
    const [old] = ffmpegChildren();
    const reply = await sendJson('POST', `${t.baseUrl}/camera/settings`, {
      width: 640,
      height: 360,
      rotation: 90,
    });
    expect(reply.status).toBe(200);
    const asked = Date.now();
    let size = '';
    while (size !== '360x640' && Date.now() - asked < 5000) {
      await reader.waitForParts(reader.count + 1);
      size = await sizeOf(reader.parts[0].body);
    }
    expect(size).toBe('360x640');
    expect(Date.now() - asked).toBeLessThan(2500);
    await waitFor(() => processState(old.pid) === undefined, 'the old ffmpeg to be gone');
    const [current] = ffmpegChildren();
    expect(current.pid).not.toBe(old.pid);
    expect(current.command).toContain('scale=640:360');
    expect(current.command).toContain('transpose=clock');
    reader.close();
  });
});

describe('ffmpeg driver, looping video file', () => {
  let t: TestApp;
  let clip: string;

  beforeAll(async () => {
    const { path } = await findFfmpeg();
    clip = join(mkdtempSync(join(tmpdir(), 'camfeed-clip-')), 'clip.mp4');
    // A 2-second clip: the stream must outlast it by looping.
    execFileSync(path, [
      '-hide_banner',
      '-loglevel',
      'error',
      '-f',
      'lavfi',
      '-i',
      'testsrc2=size=320x240:rate=25',
      '-t',
      '2',
      '-c:v',
      'mpeg4',
      '-q:v',
      '5',
      '-y',
      clip,
    ]);
    t = await startApp({
      CAMERA: 'ffmpeg',
      CAMERA_SOURCE: clip,
      CAMERA_WIDTH: '480',
      CAMERA_HEIGHT: '360',
      CAMERA_FRAMERATE: '10',
      DATA_DIR: mkdtempSync(join(tmpdir(), 'camfeed-file-')),
    });
  });

  afterAll(async () => t.close());

  it('plays the file in real time at the requested size, looping past its end without a restart', async () => {
    const reader = await MjpegReader.open(`${t.baseUrl}/video_feed`, { keep: 2 });
    await reader.waitForParts(1, 15_000);
    const start = reader.count;
    let longestGap = 0;
    let last = Date.now();
    while (reader.count - start < 45) {
      await reader.waitForParts(reader.count + 1, 5000);
      longestGap = Math.max(longestGap, Date.now() - last);
      last = Date.now();
    }
    reader.close();
    expect(await sizeOf(reader.parts[1].body)).toBe('480x360');
    // 45 frames at 10 fps is 4.5 s: more than two loops of the clip, never a long pause.
    expect(longestGap).toBeLessThan(800);
    expect(producerOf(t.app).status().restarts).toBe(0);
  });
});

/** An executable that is not ffmpeg: FFMPEG_PATH pointing at the wrong program. */
function notFfmpeg(): string {
  const path = join(mkdtempSync(join(tmpdir(), 'camfeed-not-ffmpeg-')), 'ffmpeg');
  writeFileSync(path, '#!/bin/sh\necho this is not ffmpeg >&2\nexit 1\n', { mode: 0o755 });
  return path;
}

describe('ffmpeg driver, broken sources', () => {
  it.each([
    [{ CAMERA_SOURCE: '/dev/video99' }, /No such file or directory/],
    [
      { CAMERA_SOURCE: 'testsrc2', FFMPEG_PATH: notFfmpeg() },
      /^FFMPEG_PATH does not run as ffmpeg: it exited with code 1: this is not ffmpeg$/,
    ],
  ])('reports %j as lastError, shows the placeholder, and keeps serving', async (env, error) => {
    const t = await startApp({
      CAMERA: 'ffmpeg',
      CAMERA_WIDTH: '320',
      CAMERA_HEIGHT: '240',
      ...env,
      DATA_DIR: mkdtempSync(join(tmpdir(), 'camfeed-broken-')),
    });
    try {
      const reader = await MjpegReader.open(`${t.baseUrl}/video_feed`, { keep: 1 });
      await reader.waitForParts(1, 10_000);
      expect(isPlaceholder(reader.parts[0].body)).toBe(true);
      expect(await sizeOf(reader.parts[0].body)).toBe('320x240');
      const { body } = await getJson<{ lastError: string; state: string }>(
        `${t.baseUrl}/camera/status`,
      );
      expect(body.lastError).toMatch(error);
      expect(['retrying', 'starting']).toContain(body.state);
      reader.close();
    } finally {
      await t.close();
    }
  });
});
