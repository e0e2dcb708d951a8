/**
 * CORS_ORIGINS: `*`, or origins separated by commas or spaces (`https://mainsail.local,
 * http://192.168.1.20:8080`). Each must be an origin exactly as browsers send it: scheme, host
 * and port only, no path, no trailing slash.
 */
export type CorsOrigins = '*' | readonly string[];

export function parseCorsOrigins(value: string): CorsOrigins | undefined {
  const items = value
    .split(/[\s,]+/)
    .map((item) => item.trim())
    .filter(Boolean);
  if (items.length === 0) return [];
  if (items.length === 1 && items[0] === '*') return '*';
  const origins: string[] = [];
  for (const item of items) {
    let url: URL;
    try {
      url = new URL(item);
    } catch {
      return undefined;
    }
    if (!['http:', 'https:'].includes(url.protocol) || url.origin !== item) return undefined;
    origins.push(url.origin);
  }
  return origins;
}

/** Whether a request from `origin` may read the response. */
export function originAllowed(allowed: CorsOrigins, origin: string): boolean {
  return allowed === '*' ? true : allowed.includes(origin);
}
