import { mkdtempSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import type { MjpegFraming } from '../src/stream/mjpeg-part';
import { MjpegStreamService } from '../src/stream/mjpeg-stream.service';
import { FakeCameraDriver } from './fakes/fake-camera.driver';
import {
  type Engine,
  type EngineName,
  type EnginePage,
  ENGINES,
  openEngine,
} from './utils/browsers';
import { mjpegPlayer } from './utils/browser';
import { startApp, type TestApp, withDriver } from './utils/test-app';
import { delay, waitFor } from './utils/wait-for';

const env = (extra: Record<string, string> = {}): Record<string, string> => ({
  CAMERA_WIDTH: '320',
  CAMERA_HEIGHT: '240',
  DATA_DIR: mkdtempSync(join(tmpdir(), 'camfeed-engines-')),
  ...extra,
});

/** A frame must be on screen this soon after the camera delivered it. */
const ON_TIME_MS = 200;
const FRAME_INTERVAL_MS = 1000;

const COLOURS = {
  red: [255, 0, 0],
  green: [0, 255, 0],
  blue: [0, 0, 255],
} as const;
type Colour = keyof typeof COLOURS;

/** Names a pixel by which channels are lit; the same rule runs in the page (paintProbe). */
const COLOUR_NAMES = ['black', 'blue', 'green', 'cyan', 'red', 'magenta', 'yellow', 'white'];

async function colourJpegs(): Promise<Record<Colour, Buffer>> {
  const entries = await Promise.all(
    Object.entries(COLOURS).map(async ([name, [r, g, b]]) => {
      const jpeg = await sharp({
        create: { width: 320, height: 240, channels: 3, background: { r, g, b } },
      })
        .jpeg({ quality: 90 })
        .toBuffer();
      return [name, jpeg] as const;
    }),
  );
  return Object.fromEntries(entries) as Record<Colour, Buffer>;
}

/** The colour at the centre of a screenshot: what the engine actually painted. */
async function paintedColour(png: Buffer): Promise<string> {
  const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
  const at =
    (Math.floor(info.height / 2) * info.width + Math.floor(info.width / 2)) * info.channels;
  const lit = (value: number): number => (value > 127 ? 1 : 0);
  return COLOUR_NAMES[(lit(data[at]) << 2) | (lit(data[at + 1]) << 1) | lit(data[at + 2])];
}

/**
 * How the probe reads the frame an <img> currently shows, per engine (measured): Firefox's
 * drawImage() keeps drawing the first part of a multipart image while its createImageBitmap()
 * follows the stream; in WebKit createImageBitmap() lags drawImage() by up to ~120 ms.
 */
const FRAME_READER: Record<EngineName, 'drawImage' | 'createImageBitmap'> = {
  chromium: 'drawImage',
  firefox: 'createImageBitmap',
  webkit: 'drawImage',
};

/**
 * What each engine does with content-length framing (measured, see mjpeg-part.ts): Chromium and
 * WebKit finish a part only when the next part's headers arrive, Firefox as soon as it is whole.
 */
const LATE_WITH_CONTENT_LENGTH: Record<EngineName, boolean> = {
  chromium: true,
  firefox: false,
  webkit: true,
};

/** Where a page can read the stream with fetch() (WebKitGTK cannot: see below). */
const FETCH_PLAYER_ENGINES: ReadonlySet<EngineName> = new Set(['chromium', 'firefox']);

interface Paint {
  readonly at: number;
  readonly colour: string;
}

declare global {
  interface Window {
    paints?: Paint[];
  }
}

/**
 * Runs in the page: shows `src` in an <img id="probe"> and, every 20 ms, notes when the colour
 * of the frame it shows changes (Date.now(), the same clock as the test's).
 */
function paintProbe({ src, reader }: { src: string; reader: string }): void {
  const names = ['black', 'blue', 'green', 'cyan', 'red', 'magenta', 'yellow', 'white'];
  const img = document.createElement('img');
  img.id = 'probe';
  img.style.cssText = 'display:block;width:160px;height:120px';
  img.src = src;
  document.body.style.margin = '0';
  document.body.replaceChildren(img);
  const canvas = document.createElement('canvas');
  canvas.width = canvas.height = 8;
  const context = canvas.getContext('2d', { willReadFrequently: true });
  const paints: Paint[] = [];
  window.paints = paints;
  let last = '';
  let busy = false;
  const sample = async (): Promise<void> => {
    if (busy || context === null) return;
    busy = true;
    let colour = 'none';
    try {
      if (img.naturalWidth > 0) {
        const source = reader === 'createImageBitmap' ? await createImageBitmap(img) : img;
        context.clearRect(0, 0, 8, 8);
        context.drawImage(source, 0, 0, 8, 8);
        if (source instanceof ImageBitmap) source.close();
        const [r, g, b] = context.getImageData(4, 4, 1, 1).data;
        colour = names[((r > 127 ? 1 : 0) << 2) | ((g > 127 ? 1 : 0) << 1) | (b > 127 ? 1 : 0)];
      }
    } catch (error) {
      colour = `error: ${String(error)}`;
    } finally {
      busy = false;
    }
    if (colour !== last) {
      last = colour;
      paints.push({ at: Date.now(), colour });
    }
  };
  setInterval(() => void sample(), 20);
}

/** Runs in the page: when `colour` was first shown at or after `since`; null if not by `until`. */
async function paintedSince({
  colour,
  since,
  until,
}: {
  colour: string;
  since: number;
  until: number;
}): Promise<number | null> {
  for (;;) {
    const hit = (window.paints ?? []).find((paint) => paint.colour === colour && paint.at >= since);
    if (hit !== undefined) return hit.at;
    if (Date.now() >= until) return null;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

interface FrameTiming {
  readonly frame: number;
  readonly colour: Colour;
  /** When the camera delivered it, ms since the first frame. */
  readonly sentAtMs: number;
  /** How long after it was sent it was first painted; null if never. */
  readonly paintedAfterMs: number | null;
  /** How long after it was sent the next frame was; null for the last one. */
  readonly nextSentAfterMs: number | null;
}

function reportTimings(what: string, timings: readonly FrameTiming[]): void {
  if (process.env.BROWSER_TIMINGS !== '1') return;
  const lines = timings.map(
    (t) =>
      `  frame ${t.frame} ${t.colour}: ` +
      (t.paintedAfterMs === null
        ? 'never painted'
        : `painted ${t.paintedAfterMs} ms after it was sent`) +
      (t.nextSentAfterMs === null ? '' : ` (next frame at ${t.nextSentAfterMs} ms)`),
  );
  process.stderr.write(`${what}\n${lines.join('\n')}\n`);
}

interface Probe {
  readonly page: EnginePage;
  readonly camera: FakeCameraDriver;
  readonly jpegs: Record<Colour, Buffer>;
}

/**
 * Sends `colours` as a 1 fps camera would, one exactly every second; after each, waits (until the
 * next is due) for the engine to paint it, so frame 1 is alone on the wire until then. Then waits
 * `settleMs` and reads from the page when each frame was first painted.
 */
async function playAtOneFps(
  { page, camera, jpegs }: Probe,
  colours: readonly Colour[],
  settleMs: number,
): Promise<FrameTiming[]> {
  const sent: number[] = [];
  const start = Date.now();
  for (const [index, colour] of colours.entries()) {
    await delay(start + index * FRAME_INTERVAL_MS - Date.now());
    const sentAt = Date.now();
    sent.push(sentAt);
    camera.push(jpegs[colour]);
    const nextDue = start + (index + 1) * FRAME_INTERVAL_MS;
    if (index < colours.length - 1)
      await page.evaluate(paintedSince, { colour, since: sentAt, until: nextDue - 30 });
  }
  await delay(sent[sent.length - 1] + settleMs - Date.now());
  const paints = await page.evaluate(() => window.paints ?? []);
  return colours.map((colour, index) => {
    const paint = paints.find((p) => p.colour === colour && p.at >= sent[index]);
    return {
      frame: index + 1,
      colour,
      sentAtMs: sent[index] - start,
      paintedAfterMs: paint === undefined ? null : paint.at - sent[index],
      nextSentAfterMs: index + 1 < sent.length ? sent[index + 1] - sent[index] : null,
    };
  });
}

describe.each(ENGINES)('in %s', (engineName) => {
  let engine: Engine;
  let page: EnginePage | undefined;

  beforeAll(async () => {
    engine = await openEngine(engineName);
  }, 60_000);

  afterAll(async () => {
    await engine?.close();
  });

  /** Closes the test's page and waits until `apps` have let its streams go. */
  async function closePage(...apps: TestApp[]): Promise<void> {
    await page?.close();
    page = undefined;
    for (const app of apps) {
      const streams = app.app.get(MjpegStreamService);
      await waitFor(() => streams.clientCount === 0, 'the closed page’s streams to be released');
    }
  }

  describe('the page, with the emulated camera', () => {
    let t: TestApp;

    beforeAll(async () => {
      t = await startApp(env({ CAMERA: 'emulated', CAMERA_FRAMERATE: '10' }));
    });

    afterAll(async () => t?.close());
    afterEach(async () => closePage(t));

    it('plays the live view at the stream’s size', async () => {
      page = await engine.newPage();
      await page.goto(mjpegPlayer(`${t.baseUrl}/`));
      const size = await page.evaluate(async () => {
        const live = document.getElementById('live') as HTMLImageElement;
        const deadline = Date.now() + 10_000;
        while (live.naturalWidth === 0 && Date.now() < deadline)
          await new Promise((resolve) => setTimeout(resolve, 20));
        return `${live.naturalWidth}x${live.naturalHeight}`;
      });
      expect(size).toBe('320x240');
      const first = await page.screenshotPng('#live');
      await delay(1000);
      const second = await page.screenshotPng('#live');
      expect(first.equals(second)).toBe(false);
    });
  });

  describe('a 1 fps camera the test drives, one colour a frame', () => {
    let t: TestApp;
    let camera: FakeCameraDriver;
    let jpegs: Record<Colour, Buffer>;

    beforeAll(async () => {
      jpegs = await colourJpegs();
      camera = new FakeCameraDriver();
      // Idle timeout 0: the camera stops, and forgets its last frame, as soon as a test's page
      // is closed, so no test starts with a frame of the one before.
      t = await startApp(env({ CAMERA_FRAMERATE: '1', CAMERA_IDLE_TIMEOUT: '0' }), (builder) =>
        withDriver(camera)(builder),
      );
    });

    afterAll(async () => t?.close());
    afterEach(async () => closePage(t));

    /**
     * A page showing `/video_feed${query}` and recording what it paints. It is a page of
     * camfeed's own origin because Chromium loads no 127.0.0.1 image into a data: URL page.
     */
    async function openProbe(query: string, framing: MjpegFraming): Promise<Probe> {
      page = await engine.newPage();
      // Any document of the server's origin will do; a stylesheet runs none of the page's script.
      await page.goto(`${t.baseUrl}/assets/style.css`);
      await page.evaluate(paintProbe, {
        src: `/video_feed${query}`,
        reader: FRAME_READER[engineName],
      });
      const streams = t.app.get(MjpegStreamService);
      await waitFor(() => streams.clientCount === 1, 'the probe’s stream');
      expect(streams.describeClients().map((client) => client.framing)).toEqual([framing]);
      return { page, camera, jpegs };
    }

    /** Frames not painted within ON_TIME_MS of being sent. */
    const late = (timings: readonly FrameTiming[]): FrameTiming[] =>
      timings.filter((t) => t.paintedAfterMs === null || t.paintedAfterMs >= ON_TIME_MS);

    /**
     * Frames not painted the way a part is that only the next part's headers complete: frame N
     * when frame N + 1 arrives, and a stopped camera's last frame when the server re-sends it
     * (after QUIET_REFRESH_MS, 1.5 s, of quiet, checked every second: mjpeg-stream.service.ts).
     */
    const notOneFrameLate = (timings: readonly FrameTiming[]): FrameTiming[] =>
      timings.filter((t) => {
        const [from, to] =
          t.nextSentAfterMs === null
            ? [1500, 2500 + ON_TIME_MS]
            : [t.nextSentAfterMs, t.nextSentAfterMs + ON_TIME_MS];
        return t.paintedAfterMs === null || t.paintedAfterMs < from || t.paintedAfterMs >= to;
      });

    /** Red, green, blue at 1 fps, then the camera stops for longer than a frame interval. */
    const SEQUENCE: readonly Colour[] = ['red', 'green', 'blue'];
    const QUIET_AFTER_MS = 3000;

    it(`paints each frame within ${ON_TIME_MS} ms, the first before the second exists, and keeps the last when the camera stops`, async () => {
      const probe = await openProbe('', 'advance-headers');
      const timings = await playAtOneFps(probe, SEQUENCE, QUIET_AFTER_MS);
      reportTimings(`${engine.version}, advance-headers`, timings);
      expect(late(timings)).toEqual([]);
      const paints = await probe.page.evaluate(() => window.paints ?? []);
      // Nothing since the last frame: no blank, no flash of an older frame.
      expect(paints.map((p) => p.colour).slice(-2)).toEqual(['green', 'blue']);
      expect(await paintedColour(await probe.page.screenshotPng('#probe'))).toBe('blue');
    });

    if (LATE_WITH_CONTENT_LENGTH[engineName]) {
      it('with content-length framing (?advance_headers=0), paints each frame only when the next part arrives', async () => {
        const probe = await openProbe('?advance_headers=0', 'content-length');
        const timings = await playAtOneFps(probe, SEQUENCE, QUIET_AFTER_MS);
        reportTimings(`${engine.version}, content-length`, timings);
        expect(notOneFrameLate(timings)).toEqual([]);
        expect(await paintedColour(await probe.page.screenshotPng('#probe'))).toBe('blue');
      });
    } else {
      it('with content-length framing (?advance_headers=0) too, paints each frame on time', async () => {
        const probe = await openProbe('?advance_headers=0', 'content-length');
        const timings = await playAtOneFps(probe, SEQUENCE, QUIET_AFTER_MS);
        reportTimings(`${engine.version}, content-length`, timings);
        expect(late(timings)).toEqual([]);
        expect(await paintedColour(await probe.page.screenshotPng('#probe'))).toBe('blue');
      });
    }
  });

  // WebKitGTK's fetch() rejects every multipart/x-mixed-replace response ("TypeError: Load
  // failed", from a bare node:http server too), so no fetch() player can run there.
  if (FETCH_PLAYER_ENGINES.has(engineName))
    describe('a Mainsail-style fetch() player on another origin', () => {
      let other: http.Server;
      let origin: string;
      let allowed: TestApp;
      let strangers: TestApp;

      beforeAll(async () => {
        other = http.createServer((_req, res) => {
          res
            .writeHead(200, { 'Content-Type': 'text/html' })
            .end('<!doctype html><title>player</title>');
        });
        await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
        origin = `http://127.0.0.1:${(other.address() as AddressInfo).port}`;
        allowed = await startApp(
          env({ CAMERA: 'emulated', CAMERA_FRAMERATE: '10', CORS_ORIGINS: origin }),
        );
        strangers = await startApp(env({ CAMERA: 'emulated', CAMERA_FRAMERATE: '10' }));
      });

      afterAll(async () => {
        await allowed?.close();
        await strangers?.close();
        other?.closeAllConnections();
        await new Promise((resolve) => other?.close(resolve));
      });

      afterEach(async () => closePage(allowed, strangers));

      /** Runs in the page: fetch()es the stream and cuts JPEGs out of it by Content-Length. */
      async function readParts({ url, count }: { url: string; count: number }): Promise<{
        sizes: string[];
        error: string | null;
      }> {
        const sizes: string[] = [];
        try {
          const response = await fetch(url, { mode: 'cors' });
          if (response.body === null) return { sizes, error: 'no body' };
          const reader = response.body.getReader();
          const latin1 = new TextDecoder('latin1');
          let buffer = new Uint8Array(0);
          const indexOfBlankLine = (bytes: Uint8Array): number => {
            for (let i = 0; i + 3 < bytes.length; i++)
              if (
                bytes[i] === 13 &&
                bytes[i + 1] === 10 &&
                bytes[i + 2] === 13 &&
                bytes[i + 3] === 10
              )
                return i;
            return -1;
          };
          while (sizes.length < count) {
            const headEnd = indexOfBlankLine(buffer);
            const length =
              headEnd < 0
                ? undefined
                : /content-length:\s*(\d+)/i.exec(latin1.decode(buffer.subarray(0, headEnd)))?.[1];
            if (headEnd >= 0 && length === undefined)
              return { sizes, error: 'a part without Content-Length' };
            if (length !== undefined && buffer.length >= headEnd + 4 + Number(length)) {
              const jpeg = buffer.slice(headEnd + 4, headEnd + 4 + Number(length));
              buffer = buffer.slice(headEnd + 4 + Number(length));
              const bitmap = await createImageBitmap(new Blob([jpeg], { type: 'image/jpeg' }));
              sizes.push(`${bitmap.width}x${bitmap.height}`);
              bitmap.close();
              continue;
            }
            const { value, done } = await reader.read();
            if (done) return { sizes, error: 'the stream ended' };
            const joined = new Uint8Array(buffer.length + value.length);
            joined.set(buffer);
            joined.set(value, buffer.length);
            buffer = joined;
          }
          await reader.cancel();
          return { sizes, error: null };
        } catch (error) {
          return { sizes, error: String(error) };
        }
      }

      it('reads whole JPEGs from the stream when CORS_ORIGINS lists its origin', async () => {
        page = await engine.newPage();
        await page.goto(`${origin}/`);
        const result = await page.evaluate(readParts, {
          url: `${allowed.baseUrl}/video_feed?timestamp=1`,
          count: 3,
        });
        expect(result).toEqual({ sizes: ['320x240', '320x240', '320x240'], error: null });
      });

      it('is refused by the browser when CORS_ORIGINS does not list it', async () => {
        page = await engine.newPage();
        await page.goto(`${origin}/`);
        const result = await page.evaluate(readParts, {
          url: `${strangers.baseUrl}/video_feed?timestamp=1`,
          count: 1,
        });
        expect(result.sizes).toEqual([]);
        expect(result.error).toMatch(/TypeError/);
      });
    });
});
