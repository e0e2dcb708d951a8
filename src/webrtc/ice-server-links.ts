/**
 * The Link headers (RFC 9725 §4.4) that tell a WHEP player which STUN and TURN servers to use:
 * the ones camfeed itself uses, from WEBRTC_ICE_SERVERS (`turn:user:password@host:port`). A TURN
 * server's credentials go to the viewer this way by design: a player cannot relay without them.
 */
export function iceServerLinks(servers: readonly string[]): string[] {
  return servers.map((server) => {
    const match = /^(stuns?|turns?):(?:([^@:]*)(?::([^@]*))?@)?(.+)$/.exec(server);
    if (match === null) return `<${server}>; rel="ice-server"`;
    const [, scheme, user, password, rest] = match;
    const link = `<${scheme}:${rest}>; rel="ice-server"`;
    if (user === undefined || !scheme.startsWith('turn')) return link;
    const quote = (value: string): string => JSON.stringify(decodeURIComponent(value));
    return `${link}; username=${quote(user)}; credential=${quote(password ?? '')}; credential-type="password"`;
  });
}
