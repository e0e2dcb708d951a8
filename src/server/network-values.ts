import { isIP } from 'node:net';

/*
 * Checks for the network variables, so that a value the server could not use is refused at
 * start with a message naming the variable, instead of failing later with a stack trace.
 */

/** An IP address, or a host name as RFC 1123 allows (labels of letters, digits and hyphens). */
export function isHostValue(value: string): boolean {
  if (isIP(value) !== 0) return true;
  if (value.length > 253) return false;
  return value.split('.').every((label) => /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i.test(label));
}

const PROXY_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** One trusted-proxy entry as Express (proxy-addr) takes it: a name, an address, or a subnet. */
function isProxyEntry(entry: string): boolean {
  if (PROXY_NAMES.has(entry) || isIP(entry) !== 0) return true;
  const slash = entry.indexOf('/');
  if (slash === -1) return false;
  const address = entry.slice(0, slash);
  const range = entry.slice(slash + 1);
  const family = isIP(address);
  if (family === 0) return false;
  if (/^\d{1,3}$/.test(range)) return Number(range) <= (family === 4 ? 32 : 128);
  // A netmask such as 255.255.255.0, for IPv4 subnets.
  return family === 4 && isIP(range) === 4;
}

/** TRUST_PROXY: true, false, a hop count, or a list of proxy names, addresses and subnets. */
export function parseTrustProxy(value: string): boolean | number | string | undefined {
  const trimmed = value.trim();
  if (trimmed === 'true') return true;
  if (trimmed === 'false') return false;
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const entries = trimmed.split(',').map((entry) => entry.trim());
  return entries.length > 0 && entries.every(isProxyEntry) ? entries.join(', ') : undefined;
}
