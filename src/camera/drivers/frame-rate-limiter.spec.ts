import { FrameRateLimiter } from './frame-rate-limiter';

function passed(inputFps: number, capFps: number, seconds: number, jitterMs = 0): number {
  const sut = new FrameRateLimiter(capFps);
  let count = 0;
  for (let i = 0; i < inputFps * seconds; i++) {
    const jitter = jitterMs * Math.sin(i * 7.3);
    if (sut.accept((i * 1000) / inputFps + jitter)) count += 1;
  }
  return count;
}

describe(FrameRateLimiter.name, () => {
  it.each([
    [30, 15, 15],
    [30, 10, 10],
    [30, 1, 1],
    [25, 30, 25],
    [30, 0.5, 0.5],
  ])('lets %i fps through a %i fps cap at %i fps', (input, cap, expected) => {
    const seconds = 60;
    // One frame of slack: the jitter tolerance lets the second frame come a little early.
    expect(Math.abs(passed(input, cap, seconds) - expected * seconds)).toBeLessThanOrEqual(1);
  });

  it('tolerates jitter in the arrival times', () => {
    expect(Math.abs(passed(30, 15, 60, 4) - 900)).toBeLessThanOrEqual(2);
  });
});
