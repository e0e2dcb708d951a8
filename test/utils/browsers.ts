import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import Module from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext } from 'playwright-core';
import puppeteer, { type Browser, type Page as PuppeteerPage } from 'puppeteer-core';
import sharp from 'sharp';
import type { remote as wdioRemote } from 'webdriverio';
import { launchBrowser } from './browser';

/** The three engines a page meets: Blink (Chrome, Edge), Gecko (Firefox), WebKit (Safari). */
export const ENGINES = ['chromium', 'firefox', 'webkit'] as const;
export type EngineName = (typeof ENGINES)[number];

/** One tab of an engine, with the few things the tests need from it. */
export interface EnginePage {
  /** Navigates and waits for the DOM only: a page with a live MJPEG <img> never ends loading. */
  goto(url: string): Promise<void>;
  /** Runs `fn` in the page (it is serialized: no closures) and returns its JSON-able result. */
  evaluate<R, A = undefined>(fn: (arg: A) => R | Promise<R>, arg?: A): Promise<R>;
  /** What the engine painted inside the first element matching `selector`, as PNG. */
  screenshotPng(selector: string): Promise<Buffer>;
  /** Clicks the first element matching `selector` as a user would: real input, in its middle. */
  click(selector: string): Promise<void>;
  close(): Promise<void>;
}

export interface Engine {
  readonly name: EngineName;
  /** Browser and version, for failure messages. */
  readonly version: string;
  /** A new page; WebKit has one at a time (WebKitWebDriver allows one session). */
  newPage(): Promise<EnginePage>;
  close(): Promise<void>;
}

const VIEWPORT = { width: 800, height: 600 };
const WEBKIT_DRIVER = '/usr/bin/WebKitWebDriver';
const XVFB = '/usr/bin/Xvfb';
/** A hung driver should fail its test, not the whole run's time budget. */
const COMMAND_TIMEOUT_MS = 30_000;

export async function openEngine(name: EngineName): Promise<Engine> {
  switch (name) {
    case 'chromium':
      return openChromium();
    case 'firefox':
      return openFirefox();
    case 'webkit':
      return openWebKit();
  }
}

/** A missing browser fails the tests with what to install, never skips them. */
function missing(what: string, debianPackage: string, hint = ''): Error {
  return new Error(
    `${what} is not installed: apt-get install -y --no-install-recommends ${debianPackage} ` +
      `(.ci/run installs it)${hint}`,
  );
}

async function openChromium(): Promise<Engine> {
  const { browser, source } = await launchBrowser();
  // Pages of an explicit context: closing a page that owns an implicit context
  // (browser.newPage) takes this headless shell down.
  let context: BrowserContext;
  try {
    context = await browser.newContext({ viewport: VIEWPORT });
  } catch (error) {
    await browser.close();
    throw error;
  }
  return {
    name: 'chromium',
    version: `Chromium ${browser.version()} (${source})`,
    async newPage() {
      const page = await context.newPage();
      page.setDefaultTimeout(COMMAND_TIMEOUT_MS);
      return {
        goto: async (url) => {
          await page.goto(url, { waitUntil: 'domcontentloaded' });
        },
        evaluate: async (fn, arg) => page.evaluate(fn, arg as never),
        screenshotPng: async (selector) => page.locator(selector).first().screenshot(),
        click: async (selector) => page.locator(selector).first().click(),
        close: async () => page.close(),
      };
    },
    close: async () => browser.close(),
  };
}

/**
 * A home of its own for a browser, removed with it: Firefox and WebKitGTK otherwise write their
 * caches, settings, dconf and a Downloads folder into the user's.
 */
function privateHome(): { env: NodeJS.ProcessEnv; remove(): void } {
  const home = mkdtempSync(join(tmpdir(), 'camfeed-browser-home-'));
  return {
    env: {
      ...process.env,
      HOME: home,
      XDG_CACHE_HOME: join(home, '.cache'),
      XDG_CONFIG_HOME: join(home, '.config'),
      XDG_DATA_HOME: join(home, '.local', 'share'),
      XDG_STATE_HOME: join(home, '.local', 'state'),
    },
    remove: () => rmSync(home, { recursive: true, force: true }),
  };
}

async function openFirefox(): Promise<Engine> {
  const executablePath = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';
  if (!existsSync(executablePath))
    throw missing(`Firefox ESR (${executablePath})`, 'firefox-esr', ', or set FIREFOX_PATH');
  const home = privateHome();
  let browser: Browser;
  try {
    // WebDriver BiDi: Debian's own Firefox needs neither geckodriver nor a patched build.
    browser = await puppeteer.launch({
      browser: 'firefox',
      executablePath,
      env: home.env,
      headless: true,
      defaultViewport: VIEWPORT,
      protocolTimeout: COMMAND_TIMEOUT_MS,
      // Keeps it off the network: these services would only fail to connect here.
      extraPrefsFirefox: {
        'network.captive-portal-service.enabled': false,
        'network.connectivity-service.enabled': false,
      },
    });
  } catch (error) {
    home.remove();
    throw error;
  }
  return {
    name: 'firefox',
    version: await browser.version(),
    async newPage() {
      const page = await browser.newPage();
      return {
        goto: async (url) => {
          await page.goto(url, { waitUntil: 'domcontentloaded', timeout: COMMAND_TIMEOUT_MS });
        },
        evaluate: async (fn, arg) => (await evaluateLoosely(page, fn, arg)) as never,
        screenshotPng: async (selector) => {
          const element = await page.$(selector);
          if (element === null) throw new Error(`no element matches ${selector}`);
          return Buffer.from(await element.screenshot());
        },
        click: async (selector) => page.click(selector),
        close: async () => page.close(),
      };
    },
    async close() {
      try {
        await browser.close();
      } finally {
        home.remove();
      }
    },
  };
}

/**
 * The drivers type a page function by its parameters as they see them (element handles and
 * all); EnginePage's callers pass one plain JSON-able value, which all three accept.
 */
type LooseCall = (fn: unknown, arg: unknown) => Promise<unknown>;
const evaluateLoosely = async (page: PuppeteerPage, fn: unknown, arg: unknown): Promise<unknown> =>
  (page.evaluate.bind(page) as LooseCall)(fn, arg);
const executeLoosely = async (
  browser: WebdriverIO.Browser,
  fn: unknown,
  arg: unknown,
): Promise<unknown> => (browser.execute.bind(browser) as LooseCall)(fn, arg);

/** MiniBrowser ships in libwebkit2gtk-4.1-0, under the architecture's library directory. */
function findMiniBrowser(): string | undefined {
  const chosen = process.env.MINIBROWSER_PATH;
  if (chosen !== undefined) return existsSync(chosen) ? chosen : undefined;
  for (const lib of ['/usr/lib', '/usr/libexec']) {
    let entries: string[];
    try {
      entries = readdirSync(lib);
    } catch {
      continue;
    }
    for (const entry of ['', ...entries]) {
      const candidate = join(lib, entry, 'webkit2gtk-4.1', 'MiniBrowser');
      if (existsSync(candidate)) return candidate;
    }
  }
  return undefined;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/**
 * Children in their own process group, so one signal ends them and everything they started
 * (MiniBrowser and its web and network processes), and a test run that dies leaves none behind.
 */
class ProcessGroups {
  private readonly children = new Set<ChildProcess>();
  private readonly onExit = (): void => this.signal('SIGKILL');

  constructor() {
    process.on('exit', this.onExit);
  }

  spawn(command: string, args: string[], options: Parameters<typeof spawn>[2]): ChildProcess {
    const child = spawn(command, args, { ...options, detached: true });
    this.children.add(child);
    child.once('exit', () => this.children.delete(child));
    return child;
  }

  async closeAll(): Promise<void> {
    process.off('exit', this.onExit);
    const exits = [...this.children].map(
      async (child) => new Promise((resolve) => child.once('exit', resolve)),
    );
    this.signal('SIGTERM');
    const hard = setTimeout(() => this.signal('SIGKILL'), 3000);
    await Promise.all(exits);
    clearTimeout(hard);
  }

  private signal(signal: NodeJS.Signals): void {
    for (const child of this.children) {
      if (child.pid === undefined) continue;
      try {
        process.kill(-child.pid, signal);
      } catch {
        // Already gone.
      }
    }
  }
}

/** Starts Xvfb on a display it picks itself (-displayfd), so parallel runs never collide. */
async function startXvfb(groups: ProcessGroups): Promise<string> {
  const xvfb = groups.spawn(
    XVFB,
    ['-displayfd', '3', '-nolisten', 'tcp', '-screen', '0', '1280x1024x24'],
    {
      stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  xvfb.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(
      () => reject(new Error(`Xvfb gave no display in 10 s: ${stderr}`)),
      10_000,
    );
    xvfb.stdio[3]?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (!out.includes('\n')) return;
      clearTimeout(timer);
      resolve(`:${out.trim()}`);
    });
    xvfb.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    xvfb.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`Xvfb exited (${code}): ${stderr}`));
    });
  });
}

async function waitForDriver(port: number, driver: ChildProcess): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (driver.exitCode !== null) throw new Error(`WebKitWebDriver exited (${driver.exitCode})`);
    try {
      const response = await fetch(`http://127.0.0.1:${port}/status`);
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('WebKitWebDriver did not answer within 10 s');
}

/**
 * webdriverio is ESM behind a CommonJS shim that import()s the real module. Jest's module system
 * cannot import() without --experimental-vm-modules, and it replaces module.createRequire with its
 * own; Node's loader underneath (Module._load) is left alone and can.
 */
function requireOutsideJest<T>(name: string): T {
  const loader = (Module as unknown as { _load?: (request: string) => unknown })._load;
  if (typeof loader !== 'function') throw new Error(`cannot load ${name} outside Jest's modules`);
  return loader(require.resolve(name)) as T;
}

async function openWebKit(): Promise<Engine> {
  if (!existsSync(WEBKIT_DRIVER)) throw missing('WebKitWebDriver', 'webkit2gtk-driver');
  const miniBrowser = findMiniBrowser();
  if (miniBrowser === undefined)
    throw missing('MiniBrowser (WebKitGTK)', 'webkit2gtk-driver', ', or set MINIBROWSER_PATH');
  if (!existsSync(XVFB)) throw missing('Xvfb', 'xvfb');
  const { remote } = requireOutsideJest<{ remote: typeof wdioRemote }>('webdriverio');

  const groups = new ProcessGroups();
  const home = privateHome();
  let session: Awaited<ReturnType<typeof wdioRemote>> | undefined;
  try {
    const display = await startXvfb(groups);
    const port = await freePort();
    const driver = groups.spawn(WEBKIT_DRIVER, [`--port=${port}`, '--host=127.0.0.1'], {
      env: { ...home.env, DISPLAY: display },
      stdio: 'ignore',
    });
    await waitForDriver(port, driver);

    let version = `WebKitGTK (${miniBrowser})`;
    const closeSession = async (): Promise<void> => {
      const open = session;
      session = undefined;
      await open?.deleteSession();
    };
    return {
      name: 'webkit',
      get version() {
        return version;
      },
      async newPage() {
        if (session !== undefined) throw new Error('WebKit has one page at a time: close it first');
        // A session per page, with pageLoadStrategy "none": with "eager", a second navigation
        // to a page with a live stream made the next command hang until the client timed out.
        const capabilities = {
          browserName: 'MiniBrowser',
          pageLoadStrategy: 'none',
          'wdio:enforceWebDriverClassic': true,
          'webkitgtk:browserOptions': { binary: miniBrowser, args: ['--automation'] },
        } as const;
        const browser = await remote({
          hostname: '127.0.0.1',
          port,
          logLevel: 'error',
          connectionRetryTimeout: COMMAND_TIMEOUT_MS,
          connectionRetryCount: 0,
          capabilities,
        });
        session = browser;
        version = `WebKitGTK ${String(browser.capabilities.browserVersion)} (${miniBrowser})`;
        await browser.setWindowSize(VIEWPORT.width, VIEWPORT.height);
        return {
          goto: async (url) => {
            const target = new URL(url).href;
            await browser.url(target);
            const deadline = Date.now() + COMMAND_TIMEOUT_MS;
            for (;;) {
              const [href, state] = await browser.execute(
                () => [location.href, document.readyState] as const,
              );
              if (href === target && state !== 'loading') return;
              if (Date.now() > deadline) throw new Error(`WebKit did not load ${target}`);
              await new Promise((resolve) => setTimeout(resolve, 25));
            }
          },
          evaluate: async (fn, arg) => (await executeLoosely(browser, fn, arg)) as never,
          screenshotPng: async (selector) => {
            // Its element screenshots come back black under Xvfb; the viewport's are right, so
            // the element is cut out of one (the part of it that is in view).
            const rect = await browser.execute((css: string) => {
              const element = document.querySelector(css);
              element?.scrollIntoView({ block: 'nearest', inline: 'nearest' });
              const box = element?.getBoundingClientRect();
              return (
                box && {
                  x: box.x,
                  y: box.y,
                  width: box.width,
                  height: box.height,
                  scale: devicePixelRatio,
                }
              );
            }, selector);
            if (!rect) throw new Error(`no element matches ${selector}`);
            const viewport = Buffer.from(await browser.takeScreenshot(), 'base64');
            const { width = 0, height = 0 } = await sharp(viewport).metadata();
            const left = Math.max(0, Math.round(rect.x * rect.scale));
            const top = Math.max(0, Math.round(rect.y * rect.scale));
            const right = Math.min(width, Math.round((rect.x + rect.width) * rect.scale));
            const bottom = Math.min(height, Math.round((rect.y + rect.height) * rect.scale));
            if (right <= left || bottom <= top) throw new Error(`${selector} is not in view`);
            return sharp(viewport)
              .extract({ left, top, width: right - left, height: bottom - top })
              .png()
              .toBuffer();
          },
          click: async (selector) => {
            const element = browser.$(selector);
            if (!(await element.isExisting())) throw new Error(`no element matches ${selector}`);
            await element.click();
          },
          close: closeSession,
        };
      },
      async close() {
        try {
          await closeSession();
        } finally {
          await groups.closeAll();
          home.remove();
        }
      },
    };
  } catch (error) {
    await groups.closeAll();
    home.remove();
    throw error;
  }
}
