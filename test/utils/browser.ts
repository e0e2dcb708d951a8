import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

/** Flags for a closed network: Chromium's background services would only fail to connect. */
const QUIET_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * WebRTC between the browser and a server both on 127.0.0.1: Chromium leaves loopback out of
 * ICE, and with local addresses hidden behind mDNS names its gathering never completes.
 */
const LOOPBACK_WEBRTC_FLAGS = [
  '--allow-loopback-in-peer-connection',
  '--disable-features=WebRtcHideLocalIpsWithMdns',
];

const LAMBDA_ONLY_FLAGS = new Set([
  '--single-process',
  '--disable-web-security',
  '--allow-running-insecure-content',
  '--disable-site-isolation-trials',
]);

/**
 * Headless Chromium: CHROMIUM_PATH, else a system Chromium, else the build @sparticuz/chromium
 * ships inside its npm package, so the browser tests run on a fresh clone with nothing installed.
 */
export async function launchBrowser(): Promise<{ browser: Browser; source: string }> {
  const system =
    process.env.CHROMIUM_PATH ??
    ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((path) => existsSync(path));
  if (system !== undefined) {
    return {
      browser: await chromium.launch({
        executablePath: system,
        headless: true,
        args: [...QUIET_FLAGS, ...LOOPBACK_WEBRTC_FLAGS],
      }),
      source: system,
    };
  }
  const { default: packaged } = await import('@sparticuz/chromium');
  const executablePath = await packaged.executablePath();
  // Its flags are made for AWS Lambda: --single-process would let one closed page take the
  // browser down, and the web-security exemptions would make the tests less like real use.
  const args = packaged.args.filter((arg) => !LAMBDA_ONLY_FLAGS.has(arg));
  const browser = await chromium.launch({
    executablePath,
    headless: true,
    args: [...args, ...QUIET_FLAGS, ...LOOPBACK_WEBRTC_FLAGS],
  });
  return { browser, source: `@sparticuz/chromium (${executablePath})` };
}

/**
 * The page's address with its player set to MJPEG, for tests of the MJPEG view and its viewers:
 * Chromium (with the loopback flags above) would play WebRTC instead.
 */
export function mjpegPlayer(url: string): string {
  const address = new URL(url);
  address.searchParams.set('player', 'mjpeg');
  return address.href;
}
