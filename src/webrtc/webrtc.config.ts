import { IsOptional } from 'class-validator';
import { isIP } from 'node:net';
import { ObjectCheck } from '../common/validation/object-check';
import { defineConfigSection, provide } from '../config/config-section';
import { EnvBoolean, EnvInt, EnvParsed } from '../config/env-decorators';

export class WebRtcConfig {
  /** WHEP and the page's WebRTC player; off = MJPEG only. */
  readonly enabled!: boolean;
  /** The address viewers outside a NAT or a container reach the server at, if not its own. */
  readonly publicIp?: string;
  /** STUN and TURN servers, only if configured: never a public server by default. */
  readonly iceServers!: readonly string[];
  /** The UDP ports peer connections may use (a firewall opens exactly these). */
  readonly portRange?: { readonly begin: number; readonly end: number };
  /** One UDP port for every viewer (ICE UDP mux), instead of a port per viewer. */
  readonly udpPort?: number;
}

const ICE_SERVER =
  /^(stuns?|turns?):(?:[^@\s]+@)?[^\s:@/?]+(?::\d{1,5})?(?:\?transport=(?:udp|tcp))?$/;

/** STUN/TURN URLs separated by commas; undefined if one is not such a URL. */
export function parseIceServers(value: string): string[] | undefined {
  const servers = value
    .split(',')
    .map((server) => server.trim())
    .filter(Boolean);
  return servers.every((server) => ICE_SERVER.test(server)) ? servers : undefined;
}

export class WebRtcEnv {
  @EnvBoolean()
  WEBRTC = true;

  @IsOptional()
  @EnvParsed(
    (value) => (isIP(value) !== 0 ? value : undefined),
    'the IP address viewers reach this server at, such as 203.0.113.7',
  )
  WEBRTC_PUBLIC_IP?: string;

  @IsOptional()
  @EnvParsed(
    parseIceServers,
    'STUN or TURN URLs separated by commas, such as stun:stun.example.net:3478 or turn:user:password@turn.example.net:3478',
  )
  WEBRTC_ICE_SERVERS?: string;

  @IsOptional()
  @EnvInt(1024, 65535)
  @ObjectCheck((env: WebRtcEnv) =>
    (env.WEBRTC_PORT_MIN === undefined) !== (env.WEBRTC_PORT_MAX === undefined)
      ? 'WEBRTC_PORT_MIN and WEBRTC_PORT_MAX must be set together'
      : env.WEBRTC_PORT_MIN !== undefined &&
          env.WEBRTC_PORT_MAX !== undefined &&
          env.WEBRTC_PORT_MIN > env.WEBRTC_PORT_MAX
        ? 'WEBRTC_PORT_MIN must not be above WEBRTC_PORT_MAX'
        : undefined,
  )
  WEBRTC_PORT_MIN?: number;

  @IsOptional()
  @EnvInt(1024, 65535)
  WEBRTC_PORT_MAX?: number;

  @IsOptional()
  @EnvInt(1024, 65535)
  WEBRTC_UDP_PORT?: number;
}

export const webRtcConfigSection = defineConfigSection({
  env: WebRtcEnv,
  // A TURN URL carries its password.
  secrets: ['WEBRTC_ICE_SERVERS'],
  provides: [
    provide(WebRtcConfig, (env: WebRtcEnv) => ({
      enabled: env.WEBRTC,
      publicIp: env.WEBRTC_PUBLIC_IP,
      iceServers:
        env.WEBRTC_ICE_SERVERS === undefined ? [] : (parseIceServers(env.WEBRTC_ICE_SERVERS) ?? []),
      portRange:
        env.WEBRTC_PORT_MIN !== undefined && env.WEBRTC_PORT_MAX !== undefined
          ? { begin: env.WEBRTC_PORT_MIN, end: env.WEBRTC_PORT_MAX }
          : undefined,
      udpPort: env.WEBRTC_UDP_PORT,
    })),
  ],
});
