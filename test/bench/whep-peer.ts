import { PeerConnection, Video, type Track } from 'node-datachannel';
import type { WhepClientStats, WhepReply } from '../utils/whep-client';

export type { WhepClientStats, WhepReply } from '../utils/whep-client';

/**
 * The bench's WHEP player, in the bench's own process so that each RTP packet can be timed as it
 * arrives (test/utils/whep-client.ts runs players in child processes for the e2e tests instead).
 * A WHEP player written against the RFC alone: HTTP and SDP, a receive-only H.264 peer
 * connection (node-datachannel on this side too), no camfeed code. It counts the RTP packets of
 * the SSRC the answer announces.
 */
export class WhepClient {
  readonly stats: WhepClientStats = {
    packets: 0,
    strayPackets: 0,
    bytes: 0,
    pictures: 0,
    firstPacketAt: 0,
  };
  private readonly pc: PeerConnection;
  private readonly track: Track;
  private ssrc: number | undefined;
  state = 'new';
  /** The session's resource, from the answer's Location. */
  location: string | undefined;
  /** Called with each RTP packet of the announced SSRC, as it arrives (the benchmark decodes them). */
  onRtp: ((packet: Buffer) => void) | undefined;

  constructor(private readonly endpoint: string) {
    this.pc = new PeerConnection('whep-test-client', {
      iceServers: [],
      // Tests stay on 127.0.0.1.
      bindAddress: '127.0.0.1',
    });
    const video = new Video('0', 'RecvOnly');
    video.addH264Codec(
      102,
      'profile-level-id=42e01f;packetization-mode=1;level-asymmetry-allowed=1',
    );
    this.track = this.pc.addTrack(video);
    this.track.onMessage((message: Buffer) => this.onPacket(message));
    this.pc.onStateChange((state: string) => {
      this.state = state;
    });
  }

  /** Posts the offer; resolves with the server's reply (and applies the answer if it is 201). */
  async connect(headers: Record<string, string> = {}): Promise<WhepReply> {
    const gathered = new Promise<void>((resolve) => {
      this.pc.onGatheringStateChange((state: string) => {
        if (state === 'complete') resolve();
      });
    });
    this.pc.setLocalDescription();
    await gathered;
    const offer = this.pc.localDescription();
    if (offer === null) throw new Error('no offer');
    const response = await fetch(this.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/sdp', ...headers },
      body: offer.sdp,
    });
    const body = await response.text();
    if (response.status === 201) {
      this.ssrc = Number(/^a=ssrc:(\d+)/m.exec(body)?.[1]);
      this.location = new URL(response.headers.get('location') ?? '', this.endpoint).toString();
      this.pc.setRemoteDescription(body, 'answer');
    }
    return { status: response.status, headers: response.headers, body };
  }

  /** Ends the session as a player does: DELETE of its resource, then closing its side. */
  async disconnect(headers: Record<string, string> = {}): Promise<number> {
    const status =
      this.location === undefined
        ? 0
        : (await fetch(this.location, { method: 'DELETE', headers })).status;
    this.close();
    return status;
  }

  close(): void {
    try {
      this.track.close();
      this.pc.close();
    } catch {
      // Already closed.
    }
  }

  private onPacket(packet: Buffer): void {
    if (packet.length < 12 || packet[0] >> 6 !== 2) return;
    const payloadType = packet[1] & 0x7f;
    // RTCP (sender reports) shares the port: payload types 72–79 in this position.
    if (payloadType >= 72 && payloadType <= 79) return;
    const ssrc = packet.readUInt32BE(8);
    if (ssrc !== this.ssrc) {
      this.stats.strayPackets += 1;
      return;
    }
    if (this.stats.firstPacketAt === 0) this.stats.firstPacketAt = Date.now();
    this.stats.packets += 1;
    this.stats.bytes += packet.length;
    if ((packet[1] & 0x80) !== 0) this.stats.pictures += 1;
    this.onRtp?.(packet);
  }
}
