import { retryDelays } from './retry-delays';

describe(retryDelays.name, () => {
  it('doubles up to the cap and ends exactly at the total', () => {
    expect(retryDelays(5000, 100)).toEqual([100, 200, 400, 800, 1000, 1000, 1000, 500]);
  });

  it('shortens a first wait longer than the total', () => {
    expect(retryDelays(50, 100)).toEqual([50]);
  });

  it('retries not at all without time', () => {
    expect(retryDelays(0, 100)).toEqual([]);
  });

  it('never waits zero, which would spin', () => {
    expect(retryDelays(3, 0)).toEqual([1, 2]);
  });
});
