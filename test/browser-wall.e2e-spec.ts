import { mkdtempSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { MjpegStreamService } from '../src/stream/mjpeg-stream.service';
import { mjpegPlayer } from './utils/browser';
import { type Engine, type EnginePage, ENGINES, openEngine } from './utils/browsers';
import { jpegFolder } from './utils/jpeg-fixtures';
import { getJson, sendJson, startApp, type TestApp } from './utils/test-app';
import { delay, waitFor } from './utils/wait-for';

const tempDir = (prefix: string): string => mkdtempSync(join(tmpdir(), prefix));

async function flatJpeg(width: number, height: number, [r, g, b]: number[]): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r, g, b } } })
    .jpeg({ quality: 90 })
    .toBuffer();
}

/** Two cameras of their own colour and size, and one that never gives a frame. */
async function camerasFile(): Promise<string> {
  const red = await jpegFolder([await flatJpeg(320, 240, [255, 0, 0])]);
  const blue = await jpegFolder([await flatJpeg(160, 120, [0, 0, 255])]);
  const file = join(tempDir('camfeed-wall-'), 'cameras.yaml');
  writeFileSync(
    file,
    [
      'cameras:',
      `  - { id: red, name: Red room, driver: images, source: ${red}, framerate: 5 }`,
      `  - { id: blue, name: Blue room, driver: images, source: ${blue}, framerate: 5 }`,
      '  - { id: broken, name: Broken, driver: images, source: /nonexistent/folder, stallTimeout: 1 }',
      '',
    ].join('\n'),
  );
  return file;
}

/** Names a pixel by which channels are lit. */
const COLOUR_NAMES = ['black', 'blue', 'green', 'cyan', 'red', 'magenta', 'yellow', 'white'];

/** The colour at the centre of a screenshot: what the engine actually painted. */
async function paintedColour(png: Buffer): Promise<string> {
  const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
  const at =
    (Math.floor(info.height / 2) * info.width + Math.floor(info.width / 2)) * info.channels;
  const lit = (value: number): number => (value > 127 ? 1 : 0);
  return COLOUR_NAMES[(lit(data[at]) << 2) | (lit(data[at + 1]) << 1) | lit(data[at + 2])];
}

/**
 * What `selector` shows on screen, once it is `colour` or after `timeoutMs`: WebKit paints an
 * image a moment after it has decoded it (its naturalWidth is set first).
 */
async function paintedSoon(
  page: EnginePage,
  selector: string,
  colour: string,
  timeoutMs = 3000,
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const painted = await paintedColour(await page.screenshotPng(selector));
    if (painted === colour || Date.now() > deadline) return painted;
    await delay(100);
  }
}

interface SeenRequest {
  readonly path: string;
  readonly at: number;
  endedAt: number | null;
  readonly socket: Socket;
}

/**
 * Every request a browser makes to the server, as the server saw it: when it came, when it
 * ended, on which connection. The test's own fetch() calls (user agent "node") are left out.
 */
class BrowserRequests {
  readonly seen: SeenRequest[] = [];
  private readonly onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    if (!/Mozilla/.test(req.headers['user-agent'] ?? '')) return;
    const entry: SeenRequest = {
      path: new URL(req.url ?? '/', 'http://x').pathname,
      at: Date.now(),
      endedAt: null,
      socket: req.socket,
    };
    this.seen.push(entry);
    res.once('close', () => (entry.endedAt = Date.now()));
  };

  constructor(private readonly server: Server) {
    server.on('request', this.onRequest);
  }

  stop(): void {
    this.server.off('request', this.onRequest);
  }

  /** Snapshot requests of `camera` that arrived from `since` on (to `until`). */
  snapshots(camera: string, since: number, until = Infinity): number {
    const path = `/cameras/${camera}/snapshot.jpg`;
    return this.seen.filter((r) => r.path === path && r.at >= since && r.at <= until).length;
  }

  /** Requests whose path matches `pattern`, that arrived from `since` on. */
  matching(pattern: RegExp, since = 0): string[] {
    return this.seen.filter((r) => r.at >= since && pattern.test(r.path)).map((r) => r.path);
  }

  /** Connections that carried a request at some time between `from` and `to`. */
  connectionsUsed(from: number, to: number): number {
    const active = this.seen.filter((r) => r.at <= to && (r.endedAt ?? Infinity) >= from);
    return new Set(active.map((r) => r.socket)).size;
  }
}

interface TileView {
  camera: string | undefined;
  name: string | null;
  href: string | null;
  pill: string | null;
  pillClass: string | null;
  error: string | null;
  thumbSize: string | null;
  thumbLoading: boolean;
}

interface PageView {
  hash: string;
  title: string;
  wallShown: boolean;
  viewShown: boolean;
  backShown: boolean;
  headerPillShown: boolean;
  cameraName: string | null;
  tiles: TileView[];
  live: { src: string | null; size: string | null };
  status: { state: string | null; size: string | null; error: string | null };
  form: { preset: string | null; framerate: string | null };
  alert: string | null;
  note: string | null;
}

/** Runs in the page: what it shows now, read from the DOM as a user would see it. */
function readPage(): PageView {
  const byId = (id: string): HTMLElement | null => document.getElementById(id);
  const text = (element: Element | null): string | null => element?.textContent?.trim() ?? null;
  const shown = (id: string): boolean => {
    const element = byId(id);
    return element !== null && !element.hidden;
  };
  const size = (img: HTMLImageElement | null): string | null =>
    img && img.naturalWidth > 0 ? `${img.naturalWidth}x${img.naturalHeight}` : null;
  const live = byId('live') as HTMLImageElement;
  return {
    hash: location.hash,
    title: document.title,
    wallShown: shown('wall'),
    viewShown: shown('camera-view'),
    backShown: shown('back'),
    headerPillShown: shown('state-pill'),
    cameraName: text(byId('camera-name')),
    tiles: Array.from(document.querySelectorAll<HTMLAnchorElement>('#wall a.tile'), (tile) => {
      const thumb = tile.querySelector('img');
      return {
        camera: tile.dataset.camera,
        name: text(tile.querySelector('.name')),
        href: tile.getAttribute('href'),
        pill: text(tile.querySelector('.pill')),
        pillClass: tile.querySelector('.pill')?.className ?? null,
        error: text(tile.querySelector('.error-text')),
        thumbSize: size(thumb),
        thumbLoading: thumb?.hasAttribute('src') ?? false,
      };
    }),
    live: { src: live.getAttribute('src'), size: size(live) },
    status: {
      state: text(byId('st-state')),
      size: text(byId('st-size')),
      error: text(byId('st-error')),
    },
    form: {
      preset: (byId('preset') as HTMLSelectElement).value,
      framerate: (byId('framerate') as HTMLInputElement).value,
    },
    alert: shown('alert') ? text(byId('alert')) : null,
    note: shown('stream-note') ? text(byId('stream-note')) : null,
  };
}

/** Reads the page until `ok` holds; fails with what it last showed. */
async function until(
  page: EnginePage,
  what: string,
  ok: (view: PageView) => boolean,
  timeoutMs = 10_000,
): Promise<PageView> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const view = await page.evaluate(readPage);
    if (ok(view)) return view;
    if (Date.now() > deadline)
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}; the page showed\n` +
          JSON.stringify(view, null, 2),
      );
    await delay(50);
  }
}

const tile = (view: PageView, camera: string): TileView | undefined =>
  view.tiles.find((entry) => entry.camera === camera);

/** The wall, with a picture in each working camera's tile. */
const wallWithPictures = (view: PageView): boolean =>
  view.wallShown &&
  !view.viewShown &&
  tile(view, 'red')?.thumbSize != null &&
  tile(view, 'blue')?.thumbSize != null;

/** One camera's view, its stream playing at `size`. */
const cameraShown =
  (camera: string, size: string) =>
  (view: PageView): boolean =>
    view.viewShown &&
    !view.wallShown &&
    view.hash === `#/cameras/${camera}` &&
    (view.live.src ?? '').startsWith(`/cameras/${camera}/video_feed?`) &&
    view.live.size === size;

/** A thumbnail asks for its next snapshot this long after the last one came (app.js). */
const THUMB_EVERY_MS = 400;

describe.each(ENGINES)('in %s', (engineName) => {
  let engine: Engine;
  let page: EnginePage | undefined;

  beforeAll(async () => {
    engine = await openEngine(engineName);
  }, 60_000);

  afterAll(async () => {
    await engine?.close();
  });

  /** Closes the test's page and waits until the server has let its streams go. */
  async function closePage(t: TestApp): Promise<void> {
    await page?.close();
    page = undefined;
    const streams = t.app.get(MjpegStreamService);
    await waitFor(() => streams.clientCount === 0, 'the closed page’s streams to be released');
  }

  async function openPage(url: string): Promise<EnginePage> {
    page = await engine.newPage();
    await page.goto(mjpegPlayer(url));
    return page;
  }

  describe('a server of three cameras', () => {
    let t: TestApp;
    let streams: MjpegStreamService;
    let requests: BrowserRequests;

    beforeAll(async () => {
      t = await startApp({ CAMERAS_FILE: await camerasFile() });
      streams = t.app.get(MjpegStreamService);
      requests = new BrowserRequests(t.app.getHttpServer());
    });

    afterAll(async () => {
      requests?.stop();
      await t?.close();
    });

    afterEach(async () => closePage(t));

    it('shows a wall of every camera, in file order, each tile refreshed from its own snapshots, and no stream', async () => {
      const openedAt = Date.now();
      const page = await openPage(`${t.baseUrl}/`);
      const view = await until(page, 'the wall with pictures', wallWithPictures);
      expect(view.tiles.map((entry) => [entry.camera, entry.name, entry.href])).toEqual([
        ['red', 'Red room', '#/cameras/red'],
        ['blue', 'Blue room', '#/cameras/blue'],
        ['broken', 'Broken', '#/cameras/broken'],
      ]);
      expect(tile(view, 'red')?.thumbSize).toBe('320x240');
      expect(tile(view, 'blue')?.thumbSize).toBe('160x120');
      expect(view.backShown).toBe(false);
      expect(await paintedSoon(page, '.tile[data-camera="red"] img', 'red')).toBe('red');
      expect(await paintedSoon(page, '.tile[data-camera="blue"] img', 'blue')).toBe('blue');

      // Refreshed one after the other: several snapshots each, never more than one chain's.
      const from = Date.now();
      const windowMs = 2400;
      let streamsSeen = 0;
      while (Date.now() < from + windowMs) {
        streamsSeen = Math.max(streamsSeen, streams.clientCount);
        await delay(50);
      }
      const to = Date.now();
      const most = Math.floor((to - from) / THUMB_EVERY_MS) + 1;
      for (const camera of ['red', 'blue']) {
        const count = requests.snapshots(camera, from, to);
        expect({ camera, count, refreshed: count >= 3, tooMany: count > most }).toEqual({
          camera,
          count,
          refreshed: true,
          tooMany: false,
        });
      }
      expect(streamsSeen).toBe(0);
      expect(requests.matching(/video_feed/, openedAt)).toEqual([]);
      expect(requests.connectionsUsed(from, to)).toBeLessThan(6);

      const failing = await until(
        page,
        'the broken camera’s state and error',
        (current) => tile(current, 'broken')?.pill === 'retrying',
      );
      expect(tile(failing, 'broken')).toMatchObject({
        pill: 'retrying',
        pillClass: 'pill error',
        thumbSize: null,
      });
      expect(tile(failing, 'broken')?.error).toContain(
        'cannot read the image folder /nonexistent/folder',
      );
      expect(tile(failing, 'red')?.error).toBe('');
      expect(streams.clientCount).toBe(0);
    });

    it('opens a camera’s view from its tile: its own stream, status and settings, the wall stopped; history back returns to the wall', async () => {
      const page = await openPage(`${t.baseUrl}/`);
      await until(page, 'the wall with pictures', wallWithPictures);
      await page.click('.tile[data-camera="blue"]');
      const view = await until(page, 'blue’s view', cameraShown('blue', '160x120'));
      const shownAt = Date.now();
      expect(view.cameraName).toBe('Blue room');
      expect(view.title).toBe('Blue room · camfeed');
      expect(view.backShown).toBe(true);
      expect(await paintedSoon(page, '#live', 'blue')).toBe('blue');

      await waitFor(() => streams.clientCountOf('blue') === 1, 'blue’s stream');
      const panel = await until(
        page,
        'blue’s status and settings',
        (current) =>
          current.status.state === 'running (images)' &&
          current.status.size === '160×120' &&
          current.form.preset !== '',
      );
      const { body: settings } = await getJson<{
        width: number;
        height: number;
        framerate: number;
      }>(`${t.baseUrl}/cameras/blue/settings`);
      expect(panel.form).toEqual({
        preset: `${settings.width}x${settings.height}`,
        framerate: String(settings.framerate),
      });
      expect(panel.form).toEqual({ preset: '160x120', framerate: '5' });
      expect(panel.status.error).toBe('none');

      // The wall is at rest meanwhile: no thumbnail asks for anything (a request already on its
      // way when the view showed may arrive within 100 ms), one stream plays.
      await delay(2000);
      expect(
        ['red', 'blue', 'broken'].map((camera) => requests.snapshots(camera, shownAt + 100)),
      ).toEqual([0, 0, 0]);
      expect((await page.evaluate(readPage)).tiles.filter((entry) => entry.thumbLoading)).toEqual(
        [],
      );
      expect([streams.clientCount, streams.clientCountOf('blue')]).toEqual([1, 1]);

      await page.evaluate(() => history.back());
      await until(page, 'the wall again', (current) => current.wallShown && !current.viewShown);
      await waitFor(() => streams.clientCount === 0, 'blue’s stream to be released');
      const backAt = Date.now();
      await waitFor(() => requests.snapshots('blue', backAt) >= 2, 'blue’s thumbnail again');
    });

    it('opens a bookmarked camera directly, and “All cameras” returns to the wall and releases the stream', async () => {
      const openedAt = Date.now();
      const page = await openPage(`${t.baseUrl}/#/cameras/red`);
      const view = await until(page, 'red’s view', cameraShown('red', '320x240'));
      expect(view.cameraName).toBe('Red room');
      expect(await paintedSoon(page, '#live', 'red')).toBe('red');
      await waitFor(() => streams.clientCountOf('red') === 1, 'red’s stream');
      expect(streams.clientCount).toBe(1);
      // Straight to the camera: the wall never started behind it.
      expect(requests.matching(/snapshot/, openedAt)).toEqual([]);

      await page.click('#back');
      const wall = await until(page, 'the wall', wallWithPictures);
      expect(wall.hash).toBe('#/');
      expect(wall.tiles).toHaveLength(3);
      await waitFor(() => streams.clientCount === 0, 'red’s stream to be released');
    });

    it('shows the wall and says so for a camera the server does not have', async () => {
      const page = await openPage(`${t.baseUrl}/#/cameras/nope`);
      const view = await until(page, 'the wall and a message', (current) =>
        wallWithPictures(current),
      );
      expect(view.alert).toContain('No camera "nope" on this server');
      expect(view.tiles).toHaveLength(3);
      expect(streams.clientCount).toBe(0);
    });

    it('going to a camera and straight back leaves each thumbnail one refresh at a time', async () => {
      const page = await openPage(`${t.baseUrl}/`);
      await until(page, 'the wall with pictures', wallWithPictures);
      await page.evaluate(async () => {
        location.hash = '#/cameras/red';
        await new Promise((resolve) => setTimeout(resolve, 30));
        location.hash = '#/';
      });
      await until(page, 'the wall again', (view) => view.hash === '#/' && wallWithPictures(view));
      await waitFor(() => streams.clientCount === 0, 'red’s stream to be released');
      await delay(THUMB_EVERY_MS);
      const from = Date.now();
      await delay(2400);
      const to = Date.now();
      const most = Math.floor((to - from) / THUMB_EVERY_MS) + 1;
      for (const camera of ['red', 'blue']) {
        const count = requests.snapshots(camera, from, to);
        expect({ camera, count, refreshed: count >= 3, tooMany: count > most }).toEqual({
          camera,
          count,
          refreshed: true,
          tooMany: false,
        });
      }
    });

    it('changes a setting of the camera shown only', async () => {
      const before = await Promise.all(
        ['red', 'blue', 'broken'].map(
          async (camera) =>
            (await getJson<{ framerate: number }>(`${t.baseUrl}/cameras/${camera}/settings`)).body,
        ),
      );
      expect(before.slice(0, 2).map((settings) => settings.framerate)).toEqual([5, 5]);
      const page = await openPage(`${t.baseUrl}/#/cameras/red`);
      await until(page, 'red’s form', (view) => view.form.preset === '320x240');
      try {
        await page.evaluate(() => {
          const input = document.getElementById('framerate') as HTMLInputElement;
          input.value = '2';
          input.dispatchEvent(new Event('input', { bubbles: true }));
        });
        await page.click('#apply');
        const applied = await until(page, 'the change applied', (view) =>
          (view.alert ?? '').startsWith('Applied'),
        );
        expect(applied.alert).toContain('Applied: 320 × 240, 2 fps');
        const after = await Promise.all(
          ['red', 'blue', 'broken'].map(
            async (camera) =>
              (await getJson<{ framerate: number }>(`${t.baseUrl}/cameras/${camera}/settings`))
                .body,
          ),
        );
        expect(after).toEqual([{ ...before[0], framerate: 2 }, before[1], before[2]]);

        // The other camera's view shows its own settings, not the ones just applied.
        await page.click('#back');
        await until(page, 'the wall', wallWithPictures);
        await page.click('.tile[data-camera="blue"]');
        const blue = await until(
          page,
          'blue’s form',
          (view) => cameraShown('blue', '160x120')(view) && view.form.preset === '160x120',
        );
        expect(blue.form.framerate).toBe('5');
      } finally {
        await sendJson('POST', `${t.baseUrl}/cameras/red/settings`, { framerate: 5 });
      }
    });

    it('shows nothing of the camera viewed before: no old state on the wall, no old problem on the next camera', async () => {
      const page = await openPage(`${t.baseUrl}/#/cameras/broken`);
      await until(page, 'broken’s problem', (view) =>
        (view.note ?? '').startsWith('Camera problem: cannot read the image folder'),
      );
      await page.click('#back');
      const wall = await until(page, 'the wall', wallWithPictures);
      expect({ back: wall.backShown, pill: wall.headerPillShown }).toEqual({
        back: false,
        pill: false,
      });
      await page.click('.tile[data-camera="red"]');
      const red = await until(
        page,
        'red running',
        (view) => cameraShown('red', '320x240')(view) && view.status.state === 'running (images)',
      );
      expect({ note: red.note, error: red.status.error, pill: red.headerPillShown }).toEqual({
        note: null,
        error: 'none',
        pill: true,
      });
    });
  });

  describe('a server of one camera (no cameras file)', () => {
    let t: TestApp;
    let requests: BrowserRequests;

    beforeAll(async () => {
      t = await startApp({
        CAMERA: 'emulated',
        CAMERA_WIDTH: '320',
        CAMERA_HEIGHT: '240',
        CAMERA_FRAMERATE: '10',
      });
      requests = new BrowserRequests(t.app.getHttpServer());
    });

    afterAll(async () => {
      requests?.stop();
      await t?.close();
    });

    afterEach(async () => closePage(t));

    it('shows the camera’s view at / directly, and no wall', async () => {
      const openedAt = Date.now();
      const page = await openPage(`${t.baseUrl}/`);
      const view = await until(
        page,
        'the camera’s view',
        (current) => current.viewShown && current.live.size === '320x240',
      );
      expect(view).toMatchObject({
        hash: '',
        wallShown: false,
        backShown: false,
        headerPillShown: true,
        tiles: [],
      });
      expect(view.live.src).toMatch(/^\/cameras\/default\/video_feed\?session=/);
      const streams = t.app.get(MjpegStreamService);
      await waitFor(() => streams.clientCount === 1, 'the page’s stream');
      await delay(1000);
      expect(requests.matching(/snapshot/, openedAt)).toEqual([]);
      expect(streams.clientCount).toBe(1);
    });
  });
});
