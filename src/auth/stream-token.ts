import { createHmac, timingSafeEqual } from 'node:crypto';

export type TokenCheck =
  { valid: true; expiresAt: number } | { valid: false; reason: 'malformed' | 'forged' | 'expired' };

const VERSION = 'v1';

function sign(secret: Buffer, payload: string): Buffer {
  return createHmac('sha256', secret).update(`${VERSION}.${payload}`).digest();
}

/**
 * A viewer token: "v1.<expiry in epoch seconds>.<HMAC-SHA256 of both>", URL-safe so it fits
 * `/video_feed?token=...` in an <img>. It proves the server issued it and until when; it holds
 * nothing secret, and is checked in constant time.
 */
export function issueStreamToken(secret: Buffer, expiresAtMs: number): string {
  const payload = String(Math.floor(expiresAtMs / 1000));
  return `${VERSION}.${payload}.${sign(secret, payload).toString('base64url')}`;
}

export function checkStreamToken(secret: Buffer, token: string, nowMs: number): TokenCheck {
  const match = /^v1\.(\d{1,12})\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (match === null) return { valid: false, reason: 'malformed' };
  const [, payload, signature] = match;
  const given = Buffer.from(signature, 'base64url');
  const expected = sign(secret, payload);
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return { valid: false, reason: 'forged' };
  const expiresAt = Number(payload) * 1000;
  if (expiresAt <= nowMs) return { valid: false, reason: 'expired' };
  return { valid: true, expiresAt };
}
