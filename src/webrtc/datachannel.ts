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
