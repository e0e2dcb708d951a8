import { randomBytes } from 'node:crypto';
import { checkStreamToken, issueStreamToken } from './stream-token';

describe('stream tokens', () => {
  const secret = randomBytes(32);
  const now = Date.UTC(2026, 10, 21, 12, 0, 0);

  it('accepts a token it issued until it expires', () => {
    const token = issueStreamToken(secret, now + 60_000);
    expect(token).toMatch(/^v1\.\d+\.[A-Za-z0-9_-]{43}$/);
    expect(checkStreamToken(secret, token, now)).toEqual({ valid: true, expiresAt: now + 60_000 });
    expect(checkStreamToken(secret, token, now + 60_000)).toEqual({
      valid: false,
      reason: 'expired',
    });
  });

  it('refuses a token signed with another secret', () => {
    const token = issueStreamToken(randomBytes(32), now + 60_000);
    expect(checkStreamToken(secret, token, now)).toEqual({ valid: false, reason: 'forged' });
  });

  it('refuses a token whose expiry was pushed back', () => {
    const [version, expiry, signature] = issueStreamToken(secret, now + 60_000).split('.');
    const extended = `${version}.${Number(expiry) + 86_400}.${signature}`;
    expect(checkStreamToken(secret, extended, now)).toEqual({ valid: false, reason: 'forged' });
  });

  it.each([
    '',
    'garbage',
    'v1..abc',
    'v2.1234.' + 'a'.repeat(43),
    'v1.99999999999999.' + 'a'.repeat(43),
  ])('refuses the malformed token %j', (token) => {
    expect(checkStreamToken(secret, token, now)).toEqual({ valid: false, reason: 'malformed' });
  });
});
