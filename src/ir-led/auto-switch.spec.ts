import { IrAutoSwitch } from './auto-switch';

const options = { onBelow: 50, offAbove: 90, holdMs: 10_000, samples: 3 };

/** Feeds one reading per second and returns the decisions, applying them like the service does. */
function run(sut: IrAutoSwitch, readings: number[], startOn = false): Array<boolean | undefined> {
  let on = startOn;
  return readings.map((luminance, second) => {
    const decision = sut.update(luminance, second * 1000, on);
    if (decision !== undefined) on = decision;
    return decision;
  });
}

describe(IrAutoSwitch.name, () => {
  it('switches on after three dark readings in a row', () => {
    expect(run(new IrAutoSwitch(options), [30, 30, 30, 30])).toEqual([
      undefined,
      undefined,
      true,
      undefined,
    ]);
  });

  it('ignores a short dark moment (a hand over the lens)', () => {
    expect(run(new IrAutoSwitch(options), [30, 30, 120, 30, 30, 120])).toEqual(
      new Array<undefined>(6).fill(undefined),
    );
  });

  it('does nothing in the band between the thresholds, whatever the state', () => {
    expect(run(new IrAutoSwitch(options), [70, 60, 80, 55, 85])).toEqual(
      new Array<undefined>(5).fill(undefined),
    );
    expect(run(new IrAutoSwitch(options), [70, 60, 80, 55, 85], true)).toEqual(
      new Array<undefined>(5).fill(undefined),
    );
  });

  it('switches off again only above the higher threshold and after the hold time', () => {
    const sut = new IrAutoSwitch(options);
    // Dark for 3 s: on at t=2. IR-lit at 70 for 3 s, then daylight from t=6: three readings
    // agree by t=8, but the hold time (10 s since t=2) keeps the LEDs on until t=12.
    const readings = [30, 30, 30, 70, 70, 70, ...new Array<number>(10).fill(200)];
    const decisions = run(sut, readings);
    expect(decisions.indexOf(true)).toBe(2);
    expect(decisions.indexOf(false)).toBe(12);
  });

  it('never flickers on a scene that hovers around one threshold', () => {
    const readings = Array.from({ length: 120 }, (_, second) => 50 + 15 * Math.sin(second));
    const decisions = run(new IrAutoSwitch(options), readings).filter(
      (decision) => decision !== undefined,
    );
    expect(decisions.length).toBeLessThanOrEqual(1);
  });

  it('takes the IR-lit level from the settled readings, not an auto-exposure overshoot', () => {
    const sut = new IrAutoSwitch(options);
    run(sut, [20, 20, 20]);
    [250, 140, 110].forEach((luminance, i) => sut.update(luminance, 3000 + i * 1000, true));
    expect(sut.offThreshold).toBe(150);
  });

  it('is not switched off by the light of its own LEDs', () => {
    const sut = new IrAutoSwitch(options);
    // Dark room; once the IR LEDs are on, the night-vision camera sees the scene at 110.
    let on = false;
    const decisions: Array<boolean | undefined> = [];
    for (let second = 0; second < 60; second++) {
      const luminance = on ? 110 : 20;
      const decision = sut.update(luminance, second * 1000, on);
      if (decision !== undefined) on = decision;
      decisions.push(decision);
    }
    expect(decisions.filter((decision) => decision !== undefined)).toEqual([true]);
    expect(sut.offThreshold).toBe(150); // 110 while IR-lit, plus the 40-wide hysteresis band
    // Daylight on top of the IR light does switch them off.
    const later = [0, 1, 2, 3].map((i) => sut.update(220, 100_000 + i * 1000, true));
    expect(later).toContain(false);
  });
});
