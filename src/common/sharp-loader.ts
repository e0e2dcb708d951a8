import type Sharp from 'sharp';

let sharpModule: typeof Sharp | undefined;

/**
 * sharp (libvips) costs ~20 MB of memory: it is loaded only by the features that use it (the
 * emulated camera, IR auto mode), never by a server that just relays a real camera.
 */
export async function loadSharp(): Promise<typeof Sharp> {
  if (sharpModule === undefined) {
    sharpModule = (await import('sharp')).default;
    // Images are processed one at a time, so more libvips threads would only add contention, and
    // the operation cache would only hold on to memory for pictures never processed twice.
    sharpModule.concurrency(1);
    sharpModule.cache(false);
  }
  return sharpModule;
}
