import type { Browser, BrowserContext, Page } from 'playwright-core';
import { MjpegStreamService } from '../src/stream/mjpeg-stream.service';
import { launchBrowser, mjpegPlayer } from './utils/browser';
import { sendJson, startApp, type TestApp } from './utils/test-app';
import { waitFor } from './utils/wait-for';

/** The page's behaviour around the stream: messages, the form, limits, requests it makes. */
describe('the page’s controls, in headless Chromium', () => {
  let browser: Browser;
  let context: BrowserContext;
  let t: TestApp;
  let page: Page;
  let requests: string[];

  beforeAll(async () => {
    ({ browser } = await launchBrowser());
    context = await browser.newContext({ viewport: { width: 800, height: 700 } });
    t = await startApp({ CAMERA_WIDTH: '320', CAMERA_HEIGHT: '240', CAMERA_FRAMERATE: '15' });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  beforeEach(async () => {
    page = await context.newPage();
    requests = [];
    page.on('request', (request) =>
      requests.push(`${request.method()} ${new URL(request.url()).pathname}`),
    );
    await page.goto(mjpegPlayer(`${t.baseUrl}/`));
    await page.waitForFunction(
      () => (document.getElementById('preset') as HTMLSelectElement).value !== '',
    );
  });

  afterEach(async () => {
    await page.close();
    const streams = t.app.get(MjpegStreamService);
    await waitFor(() => streams.clientCount === 0, 'the closed page’s stream to be released');
  });

  it('asks for no stream token when stream authentication is off', async () => {
    await page.waitForFunction(
      () => (document.getElementById('live') as HTMLImageElement).naturalWidth > 0,
    );
    expect(requests.filter((request) => request.includes('/video_feed/token'))).toEqual([]);
  });

  it('shows a long error message without moving the controls', async () => {
    await page.waitForFunction(
      () => (document.getElementById('live') as HTMLImageElement).naturalWidth > 0,
    );
    // Where the controls sit in the document, whatever the scrolling.
    const position = async (): Promise<number[]> =>
      page.evaluate(() =>
        ['#apply', '#framerate', '#ir-toggle'].map((selector) => {
          const box = document.querySelector(selector)?.getBoundingClientRect();
          return (box?.top ?? Number.NaN) + window.scrollY;
        }),
      );
    const before = await position();
    await page.locator('#framerate').fill('500');
    await page.locator('#apply').click();
    await page.locator('#alert').waitFor({ state: 'visible' });
    expect(await page.locator('#alert').textContent()).toContain('framerate must be');
    expect(await position()).toEqual(before);
    await page.locator('#alert .close').click();
    await page.locator('#alert').waitFor({ state: 'hidden' });
  });

  it('shows the frame-rate limits the camera gives, not the API’s generic ones', async () => {
    const capabilities = (await (await fetch(`${t.baseUrl}/camera/capabilities`)).json()) as {
      framerate: { min: number; max: number };
    };
    expect(await page.locator('#framerate-hint').textContent()).toBe(
      `${capabilities.framerate.min} to ${capabilities.framerate.max} fps`,
    );
    expect(await page.locator('#framerate').getAttribute('max')).toBe(
      String(capabilities.framerate.max),
    );
  });

  it('follows settings changed elsewhere, but not while the user is editing', async () => {
    expect(
      (await sendJson('POST', `${t.baseUrl}/camera/settings`, { framerate: 12, quality: 70 }))
        .status,
    ).toBe(200);
    await page.waitForFunction(
      () => (document.getElementById('framerate') as HTMLInputElement).value === '12',
      undefined,
      { timeout: 6000 },
    );
    expect(await page.locator('#quality').inputValue()).toBe('70');

    await page.locator('#framerate').fill('9');
    expect((await sendJson('POST', `${t.baseUrl}/camera/settings`, { framerate: 14 })).status).toBe(
      200,
    );
    // Two status refreshes later, the user's unsent value is still there.
    await page.waitForTimeout(4500);
    expect(await page.locator('#framerate').inputValue()).toBe('9');
    await sendJson('POST', `${t.baseUrl}/camera/settings`, { framerate: 15, quality: 80 });
  });
});
