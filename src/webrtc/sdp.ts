/*
 * The little of SDP camfeed needs as a WHEP server: which of the offer's H.264 formats to send,
 * and the address to advertise when the server sits behind NAT or in a container.
 */

export interface H264Choice {
  /** The media id of the offer's video section, which the answer's track must carry. */
  readonly mid: string;
  readonly payloadType: number;
  readonly profileLevelId: string;
}

interface Format {
  readonly payloadType: number;
  readonly fmtp: Record<string, string>;
}

function videoSection(offer: string): string | undefined {
  const sections = offer.split(/\r?\n(?=m=)/);
  return sections.find((section) => section.startsWith('m=video'));
}

/**
 * The H.264 format to answer with: packetization-mode 1 (what the packetizer sends), preferably
 * Constrained Baseline (42e0xx, what every browser decodes in hardware too), else any baseline or
 * main profile. Undefined if the offer has no video or no usable H.264 (Firefox without its
 * OpenH264 plugin offers only VP8/VP9/AV1).
 */
export function chooseH264(offer: string): H264Choice | undefined {
  const section = videoSection(offer);
  if (section === undefined) return undefined;
  const mid = /^a=mid:(\S+)/m.exec(section)?.[1];
  if (mid === undefined) return undefined;
  if (/^a=(inactive|sendonly)\s*$/m.test(section)) return undefined;
  const h264 = [...section.matchAll(/^a=rtpmap:(\d+) H264\/90000/gim)].map((match) =>
    Number(match[1]),
  );
  const formats: Format[] = h264.map((payloadType) => {
    const line = new RegExp(`^a=fmtp:${payloadType} (.*)$`, 'm').exec(section)?.[1] ?? '';
    const fmtp = Object.fromEntries(
      line
        .split(';')
        .map((pair) => pair.trim().split('='))
        .filter((pair) => pair.length === 2)
        .map(([key, value]) => [key.toLowerCase(), value.trim()]),
    );
    return { payloadType, fmtp };
  });
  const usable = formats.filter((format) => format.fmtp['packetization-mode'] === '1');
  const rank = (format: Format): number => {
    const profile = (format.fmtp['profile-level-id'] ?? '').toLowerCase();
    if (profile.startsWith('42e0')) return 0;
    if (profile.startsWith('42')) return 1;
    if (profile.startsWith('4d')) return 2;
    return 3;
  };
  const best = [...usable].sort((a, b) => rank(a) - rank(b))[0];
  if (best === undefined) return undefined;
  return {
    mid,
    payloadType: best.payloadType,
    profileLevelId: best.fmtp['profile-level-id'] ?? '42e01f',
  };
}

/**
 * The answer with an extra host candidate at `address` for each of its UDP host candidates, same
 * port: what a viewer outside the NAT or the container can reach (WEBRTC_PUBLIC_IP, with the
 * ports forwarded). The server's own candidates stay, for viewers on the same network.
 */
export function advertiseAddress(sdp: string, address: string): string {
  const lines = sdp.split(/\r?\n/);
  const out: string[] = [];
  let foundation = 9000;
  for (const line of lines) {
    out.push(line);
    const candidate = /^a=candidate:\S+ (\d+) udp (\d+) (\S+) (\d+) typ host/i.exec(line);
    if (candidate === null || candidate[3] === address) continue;
    const [, component, priority, , port] = candidate;
    out.push(
      `a=candidate:${foundation++} ${component} udp ${Math.max(1, Number(priority) - 1)} ${address} ${port} typ host`,
    );
  }
  return out.join('\r\n');
}

/** The ICE username fragment and password of an SDP (for trickle ICE, and tests). */
export function iceCredentials(sdp: string): { ufrag?: string; pwd?: string } {
  return {
    ufrag: /^a=ice-ufrag:(\S+)/m.exec(sdp)?.[1],
    pwd: /^a=ice-pwd:(\S+)/m.exec(sdp)?.[1],
  };
}

/** A trickle ICE fragment (RFC 8840, application/trickle-ice-sdpfrag), as a WHEP PATCH sends it. */
export interface SdpFragment {
  readonly ufrag?: string;
  readonly pwd?: string;
  /** `a=candidate:` lines without the `a=`, each with the mid of its media section. */
  readonly candidates: readonly { readonly mid: string; readonly candidate: string }[];
}

/** The credentials and candidates of a trickle ICE fragment; `defaultMid` for lines before any m=. */
export function parseSdpFragment(fragment: string, defaultMid: string): SdpFragment {
  let ufrag: string | undefined;
  let pwd: string | undefined;
  let mid = defaultMid;
  const candidates: { mid: string; candidate: string }[] = [];
  for (const line of fragment.split(/\r?\n/)) {
    if (line.startsWith('a=ice-ufrag:')) ufrag = line.slice('a=ice-ufrag:'.length).trim();
    else if (line.startsWith('a=ice-pwd:')) pwd = line.slice('a=ice-pwd:'.length).trim();
    else if (line.startsWith('a=mid:')) mid = line.slice('a=mid:'.length).trim();
    else if (line.startsWith('a=candidate:'))
      candidates.push({ mid, candidate: line.slice(2).trim() });
  }
  return { ufrag, pwd, candidates };
}

/**
 * The offer with every media section but the chosen video one made inactive, so that the answer
 * declines them: players such as Mainsail's offer audio too (sendrecv), which camfeed has none of,
 * and an answer accepting it would promise a track that never comes. Sections keep their order,
 * as an answer must.
 */
export function onlyTheVideo(offer: string, mid: string): string {
  const eol = offer.includes('\r\n') ? '\r\n' : '\n';
  const [session, ...sections] = offer.split(/\r?\n(?=m=)/);
  const kept = sections.map((section) => {
    if (new RegExp(`^a=mid:${escape(mid)}\\s*$`, 'm').test(section)) return section;
    const lines = section.split(/\r?\n/);
    const direction = /^a=(sendrecv|sendonly|recvonly|inactive)\s*$/;
    const at = lines.findIndex((line) => direction.test(line));
    if (at >= 0) lines[at] = 'a=inactive';
    else
      lines.splice(
        lines[lines.length - 1] === '' ? lines.length - 1 : lines.length,
        0,
        'a=inactive',
      );
    return lines.join(eol);
  });
  return [session, ...kept].join(eol);
}

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
