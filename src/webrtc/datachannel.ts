import { createRequire } from 'node:module';

/** The part of node-datachannel camfeed uses. */
export type DataChannelLibrary = typeof import('node-datachannel');

/**
 * node-datachannel, if it is installed for this platform. It is an optional dependency: its
 * prebuilt binaries cover 64-bit Linux, macOS and Windows, not 32-bit Raspberry Pi OS, where
 * camfeed runs with MJPEG only and says why.
 */
export function loadDataChannel(): { library?: DataChannelLibrary; reason?: string } {
  try {
    const library = createRequire(__filename)('node-datachannel') as DataChannelLibrary;
    return { library };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return {
      reason:
        code === 'MODULE_NOT_FOUND'
          ? `node-datachannel is not installed for this platform (${process.platform} ${process.arch}): it has no prebuilt binary here`
          : `node-datachannel cannot be loaded: ${(error as Error).message.split('\n')[0]}`,
    };
  }
}

/*
 * node-datachannel keeps the process alive while any object it made (peer connection, track,
 * media handlers) has neither been garbage-collected nor released by its cleanup(); but
 * cleanup() crashes the process (a use-after-free) once any of them has been collected. So the
 * last few ended sessions are kept from the collector, and cleanup() runs only while no ended
 * session was ever let go: a server of few sessions (and every test) exits cleanly; a server that
 * has seen many lets the collector have them, skips cleanup(), and still ends on SIGTERM (Nest
 * raises the signal again once closed).
 */
const KEPT_SESSIONS = 64;
let kept: object[] = [];
let letGo = false;
let used = false;

/** Keeps an ended session's library objects from the collector while that is cheap. */
export function retire(session: object): void {
  if (letGo) return;
  kept.push(session);
  if (kept.length > KEPT_SESSIONS) {
    kept = [];
    letGo = true;
  }
}

/** Marks the library as used (a session was made). */
export function markUsed(): void {
  used = true;
}

/** Stops the library's threads when that is safe (see above); the next use starts them again. */
export function releaseLibrary(library: DataChannelLibrary): void {
  if (!used || letGo) return;
  library.cleanup();
  kept = [];
  used = false;
}
