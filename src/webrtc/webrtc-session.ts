import type { LoggerService } from '@nestjs/common';
import { randomBytes, randomInt } from 'node:crypto';
import type { H264Source, H264Viewer } from '../camera/h264/h264-stream';
import type { AccessUnit } from '../h264/avc';
import { type DataChannelLibrary, markUsed } from './datachannel';
import { readFeedback } from './rtcp';
import { type H264Choice, iceCredentials, onlyTheVideo, parseSdpFragment } from './sdp';

type PeerConnection = InstanceType<DataChannelLibrary['PeerConnection']>;
type Track = ReturnType<PeerConnection['addTrack']>;
type RtpConfig = InstanceType<DataChannelLibrary['RtpPacketizationConfig']>;

/** How many packets each viewer keeps to answer NACKs: about two seconds at 2.5 Mbit/s. */
const NACK_HISTORY = 512;
/** A viewer that has not connected in this long (a WHEP client that never did ICE) is closed. */
export const CONNECT_TIMEOUT_MS = 15_000;

export interface SessionCounters {
  bytesSent: number;
  keyframeRequests: number;
  nackedPackets: number;
  picturesSent: number;
  picturesSkipped: number;
}

export interface SessionOptions {
  readonly id: string;
  readonly cameraId: string;
  readonly remote: string;
  readonly library: DataChannelLibrary;
  readonly config: ConstructorParameters<DataChannelLibrary['PeerConnection']>[1];
  readonly choice: H264Choice;
  readonly stream: H264Source;
  readonly logger: LoggerService;
  /** The camera's totals, which this session adds to. */
  readonly counters: SessionCounters;
  readonly onClosed: (session: WebRtcSession) => void;
}

/**
 * One WebRTC viewer: a peer connection with one send-only H.264 track, fed with the camera's
 * shared H.264 stream. Packetizing is per viewer (each has its own SSRC, sequence numbers and
 * NACK history); encoding is shared. Ends when the viewer leaves (DELETE, ICE failure) or the
 * server stops, and logs one line.
 */
export class WebRtcSession implements H264Viewer {
  readonly openedAt = Date.now();
  readonly ssrc = randomInt(1, 0xffffffff);
  private readonly pc: PeerConnection;
  private readonly track: Track;
  private readonly rtp: RtpConfig;
  private subscription: { close(): void; resync(): void } | undefined;
  private firstTimestampMs: number | undefined;
  /** The last RTP timestamp sent (90 kHz, not wrapped): they only ever go forward. */
  private lastRtpTime = -1;
  private waitForKeyframe = true;
  private closed = false;
  private connectTimer: NodeJS.Timeout | undefined;
  private connectedAt = 0;
  /** The viewer's ICE username fragment, from its offer: a PATCH with another is an ICE restart. */
  private remoteUfrag: string | undefined;
  closeReason = 'viewer left';
  readonly counters: SessionCounters = {
    bytesSent: 0,
    keyframeRequests: 0,
    nackedPackets: 0,
    picturesSent: 0,
    picturesSkipped: 0,
  };

  constructor(private readonly options: SessionOptions) {
    const { library, choice } = options;
    this.pc = new library.PeerConnection(`camfeed-${options.id}`, options.config);
    markUsed();
    const video = new library.Video(choice.mid, 'SendOnly');
    video.addH264Codec(
      choice.payloadType,
      `profile-level-id=${choice.profileLevelId};packetization-mode=1;level-asymmetry-allowed=1`,
    );
    const cname = randomBytes(8).toString('hex');
    video.addSSRC(this.ssrc, cname, `camfeed-${options.cameraId}`, 'video');
    this.track = this.pc.addTrack(video);
    this.rtp = new library.RtpPacketizationConfig(this.ssrc, cname, choice.payloadType, 90_000);
    const packetizer = new library.H264RtpPacketizer('Length', this.rtp);
    packetizer.addToChain(new library.RtcpSrReporter(this.rtp));
    packetizer.addToChain(new library.RtcpNackResponder(NACK_HISTORY));
    this.track.setMediaHandler(packetizer);
    this.track.onMessage((message: Buffer) => this.onRtcp(message));
    this.track.onOpen(() => this.onOpen());
    this.track.onClosed(() => this.close('the track closed'));
    this.pc.onStateChange((state: string) => {
      if (state === 'failed') this.close('the connection failed (ICE or DTLS)');
      else if (state === 'closed') this.close(this.closeReason);
    });
    this.connectTimer = setTimeout(
      () => this.close(`not connected within ${CONNECT_TIMEOUT_MS / 1000} s`),
      CONNECT_TIMEOUT_MS,
    );
    this.connectTimer.unref();
  }

  get id(): string {
    return this.options.id;
  }

  get cameraId(): string {
    return this.options.cameraId;
  }

  get remote(): string {
    return this.options.remote;
  }

  /** Answers the viewer's offer: resolves with the SDP answer once ICE candidates are gathered. */
  async answer(offer: string, gatherMs = 2000): Promise<string> {
    // Host candidates come at once; a STUN or TURN server that is slow or unreachable would hold
    // the answer back (and the viewer's player times out): past `gatherMs` the answer goes with
    // the candidates gathered so far.
    let timer: NodeJS.Timeout | undefined;
    const gathered = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, gatherMs);
      this.pc.onGatheringStateChange((state: string) => {
        if (state === 'complete') resolve();
      });
    });
    this.remoteUfrag = iceCredentials(offer).ufrag;
    this.pc.setRemoteDescription(onlyTheVideo(offer, this.options.choice.mid), 'offer');
    await gathered;
    clearTimeout(timer);
    const local = this.pc.localDescription();
    if (local === null) throw new Error('no local description');
    if (!/^a=candidate:/m.test(local.sdp)) throw new Error('ICE gathering found no address');
    return local.sdp;
  }

  /**
   * The viewer's late ICE candidates (a WHEP PATCH, trickle ICE). False for an ICE restart (new
   * credentials), which camfeed does not do: the viewer posts a new offer instead.
   */
  trickle(fragment: string): boolean {
    const parsed = parseSdpFragment(fragment, this.options.choice.mid);
    if (parsed.ufrag !== undefined && parsed.ufrag !== this.remoteUfrag) return false;
    for (const { mid, candidate } of parsed.candidates) {
      try {
        this.pc.addRemoteCandidate(candidate, mid);
      } catch {
        // A candidate the library cannot use (mDNS name, other address family): ICE goes on without it.
      }
    }
    return true;
  }

  /** A new picture from the camera's H.264 stream. */
  deliver(unit: AccessUnit): void {
    if (this.closed || !this.track.isOpen()) return;
    if (this.waitForKeyframe && !unit.keyframe) {
      this.counters.picturesSkipped += 1;
      this.options.counters.picturesSkipped += 1;
      return;
    }
    this.waitForKeyframe = false;
    this.firstTimestampMs ??= unit.timestampMs;
    // Capture time on the 90 kHz clock, but never backwards: a GOP replayed after a PLI carries
    // older capture times, and goes out a tick apart, so the receiver decodes it at once.
    const rtpTime = Math.max(
      Math.round((unit.timestampMs - this.firstTimestampMs) * 90),
      this.lastRtpTime + 1,
    );
    this.lastRtpTime = rtpTime;
    this.rtp.timestamp = rtpTime % 2 ** 32;
    // Media leaves as UDP datagrams with no queue in the library: a viewer that cannot keep up
    // loses packets in its own socket buffer, never slows the sender, and asks for a keyframe (PLI).
    // A picture the transport refused leaves the decoder without a reference: wait for a keyframe.
    if (!this.track.sendMessageBinary(unit.data)) {
      this.waitForKeyframe = true;
      this.counters.picturesSkipped += 1;
      this.options.counters.picturesSkipped += 1;
      return;
    }
    this.counters.picturesSent += 1;
    this.counters.bytesSent += unit.data.length;
    this.options.counters.picturesSent += 1;
    this.options.counters.bytesSent += unit.data.length;
  }

  /** Ends the session (idempotent): the peer connection closes and its UDP port is freed. */
  close(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.closeReason = reason;
    if (this.connectTimer !== undefined) clearTimeout(this.connectTimer);
    this.subscription?.close();
    this.subscription = undefined;
    try {
      this.track.close();
      this.pc.close();
    } catch {
      // Already closed by the library.
    }
    this.options.onClosed(this);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** The moment the viewer connected, 0 before. */
  get connected(): number {
    return this.connectedAt;
  }

  private onOpen(): void {
    if (this.closed) return;
    this.connectedAt = Date.now();
    if (this.connectTimer !== undefined) clearTimeout(this.connectTimer);
    this.connectTimer = undefined;
    // The stream hands over its current GOP at once: a first picture without waiting for a keyframe.
    this.subscription = this.options.stream.subscribe(this);
  }

  private onRtcp(message: Buffer): void {
    const feedback = readFeedback(message);
    if (feedback.nackedPackets > 0) {
      this.counters.nackedPackets += feedback.nackedPackets;
      this.options.counters.nackedPackets += feedback.nackedPackets;
    }
    if (feedback.keyframeRequests === 0) return;
    this.counters.keyframeRequests += feedback.keyframeRequests;
    this.options.counters.keyframeRequests += feedback.keyframeRequests;
    // The viewer lost a picture: the current GOP again, from its keyframe (no waiting for the next).
    this.waitForKeyframe = true;
    this.subscription?.resync();
  }
}
