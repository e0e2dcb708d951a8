import type { SizeFramerateLimit } from '../drivers/camera-driver.interface';
import { framerateLimitAt } from './framerate-at-size';

/** The three sensor modes of a Camera Module 3 (imx708). */
const imx708: SizeFramerateLimit[] = [
  { width: 1536, height: 864, maxFramerate: 120 },
  { width: 2304, height: 1296, maxFramerate: 56 },
  { width: 4608, height: 2592, maxFramerate: 14 },
];

describe(framerateLimitAt.name, () => {
  it('gives the full size only the full mode’s rate', () => {
    expect(framerateLimitAt(imx708, 4608, 2592)).toBe(14);
    expect(framerateLimitAt(imx708, 4000, 2000)).toBe(14);
  });

  it('takes the fastest mode that covers both width and height', () => {
    expect(framerateLimitAt(imx708, 1920, 1080)).toBe(56);
    expect(framerateLimitAt(imx708, 1536, 864)).toBe(120);
    expect(framerateLimitAt(imx708, 640, 480)).toBe(120);
    // Narrow enough for the small mode, but too tall for it.
    expect(framerateLimitAt(imx708, 1000, 1000)).toBe(56);
  });

  it('does not depend on the order of the entries', () => {
    expect(framerateLimitAt([...imx708].reverse(), 1920, 1080)).toBe(56);
  });

  it('uses the largest entry for a size beyond all of them', () => {
    expect(framerateLimitAt(imx708, 4656, 2496)).toBe(14);
    expect(
      framerateLimitAt(
        [
          { width: 1928, height: 1090, maxFramerate: 87 },
          { width: 3856, height: 2180, maxFramerate: 43 },
        ],
        3900,
        2160,
      ),
    ).toBe(43);
  });

  it('has no limit without entries', () => {
    expect(framerateLimitAt([], 640, 480)).toBeUndefined();
  });
});
