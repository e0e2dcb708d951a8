import { secretsEqual } from './api-token.guard';

describe(secretsEqual.name, () => {
  it('matches only the exact token', () => {
    expect(secretsEqual('correct-horse-battery', 'correct-horse-battery')).toBe(true);
    expect(secretsEqual('correct-horse-batterY', 'correct-horse-battery')).toBe(false);
    expect(secretsEqual('correct-horse', 'correct-horse-battery')).toBe(false);
    expect(secretsEqual('', 'correct-horse-battery')).toBe(false);
    expect(secretsEqual('correct-horse-battery-staple', 'correct-horse-battery')).toBe(false);
  });
});
