import { mkdtempSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import sharp from 'sharp';
import { MjpegStreamService } from '../src/stream/mjpeg-stream.service';
import { launchBrowser, mjpegPlayer } from './utils/browser';
import { MjpegReader } from './utils/mjpeg-reader';
import { startApp, type TestApp } from './utils/test-app';
import { delay, waitFor } from './utils/wait-for';

const env = (): Record<string, string> => ({
  CAMERA_WIDTH: '320',
  CAMERA_HEIGHT: '240',
  CAMERA_FRAMERATE: '15',
  DATA_DIR: mkdtempSync(join(tmpdir(), 'camfeed-browser-')),
});

const naturalSize = async (page: Page): Promise<string> =>
  page.$eval('#live', (img: HTMLImageElement) => `${img.naturalWidth}x${img.naturalHeight}`);

describe('the page, in headless Chromium', () => {
  let browser: Browser;
  let context: BrowserContext;
  let t: TestApp;
  let page: Page;

  beforeAll(async () => {
    ({ browser } = await launchBrowser());
    // Pages of an explicit context: closing a page that owns an implicit context
    // (browser.newPage) takes this headless shell down.
    context = await browser.newContext({ viewport: { width: 1024, height: 800 } });
    t = await startApp(env());
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  beforeEach(async () => {
    page = await context.newPage();
    await page.goto(mjpegPlayer(`${t.baseUrl}/`));
  });

  afterEach(async () => {
    await page.close();
    const streams = t.app.get(MjpegStreamService);
    await waitFor(() => streams.clientCount === 0, 'the closed page’s stream to be released');
  });

  it('shows moving video at the stream’s size', async () => {
    await page.waitForFunction(
      () => (document.getElementById('live') as HTMLImageElement).naturalWidth > 0,
    );
    expect(await naturalSize(page)).toBe('320x240');
    const first = await page.locator('#live').screenshot();
    await delay(1000);
    const second = await page.locator('#live').screenshot();
    expect(first.equals(second)).toBe(false);
  });

  it('changes the stream’s size when the form changes the resolution', async () => {
    await page.waitForFunction(
      () => (document.getElementById('live') as HTMLImageElement).naturalWidth > 0,
    );
    await page.locator('#preset').selectOption('640x480');
    await page.locator('#apply').click();
    await page.waitForFunction(
      () => (document.getElementById('live') as HTMLImageElement).naturalWidth === 640,
      undefined,
      { timeout: 5000 },
    );
    expect(await naturalSize(page)).toBe('640x480');
    expect(await page.locator('#alert').textContent()).toContain('Applied: 640 × 480');
    // Back, for the other tests.
    await page.locator('#preset').selectOption('320x240');
    await page.locator('#apply').click();
    await page.waitForFunction(
      () => (document.getElementById('live') as HTMLImageElement).naturalWidth === 320,
      undefined,
      { timeout: 5000 },
    );
  });

  it('shows the API’s error for a bad value, and changes nothing', async () => {
    await page.locator('#framerate').fill('500');
    await page.locator('#apply').click();
    const alert = page.locator('#alert');
    await alert.waitFor({ state: 'visible' });
    expect(await alert.textContent()).toContain('framerate must be a number from 0.1 to 120');
    expect(await alert.getAttribute('class')).toBe('alert');
    const settings = (await (await fetch(`${t.baseUrl}/camera/settings`)).json()) as {
      framerate: number;
    };
    expect(settings.framerate).toBe(15);
  });

  it('shows the IR LEDs as unavailable without GPIO, with the reason, controls disabled', async () => {
    await page.waitForFunction(() =>
      document.getElementById('ir-state')?.textContent?.startsWith('Unavailable'),
    );
    expect(await page.locator('#ir-state').textContent()).toBe(
      'Unavailable: IR_LED_GPIO is not set',
    );
    for (const button of await page.locator('.segmented button').all())
      expect(await button.isDisabled()).toBe(true);
  });

  it('updates the status panel', async () => {
    const streams = t.app.get(MjpegStreamService);
    await waitFor(() => streams.clientCount === 1, 'only this page’s stream');
    await page.waitForFunction(() =>
      /fps$/.test(document.getElementById('st-fps')?.textContent ?? ''),
    );
    expect(await page.locator('#st-state').textContent()).toBe('running (emulated)');
    expect(await page.locator('#st-size').textContent()).toBe('320×240');
    const extra = await MjpegReader.open(`${t.baseUrl}/video_feed`);
    try {
      await extra.waitForParts(1);
      await page.waitForFunction(
        () => document.getElementById('st-clients')?.textContent === '2',
        undefined,
        { timeout: 6000 },
      );
    } finally {
      extra.close();
    }
    await page.waitForFunction(
      () => document.getElementById('st-clients')?.textContent === '1',
      undefined,
      { timeout: 6000 },
    );
    await page.waitForFunction(
      () => /fps/.test(document.getElementById('st-view')?.textContent ?? ''),
      undefined,
      { timeout: 10_000 },
    );
  });

  it('releases the stream while the page is hidden and takes it back when shown', async () => {
    const streams = t.app.get(MjpegStreamService);
    await waitFor(() => streams.clientCount === 1, 'the page’s stream');
    const setHidden = async (hidden: boolean): Promise<void> =>
      page.evaluate((value) => {
        Object.defineProperty(document, 'hidden', { configurable: true, get: () => value });
        document.dispatchEvent(new Event('visibilitychange'));
      }, hidden);
    await setHidden(true);
    await waitFor(() => streams.clientCount === 0, 'the stream to be released');
    await setHidden(false);
    await waitFor(() => streams.clientCount === 1, 'the stream to come back');
  });
});

describe('the page, across a server restart', () => {
  it('reconnects the stream by itself once the server is back', async () => {
    const { browser } = await launchBrowser();
    let t = await startApp(env());
    const port = Number(new URL(t.baseUrl).port);
    try {
      const page = await browser.newPage();
      await page.goto(mjpegPlayer(`${t.baseUrl}/`));
      await page.waitForFunction(
        () => (document.getElementById('live') as HTMLImageElement).naturalWidth > 0,
      );
      await t.close();
      await page.waitForFunction(
        () => document.getElementById('state-pill')?.textContent === 'offline',
        undefined,
        { timeout: 8000 },
      );
      t = await startApp(env(), undefined, port);
      const streams = t.app.get(MjpegStreamService);
      await waitFor(() => streams.clientCount === 1, 'the page to reconnect', 20_000);
      const first = await page.locator('#live').screenshot();
      await delay(1000);
      expect(first.equals(await page.locator('#live').screenshot())).toBe(false);
    } finally {
      await browser.close();
      await t.close();
    }
  }, 60_000);
});

describe('the page without JavaScript', () => {
  it('still plays the stream', async () => {
    const { browser } = await launchBrowser();
    const t = await startApp(env());
    try {
      const context = await browser.newContext({ javaScriptEnabled: false });
      const page = await context.newPage();
      await page.goto(`${t.baseUrl}/`);
      const img = page.locator('noscript img, figure img[src="/video_feed"]').first();
      await page.waitForFunction(() =>
        Array.from(document.images).some((image) => image.naturalWidth === 320),
      );
      expect(await img.count()).toBe(1);
    } finally {
      await browser.close();
      await t.close();
    }
  }, 60_000);
});

describe('Chromium and EXIF orientation in a multipart stream', () => {
  it('turns frames marked with an orientation, as the pi driver relies on for 90° and 270°', async () => {
    const jpeg = await sharp({
      create: { width: 200, height: 100, channels: 3, background: '#c00' },
    })
      .withMetadata({ orientation: 6 })
      .jpeg()
      .toBuffer();
    const server = http.createServer((req, res) => {
      if (req.url === '/') {
        res.writeHead(200, { 'Content-Type': 'text/html' }).end('<img id="live" src="/stream">');
        return;
      }
      res.writeHead(200, { 'Content-Type': 'multipart/x-mixed-replace; boundary=frame' });
      res.write('--frame\r\n');
      const timer = setInterval(() => {
        res.write(`Content-Type: image/jpeg\r\nContent-Length: ${jpeg.length}\r\n\r\n`);
        res.write(jpeg);
        res.write('\r\n--frame\r\n');
      }, 100);
      res.on('close', () => clearInterval(timer));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { browser } = await launchBrowser();
    try {
      const page = await browser.newPage();
      await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      await page.waitForFunction(
        () => (document.getElementById('live') as HTMLImageElement).naturalWidth > 0,
      );
      expect(await naturalSize(page)).toBe('100x200');
    } finally {
      await browser.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  }, 60_000);
});

describe('the page with STREAM_AUTH', () => {
  it('signs in once and gets a stream token for its <img> by itself', async () => {
    const { browser } = await launchBrowser();
    const t = await startApp({
      ...env(),
      STREAM_AUTH: 'true',
      STREAM_USERNAME: 'viewer',
      STREAM_PASSWORD: 'watch-the-baby',
    });
    try {
      const context = await browser.newContext({
        httpCredentials: { username: 'viewer', password: 'watch-the-baby' },
      });
      const page = await context.newPage();
      await page.goto(mjpegPlayer(`${t.baseUrl}/`));
      await page.waitForFunction(
        () => (document.getElementById('live') as HTMLImageElement).naturalWidth > 0,
      );
      expect(await page.locator('#live').getAttribute('src')).toMatch(
        /^\/cameras\/default\/video_feed\?session=[0-9a-f]+&token=v1\.\d+\./,
      );
      expect(await naturalSize(page)).toBe('320x240');
      await page.waitForFunction(() =>
        /fps$/.test(document.getElementById('st-fps')?.textContent ?? ''),
      );
    } finally {
      await browser.close();
      await t.close();
    }
  }, 60_000);
});
