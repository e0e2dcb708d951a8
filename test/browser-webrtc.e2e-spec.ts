import { mkdtempSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { MjpegStreamService } from '../src/stream/mjpeg-stream.service';
import { WebRtcService } from '../src/webrtc/webrtc.service';
import { launchBrowser } from './utils/browser';
import { type Engine, type EngineName, openEngine } from './utils/browsers';
import { getJson, startApp, type TestApp } from './utils/test-app';
import { delay, waitFor } from './utils/wait-for';

const env = (extra: Record<string, string> = {}): Record<string, string> => ({
  CAMERA_WIDTH: '320',
  CAMERA_HEIGHT: '240',
  CAMERA_FRAMERATE: '30',
  CAMERA_IDLE_TIMEOUT: '60',
  DATA_DIR: mkdtempSync(join(tmpdir(), 'camfeed-browser-webrtc-')),
  ...extra,
});

/** What the browser says of the video it receives, from the peer connection's getStats(). */
interface VideoStats {
  mimeType: string | null;
  frameWidth: number;
  frameHeight: number;
  framesDecoded: number;
  timestamp: number;
}

/** `handle` is the global that holds the page's RTCPeerConnection (as `.pc`). */
const videoStats = async (page: Page, handle: string): Promise<VideoStats | null> =>
  page.evaluate(async (name) => {
    const holder = (window as unknown as Record<string, { pc: RTCPeerConnection | null }>)[name];
    const pc = holder?.pc;
    if (!pc) return null;
    const report = (await pc.getStats()) as unknown as Map<string, Record<string, unknown>>;
    let found: VideoStats | null = null;
    report.forEach((entry) => {
      if (entry.type !== 'inbound-rtp' || entry.kind !== 'video') return;
      const codec = report.get(String(entry.codecId));
      found = {
        mimeType: typeof codec?.mimeType === 'string' ? codec.mimeType : null,
        frameWidth: Number(entry.frameWidth ?? 0),
        frameHeight: Number(entry.frameHeight ?? 0),
        framesDecoded: Number(entry.framesDecoded ?? 0),
        timestamp: Number(entry.timestamp),
      };
    });
    return found;
  }, handle);

async function cameraSize(t: TestApp): Promise<string> {
  const { body } = await getJson<{
    frameSize: { width: number; height: number } | null;
    settings: { width: number; height: number };
  }>(`${t.baseUrl}/cameras/default/status`);
  const size = body.frameSize ?? body.settings;
  return `${size.width}x${size.height}`;
}

/**
 * The done-when of WebRTC playback: H.264 at the camera's size, at least 25 decoded frames a
 * second over two seconds (the camera sends 30), the first picture within 1 s of the WHEP POST.
 */
async function expectPlaysH264(page: Page, handle: string, t: TestApp): Promise<void> {
  await page.waitForFunction(
    (name) => {
      const holder = (window as unknown as Record<string, { firstFrameAt: number }>)[name];
      return holder !== undefined && holder.firstFrameAt > 0;
    },
    handle,
    { timeout: 10_000 },
  );
  const timing = await page.evaluate((name) => {
    const holder = (
      window as unknown as Record<string, { postedAt: number; firstFrameAt: number }>
    )[name];
    return { postedAt: holder.postedAt, firstFrameAt: holder.firstFrameAt };
  }, handle);
  expect(timing.postedAt).toBeGreaterThan(0);
  expect(timing.firstFrameAt - timing.postedAt).toBeLessThanOrEqual(1000);

  // Measured once playing has settled: the first second also holds the kept pictures sent at once.
  await delay(1000);
  const first = await videoStats(page, handle);
  await delay(2000);
  const second = await videoStats(page, handle);
  expect(first).not.toBeNull();
  expect(second).not.toBeNull();
  if (first === null || second === null) return;
  expect(second.mimeType?.toLowerCase()).toBe('video/h264');
  expect(`${second.frameWidth}x${second.frameHeight}`).toBe(await cameraSize(t));
  const fps =
    (second.framesDecoded - first.framesDecoded) / ((second.timestamp - first.timestamp) / 1000);
  if (fps < 25) {
    const { body } = await getJson<{ measuredFps: number }>(`${t.baseUrl}/cameras/default/status`);
    throw new Error(
      `${fps.toFixed(1)} frames decoded a second, under 25; the camera measured ${body.measuredFps} fps`,
    );
  }
  expect(fps).toBeGreaterThanOrEqual(25);
}

/**
 * The first picture's 1 s is a viewer joining a camera whose H.264 stream runs (the server hands
 * a joiner the kept keyframe at once). A camera nobody watched first starts, and so does its
 * encoder (ffmpeg): 0.5 to 1.2 s more here, on a loaded 2-core machine. So a page watches first,
 * and leaves; the stream lingers CAMERA_IDLE_TIMEOUT after it.
 */
async function warmUp(context: BrowserContext, t: TestApp): Promise<void> {
  const page = await context.newPage();
  try {
    await page.goto(`${t.baseUrl}/`);
    await page.waitForFunction(() => window.camfeedPlayer.kind === 'webrtc', undefined, {
      timeout: 15_000,
    });
  } finally {
    await page.close();
  }
  const webrtc = t.app.get(WebRtcService);
  await waitFor(() => webrtc.viewerCount === 0, 'the warm-up session to end');
}

const text = async (page: Page, selector: string): Promise<string> =>
  (await page.locator(selector).textContent()) ?? '';

describe('the page’s WebRTC player, in headless Chromium', () => {
  let browser: Browser;
  let context: BrowserContext;
  let t: TestApp;
  let page: Page;
  let webrtc: WebRtcService;
  let streams: MjpegStreamService;

  beforeAll(async () => {
    ({ browser } = await launchBrowser());
    context = await browser.newContext({ viewport: { width: 1024, height: 800 } });
    t = await startApp(env());
    webrtc = t.app.get(WebRtcService);
    streams = t.app.get(MjpegStreamService);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  beforeEach(async () => {
    page = await context.newPage();
  });

  afterEach(async () => {
    await page.close();
    await waitFor(
      () => webrtc.viewerCount === 0 && streams.clientCount === 0,
      'the closed page’s WebRTC session and stream to be released',
    );
  });

  it('plays the camera over WebRTC (H.264, its size, ≥ 25 fps, first picture within 1 s) and says so, with latency and bitrate', async () => {
    await warmUp(context, t);
    await page.goto(`${t.baseUrl}/`);
    await expectPlaysH264(page, 'camfeedPlayer', t);
    expect(await page.evaluate(() => window.camfeedPlayer.kind)).toBe('webrtc');
    expect(webrtc.viewerCount).toBe(1);
    expect(streams.clientCount).toBe(0);
    expect(await page.locator('#live-video').isVisible()).toBe(true);
    expect(await page.locator('#live').isVisible()).toBe(false);
    expect(await page.locator('[data-player="webrtc"]').getAttribute('aria-pressed')).toBe('true');
    await page.waitForFunction(
      () => /^≈ \d+ ms$/.test(document.getElementById('st-latency')?.textContent ?? ''),
      undefined,
      { timeout: 5000 },
    );
    expect(await text(page, '#st-kind')).toBe('WebRTC (H264)');
    expect(await text(page, '#st-bitrate')).toMatch(/^\d+(\.\d)? (k|M)bit\/s$/);
    expect(await text(page, '#st-view')).toMatch(/fps decoded$/);
  });

  it('switches to MJPEG and back: one kind of stream at a time, the choice remembered', async () => {
    const deletes: string[] = [];
    page.on('request', (request) => {
      if (request.method() === 'DELETE') deletes.push(new URL(request.url()).pathname);
    });
    await page.goto(`${t.baseUrl}/`);
    await waitFor(() => webrtc.viewerCount === 1, 'the page’s WebRTC session', 10_000);
    await page.waitForFunction(() => window.camfeedPlayer.kind === 'webrtc');

    await page.locator('[data-player="mjpeg"]').click();
    await waitFor(
      () => webrtc.viewerCount === 0 && streams.clientCount === 1,
      'the WebRTC session ended (DELETE) and an MJPEG stream instead',
    );
    await page.waitForFunction(
      () => (document.getElementById('live') as HTMLImageElement).naturalWidth === 320,
    );
    expect(await page.evaluate(() => window.camfeedPlayer.kind)).toBe('mjpeg');
    expect(await text(page, '#st-kind')).toBe('MJPEG');
    expect(await page.locator('#live-video').isVisible()).toBe(false);
    expect(await page.locator('[data-player="mjpeg"]').getAttribute('aria-pressed')).toBe('true');
    // Ended by the page itself (RFC 9725), not left to time out at the server.
    expect(deletes).toEqual([expect.stringMatching(/^\/cameras\/default\/whep\/[0-9a-f]+$/)]);

    await page.reload({ waitUntil: 'domcontentloaded' });
    await waitFor(() => streams.clientCount === 1, 'MJPEG again after a reload');
    await page.waitForFunction(() => window.camfeedPlayer.kind === 'mjpeg');
    expect(webrtc.viewerCount).toBe(0);

    await page.locator('[data-player="webrtc"]').click();
    await waitFor(
      () => webrtc.viewerCount === 1 && streams.clientCount === 0,
      'WebRTC instead of MJPEG',
      10_000,
    );
    await page.waitForFunction(() => window.camfeedPlayer.kind === 'webrtc', undefined, {
      timeout: 10_000,
    });
    expect(await page.evaluate(() => localStorage.getItem('camfeed.player'))).toBe('webrtc');
  });

  it('plays a resolution changed in the settings, over the same WebRTC connection', async () => {
    await page.goto(`${t.baseUrl}/`);
    await page.waitForFunction(() => window.camfeedPlayer.kind === 'webrtc', undefined, {
      timeout: 10_000,
    });
    const pc = await page.evaluateHandle(() => window.camfeedPlayer.pc);
    expect(await page.evaluate(() => document.querySelector('video')?.videoWidth)).toBe(320);
    try {
      await page.locator('#preset').selectOption('640x480');
      await page.locator('#apply').click();
      await page.waitForFunction(
        () => (document.getElementById('live-video') as HTMLVideoElement).videoWidth === 640,
        undefined,
        { timeout: 10_000 },
      );
      expect(await page.evaluate(() => document.querySelector('video')?.videoHeight)).toBe(480);
      expect(await page.evaluate((old) => old === window.camfeedPlayer.pc, pc)).toBe(true);
      await page.waitForFunction(async () => {
        const report = await window.camfeedPlayer.pc?.getStats();
        let width = 0;
        report?.forEach((entry: Record<string, unknown>) => {
          if (entry.type === 'inbound-rtp' && entry.kind === 'video')
            width = Number(entry.frameWidth);
        });
        return width === 640;
      });
      expect(webrtc.viewerCount).toBe(1);
      expect(streams.clientCount).toBe(0);
    } finally {
      await page.locator('#preset').selectOption('320x240');
      await page.locator('#apply').click();
      await page.waitForFunction(
        () => (document.getElementById('live-video') as HTMLVideoElement).videoWidth === 320,
        undefined,
        { timeout: 10_000 },
      );
    }
  });

  it('ends its WebRTC session while the page is hidden and starts a new one when shown', async () => {
    await page.goto(`${t.baseUrl}/`);
    await waitFor(() => webrtc.viewerCount === 1, 'the page’s WebRTC session', 10_000);
    const setHidden = async (hidden: boolean): Promise<void> =>
      page.evaluate((value) => {
        Object.defineProperty(document, 'hidden', { configurable: true, get: () => value });
        document.dispatchEvent(new Event('visibilitychange'));
      }, hidden);
    await setHidden(true);
    await waitFor(() => webrtc.viewerCount === 0, 'the session to be ended');
    await setHidden(false);
    await waitFor(() => webrtc.viewerCount === 1, 'a new session', 10_000);
    await page.waitForFunction(() => window.camfeedPlayer.kind === 'webrtc', undefined, {
      timeout: 10_000,
    });
  });
});

describe('the page of a server of two cameras, in headless Chromium', () => {
  it('keeps the wall on snapshots, and plays each camera opened over its own WebRTC session', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'camfeed-webrtc-cameras-')), 'cameras.yaml');
    writeFileSync(
      file,
      [
        'cameras:',
        '  - { id: small, driver: emulated, width: 320, height: 240, framerate: 30 }',
        '  - { id: large, driver: emulated, width: 640, height: 480, framerate: 30 }',
        '',
      ].join('\n'),
    );
    const { browser } = await launchBrowser();
    const t = await startApp(env({ CAMERAS_FILE: file }));
    const webrtc = t.app.get(WebRtcService);
    const streams = t.app.get(MjpegStreamService);
    try {
      const page = await (await browser.newContext()).newPage();
      const offers: string[] = [];
      page.on('request', (request) => {
        if (request.method() === 'POST' && request.url().includes('/whep'))
          offers.push(new URL(request.url()).pathname);
      });
      await page.goto(`${t.baseUrl}/`);
      await page.waitForFunction(() =>
        Array.from(document.querySelectorAll<HTMLImageElement>('#wall img')).every(
          (thumb) => thumb.naturalWidth > 0,
        ),
      );
      await delay(1000);
      expect(offers).toEqual([]);
      expect([webrtc.viewerCount, streams.clientCount]).toEqual([0, 0]);

      await page.locator('[data-camera="small"]').click();
      await page.waitForFunction(
        () =>
          window.camfeedPlayer.kind === 'webrtc' &&
          (document.getElementById('live-video') as HTMLVideoElement).videoWidth === 320,
        undefined,
        { timeout: 10_000 },
      );
      expect(webrtc.viewerCountOf('small')).toBe(1);

      await page.evaluate(() => (location.hash = '#/cameras/large'));
      await page.waitForFunction(
        () =>
          window.camfeedPlayer.kind === 'webrtc' &&
          (document.getElementById('live-video') as HTMLVideoElement).videoWidth === 640,
        undefined,
        { timeout: 10_000 },
      );
      await waitFor(() => webrtc.viewerCountOf('small') === 0, 'the first camera’s session to end');
      expect(webrtc.viewerCountOf('large')).toBe(1);
      expect(offers).toEqual(['/cameras/small/whep', '/cameras/large/whep']);

      await page.locator('#back').click();
      await waitFor(() => webrtc.viewerCount === 0, 'the session to end on the wall');
      expect(streams.clientCount).toBe(0);
    } finally {
      await browser.close();
      await t.close();
    }
  }, 60_000);
});

describe('the page’s WebRTC player, across a server restart', () => {
  it('sees its session end and plays WebRTC again by itself once the server is back', async () => {
    const { browser } = await launchBrowser();
    let t = await startApp(env());
    const port = Number(new URL(t.baseUrl).port);
    try {
      const page = await (await browser.newContext()).newPage();
      await page.goto(`${t.baseUrl}/`);
      await page.waitForFunction(() => window.camfeedPlayer.kind === 'webrtc', undefined, {
        timeout: 10_000,
      });
      await t.close();
      await page.waitForFunction(
        () => /Reconnecting/.test(document.getElementById('stream-note')?.textContent ?? ''),
        undefined,
        { timeout: 10_000 },
      );
      t = await startApp(env(), undefined, port);
      const webrtc = t.app.get(WebRtcService);
      await waitFor(
        () => webrtc.viewerCount === 1,
        'the page to come back over WebRTC',
        30_000,
      ).catch(async (error: Error) => {
        const shown = await page.evaluate(() => ({
          kind: window.camfeedPlayer.kind,
          playing: document.getElementById('st-kind')?.textContent,
          note: document.getElementById('stream-note')?.textContent,
        }));
        throw new Error(`${error.message}; the page: ${JSON.stringify(shown)}`);
      });
      await page.waitForFunction(() => window.camfeedPlayer.kind === 'webrtc', undefined, {
        timeout: 10_000,
      });
      expect(t.app.get(MjpegStreamService).clientCount).toBe(0);
      expect(await text(page, '#stream-note')).toBe('');
    } finally {
      await browser.close();
      await t.close();
    }
  }, 90_000);
});

describe('the page of a server with STUN and TURN configured, in headless Chromium', () => {
  it('gives its peer connection the servers of WEBRTC_ICE_SERVERS, TURN credentials included, and still plays', async () => {
    const { browser } = await launchBrowser();
    // Nothing answers on these ports: gathering gives up on them, the host candidates play.
    const t = await startApp(
      env({ WEBRTC_ICE_SERVERS: 'stun:127.0.0.1:9,turn:alice:s3cret@127.0.0.1:9' }),
    );
    try {
      const page = await (await browser.newContext()).newPage();
      await page.goto(`${t.baseUrl}/`);
      await page.waitForFunction(() => window.camfeedPlayer.kind === 'webrtc', undefined, {
        timeout: 20_000,
      });
      const servers = await page.evaluate(
        () => window.camfeedPlayer.pc?.getConfiguration().iceServers ?? [],
      );
      expect(servers).toEqual([
        expect.objectContaining({ urls: ['stun:127.0.0.1:9'] }),
        expect.objectContaining({
          urls: ['turn:127.0.0.1:9'],
          username: 'alice',
          credential: 's3cret',
        }),
      ]);
    } finally {
      await browser.close();
      await t.close();
    }
  }, 60_000);
});

describe('the page with WEBRTC=false, in headless Chromium', () => {
  it('falls back to MJPEG by itself and says why', async () => {
    const { browser } = await launchBrowser();
    const t = await startApp(env({ WEBRTC: 'false' }));
    try {
      const page = await (await browser.newContext()).newPage();
      await page.goto(`${t.baseUrl}/`);
      await page.waitForFunction(
        () => (document.getElementById('live') as HTMLImageElement).naturalWidth === 320,
      );
      expect(await page.evaluate(() => window.camfeedPlayer.kind)).toBe('mjpeg');
      expect(await text(page, '#st-kind')).toBe('MJPEG (WebRTC unavailable: WEBRTC=false)');
      expect(await text(page, '#st-latency')).toBe('—');
      expect(t.app.get(MjpegStreamService).clientCount).toBe(1);
      // The switch still says what the user asked for; it is the server that cannot.
      expect(await page.locator('[data-player="webrtc"]').getAttribute('aria-pressed')).toBe(
        'true',
      );
    } finally {
      await browser.close();
      await t.close();
    }
  }, 60_000);
});

describe('the page with STREAM_AUTH, in headless Chromium', () => {
  it('signs in once and opens its WebRTC session with a stream token', async () => {
    const { browser } = await launchBrowser();
    const t = await startApp(
      env({ STREAM_AUTH: 'true', STREAM_USERNAME: 'viewer', STREAM_PASSWORD: 'watch-the-baby' }),
    );
    try {
      const context = await browser.newContext({
        httpCredentials: { username: 'viewer', password: 'watch-the-baby' },
      });
      const page = await context.newPage();
      const posts: string[] = [];
      page.on('request', (request) => {
        if (request.method() === 'POST' && request.url().includes('/whep'))
          posts.push(request.url());
      });
      await page.goto(`${t.baseUrl}/`);
      await page.waitForFunction(() => window.camfeedPlayer.kind === 'webrtc', undefined, {
        timeout: 10_000,
      });
      expect(posts).toHaveLength(1);
      expect(new URL(posts[0]).searchParams.get('token')).toMatch(/^v1\.\d+\./);
      expect(t.app.get(WebRtcService).viewerCount).toBe(1);
      await page.close();
      await waitFor(() => t.app.get(WebRtcService).viewerCount === 0, 'the session to end');
    } finally {
      await browser.close();
      await t.close();
    }
  }, 60_000);
});

/** A WHEP player of its own page, written against RFC 9725 and the browser's API alone. */
const BARE_WHEP_PAGE = `<!doctype html>
<video id="video" muted autoplay playsinline></video>
<script>
  const whep = { pc: new RTCPeerConnection(), postedAt: 0, firstFrameAt: 0, status: 0, location: null, error: null };
  window.whep = whep;
  (async () => {
    const endpoint = new URLSearchParams(location.search).get('whep');
    const video = document.getElementById('video');
    whep.pc.addTransceiver('video', { direction: 'recvonly' });
    whep.pc.ontrack = (event) => { video.srcObject = event.streams[0] || new MediaStream([event.track]); };
    await whep.pc.setLocalDescription(await whep.pc.createOffer());
    await new Promise((resolve) => {
      setTimeout(resolve, 1000);
      whep.pc.onicegatheringstatechange = () => {
        if (whep.pc.iceGatheringState === 'complete') resolve();
      };
    });
    whep.postedAt = performance.now();
    const response = await fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/sdp' },
      body: whep.pc.localDescription.sdp,
    });
    whep.status = response.status;
    whep.location = new URL(response.headers.get('location'), endpoint).href;
    video.requestVideoFrameCallback(() => (whep.firstFrameAt = performance.now()));
    await whep.pc.setRemoteDescription({ type: 'answer', sdp: await response.text() });
  })().catch((error) => (whep.error = String(error)));
</script>`;

describe('a bare WHEP player page elsewhere, in headless Chromium', () => {
  it('plays a camera (H.264, its size, ≥ 25 fps, first picture within 1 s) and leaves with DELETE', async () => {
    const pages = http.createServer((req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(BARE_WHEP_PAGE);
    });
    await new Promise<void>((resolve) => pages.listen(0, '127.0.0.1', resolve));
    const origin = `http://127.0.0.1:${(pages.address() as AddressInfo).port}`;
    const { browser } = await launchBrowser();
    const t = await startApp(env({ CORS_ORIGINS: origin }));
    const webrtc = t.app.get(WebRtcService);
    try {
      const context = await browser.newContext();
      const page = await context.newPage();
      const endpoint = `${t.baseUrl}/cameras/default/whep`;
      await warmUp(context, t);
      await page.goto(`${origin}/?whep=${encodeURIComponent(endpoint)}`);
      await expectPlaysH264(page, 'whep', t);
      const reply = await page.evaluate(() => ({
        status: window.whep.status,
        location: window.whep.location,
        error: window.whep.error,
      }));
      expect([reply.status, reply.error]).toEqual([201, null]);
      expect(reply.location).toMatch(/\/cameras\/default\/whep\/[0-9a-f]+$/);
      expect(webrtc.viewerCount).toBe(1);
      const deleted = await page.evaluate(
        async (resource) => (await fetch(resource, { method: 'DELETE' })).status,
        reply.location ?? '',
      );
      expect(deleted).toBe(200);
      await waitFor(() => webrtc.viewerCount === 0, 'the session to end');
    } finally {
      await browser.close();
      await t.close();
      await new Promise((resolve) => pages.close(resolve));
    }
  }, 60_000);
});

/** Browsers here without H.264 in WebRTC (Firefox without OpenH264, WebKitGTK): MJPEG. */
describe.each(['firefox', 'webkit'] satisfies EngineName[])('the page in %s', (engineName) => {
  let engine: Engine;
  let t: TestApp;

  beforeAll(async () => {
    engine = await openEngine(engineName);
    t = await startApp(env());
  }, 60_000);

  afterAll(async () => {
    await engine?.close();
    await t?.close();
  });

  it('plays MJPEG by itself when WebRTC is wanted but cannot play, and says why', async () => {
    const page = await engine.newPage();
    try {
      await page.goto(`${t.baseUrl}/`);
      const shown = await page.evaluate(async () => {
        const deadline = Date.now() + 15_000;
        const live = document.getElementById('live') as HTMLImageElement;
        while (
          (live.naturalWidth === 0 || window.camfeedPlayer.kind !== 'mjpeg') &&
          Date.now() < deadline
        )
          await new Promise((resolve) => setTimeout(resolve, 50));
        return {
          kind: window.camfeedPlayer.kind,
          size: `${live.naturalWidth}x${live.naturalHeight}`,
          said: document.getElementById('st-kind')?.textContent,
        };
      });
      expect([shown.kind, shown.size]).toEqual(['mjpeg', '320x240']);
      expect(shown.said).toMatch(/^MJPEG \(WebRTC unavailable: .+\)$/);
      expect(t.app.get(MjpegStreamService).clientCount).toBe(1);
      expect(t.app.get(WebRtcService).viewerCount).toBe(0);
    } finally {
      await page.close();
    }
    await waitFor(
      () => t.app.get(MjpegStreamService).clientCount === 0,
      'the closed page’s stream to be released',
    );
  }, 60_000);
});

declare global {
  interface Window {
    camfeedPlayer: {
      readonly kind: 'webrtc' | 'mjpeg' | null;
      readonly fallbackReason: string | null;
      readonly pc: RTCPeerConnection | null;
      readonly postedAt: number;
      readonly firstFrameAt: number;
    };
    whep: {
      pc: RTCPeerConnection;
      postedAt: number;
      firstFrameAt: number;
      status: number;
      location: string | null;
      error: string | null;
    };
  }
}
