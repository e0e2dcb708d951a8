/*
 * Masks camera credentials in text that leaves the process: log lines, lastError, /health,
 * /camera/status, the "no signal" picture. It is for error and log text only, never per frame.
 *
 * Two passes complement each other. The known secrets, taken from the configured source, are
 * masked wherever they appear, in every spelling a program may print them (as written,
 * percent-decoded, percent-encoded, as a Basic credential). The patterns then mask the userinfo of
 * any URL and the values of query parameters that usually hold credentials, for URLs the source
 * does not spell out: redirects, an ffmpeg that rewrites the URL, another process's output.
 *
 * User names are masked in those positions too (rtsp://***:***@host): /health may be public, and
 * a user name is half of a login. They are not masked as free text, unlike passwords: a user
 * name is usually a common word ("admin", "viewer") and masking every occurrence would garble
 * messages while hiding little.
 */

export const MASK = '***';

/** Text in, the same text with its secrets masked out. */
export type Redact = (text: string) => string;

/**
 * Below this length a known secret is masked only where the patterns find it: masking every
 * "1" or "ab" of a message would make it unreadable, and such a password is guessed anyway.
 */
const MIN_KNOWN_SECRET_LENGTH = 3;

/*
 * scheme://user[:password]@. The user ends at the first ":" and holds no "/?#@" (unencoded user
 * names never do), so a path is not taken for userinfo. The password runs to the last "@" of the
 * token: people do write "/", ":" and "@" unencoded in passwords, and ffmpeg prints them as
 * given. Over-masking a path that has an "@" after a port is the price of that.
 */
const URL_USERINFO = /\b([a-z][a-z\d+.-]*:\/\/)([^\s"'<>/?#@:]*)(?::([^\s"'<>]*))?@/gi;

/**
 * The configured source is one URL, so its password may be anything up to its last "@", even
 * spaces and quotes that end a URL in free text.
 */
const SOURCE_USERINFO = /^([a-z][a-z\d+.-]*:\/\/)([^/?#@:]*)(?::(.*))?@/is;

/*
 * name=value after "?", "&", ";" or a space. The value stops before "&", "#", a quote or space,
 * and before a ":" that ends the token (ffmpeg's "URL: Connection refused").
 */
const PARAMETER = /(^|[\s?&;])([\w.[\]-]+)=((?:[^&#\s"'<>:]|:(?!\s|$))*)/g;

/** Names IP cameras and streaming services use for logins, passwords, tokens and keys. */
const SECRET_PARAMETER = /pas|pwd|token|secret|key|auth|sig|cred|session|^pw?$/i;
const USER_PARAMETER = /^(user(name)?|usr|login\w*|u)$/i;

const isSensitive = (name: string): boolean =>
  SECRET_PARAMETER.test(name) || USER_PARAMETER.test(name);

function decodeOrSelf(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** The spellings of `secret` a program may print: as written, decoded, encoded (either hex case). */
function spellings(secret: string): string[] {
  const decoded = decodeOrSelf(secret);
  const encoded = encodeURIComponent(decoded);
  return [secret, decoded, encoded, encoded.replace(/%[\dA-F]{2}/g, (hex) => hex.toLowerCase())];
}

/**
 * The secrets held by a camera source: its URL password (the user name only inside the Basic
 * credential a client sends) and the values of credential-like query parameters other than user
 * names, in each spelling, longest first so that no part of a longer one survives.
 */
export function secretsOf(source: string | undefined): string[] {
  if (source === undefined || source === '') return [];
  const found = new Set<string>();
  const [, , user, password] = SOURCE_USERINFO.exec(source) ?? [];
  if (password !== undefined && password !== '') {
    for (const spelling of spellings(password)) found.add(spelling);
    const basic = `${decodeOrSelf(user ?? '')}:${decodeOrSelf(password)}`;
    found.add(Buffer.from(basic).toString('base64'));
  }
  for (const match of source.matchAll(PARAMETER)) {
    const [, , name, value] = match;
    if (value === '' || !SECRET_PARAMETER.test(name)) continue;
    for (const spelling of spellings(value)) found.add(spelling);
    // Form encoding writes a space as "+".
    found.add(decodeOrSelf(value.replace(/\+/g, ' ')));
  }
  return [...found]
    .filter((secret) => secret.length >= MIN_KNOWN_SECRET_LENGTH)
    .sort((a, b) => b.length - a.length);
}

/**
 * `text` with every known secret, every URL's user name and password, and every credential-like
 * query value replaced by `***`. `knownSecrets` must be ordered longest first, as `secretsOf`
 * returns them.
 */
export function redactSecrets(text: string, knownSecrets: readonly string[] = []): string {
  let safe = text;
  for (const secret of knownSecrets) {
    if (safe.includes(secret)) safe = safe.split(secret).join(MASK);
  }
  if (safe.includes('://')) {
    safe = safe.replace(
      URL_USERINFO,
      (match, scheme: string, user: string, password: string | undefined) =>
        user === '' && !password
          ? match
          : `${scheme}${user === '' ? '' : MASK}${password === undefined ? '' : `:${MASK}`}@`,
    );
  }
  if (safe.includes('=')) {
    safe = safe.replace(PARAMETER, (match, before: string, name: string, value: string) =>
      value !== '' && isSensitive(name) ? `${before}${name}=${MASK}` : match,
    );
  }
  return safe;
}

/** Masks what the patterns find, for text with no known secrets. */
export const redactUrls: Redact = (text) => redactSecrets(text);

/** The redaction for one camera, with the secrets of its configured source. */
export function createRedactor(source: string | undefined): Redact {
  const secrets = secretsOf(source);
  return (text) => redactSecrets(text, secrets);
}
