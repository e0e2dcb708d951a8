import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import type { Camera } from '../cameras/camera';
import { isIP } from 'node:net';
import { CameraRegistry } from '../cameras/camera-registry.service';
import { HttpConfig } from '../server/server.config';
import { DomainError } from '../common/errors/domain.error';
import { ViewerBudget, type ViewerSource } from '../stream/viewer-budget';
import { type DataChannelLibrary, loadDataChannel, releaseLibrary, retire } from './datachannel';
import { advertiseAddress, chooseH264 } from './sdp';
import { type SessionCounters, WebRtcSession } from './webrtc-session';
import { WebRtcConfig } from './webrtc.config';

/** WebRTC cannot be used on this server (off, or no library for this platform). */
export class WebRtcUnavailableError extends DomainError {
  readonly status = 503;
  constructor(reason: string) {
    super(`WebRTC is not available on this server: ${reason}; watch the MJPEG stream instead`, {
      reason,
    });
  }
}

/** The offer cannot be answered with H.264. */
export class UnusableOfferError extends DomainError {
  readonly status = 400;
}

/** MAX_CLIENTS (or the camera's maxClients) is reached. */
export class ViewerLimitError extends DomainError {
  readonly status = 503;
  override readonly headers = { 'Retry-After': '10' };
}

/** The camera's WebRTC totals, for metrics. */
export interface CameraWebRtcTotals extends SessionCounters {
  sessions: number;
}

const emptyTotals = (): CameraWebRtcTotals => ({
  sessions: 0,
  bytesSent: 0,
  keyframeRequests: 0,
  nackedPackets: 0,
  picturesSent: 0,
  picturesSkipped: 0,
});

/**
 * The WebRTC viewers of every camera, answered per WHEP (RFC 9725): each gets a peer connection
 * fed from its camera's one shared H.264 stream. The viewers count against MAX_CLIENTS with the
 * MJPEG ones. STUN and TURN are used only when configured.
 */
@Injectable()
export class WebRtcService implements ViewerSource, OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('WebRTC');
  private library: DataChannelLibrary | undefined;
  private unavailable: string | undefined;
  private readonly sessions = new Map<string, WebRtcSession>();
  private readonly totals = new Map<string, CameraWebRtcTotals>();
  private refusedCount = 0;
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly config: WebRtcConfig,
    private readonly registry: CameraRegistry,
    private readonly budget: ViewerBudget,
    private readonly http: HttpConfig,
  ) {
    budget.register(this);
  }

  onModuleInit(): void {
    if (!this.config.enabled) {
      this.unavailable = 'WEBRTC=false';
    } else {
      const { library, reason } = loadDataChannel();
      this.library = library;
      this.unavailable = reason;
      if (reason !== undefined) this.logger.warn(`WebRTC is off: ${reason}; MJPEG works as usual`);
    }
    this.unsubscribe = this.registry.onChange((event) => {
      if (event.kind !== 'removed') return;
      for (const session of [...this.sessions.values()])
        if (session.cameraId === event.camera.id) session.close('camera removed');
    });
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
    for (const session of [...this.sessions.values()]) session.close('server shutting down');
    // The library's threads (ICE, DTLS, SRTP) outlive the peer connections and would keep the
    // process alive; a later server in the same process starts them again.
    if (this.library !== undefined) releaseLibrary(this.library);
  }

  /** Why WebRTC cannot be used here, or undefined if it can. */
  get unavailableReason(): string | undefined {
    return this.unavailable;
  }

  get viewerCount(): number {
    return this.sessions.size;
  }

  viewerCountOf(cameraId: string): number {
    return this.totals.get(cameraId)?.sessions ?? 0;
  }

  get refused(): number {
    return this.refusedCount;
  }

  totalsOf(cameraId: string): CameraWebRtcTotals {
    return this.totals.get(cameraId) ?? emptyTotals();
  }

  /** The ICE servers (STUN, TURN) a WHEP answer advertises in its Link headers. */
  get iceServers(): readonly string[] {
    return this.config.iceServers;
  }

  /** Answers a viewer's WHEP offer; resolves with the session and the SDP answer. */
  async open(
    camera: Camera,
    offer: string,
    remote: string,
  ): Promise<{ session: WebRtcSession; answer: string }> {
    const library = this.library;
    if (library === undefined) throw new WebRtcUnavailableError(this.unavailable ?? 'not loaded');
    const h264 = camera.h264.status();
    if (h264.state === 'unavailable')
      throw new WebRtcUnavailableError(h264.lastError ?? 'this camera has no H.264 stream');
    const choice = chooseH264(offer);
    if (choice === undefined) {
      throw new UnusableOfferError(
        'The offer must receive video in H.264 with packetization-mode=1 (Firefox needs its OpenH264 plugin)',
      );
    }
    const refusal = this.budget.refusal(camera.id, camera.maxClients);
    if (refusal !== undefined) {
      this.refusedCount += 1;
      throw new ViewerLimitError(`${refusal}; try again in 10 s`);
    }
    const totals = this.totals.get(camera.id) ?? emptyTotals();
    this.totals.set(camera.id, totals);
    const id = randomBytes(12).toString('hex');
    const session = new WebRtcSession({
      id,
      cameraId: camera.id,
      remote,
      library,
      config: this.rtcConfig(),
      choice,
      stream: camera.h264,
      logger: this.logger,
      counters: totals,
      onClosed: (closed) => this.closed(closed),
    });
    this.sessions.set(id, session);
    totals.sessions += 1;
    try {
      const answer = await session.answer(offer);
      const advertised =
        this.config.publicIp === undefined
          ? answer
          : advertiseAddress(answer, this.config.publicIp);
      return { session, answer: advertised };
    } catch (error) {
      session.close(`could not answer: ${(error as Error).message}`);
      throw new UnusableOfferError(`The offer could not be answered: ${(error as Error).message}`);
    }
  }

  /** The session `id` of the camera, if it is open. */
  find(cameraId: string, id: string): WebRtcSession | undefined {
    const session = this.sessions.get(id);
    return session?.cameraId === cameraId ? session : undefined;
  }

  private rtcConfig(): ConstructorParameters<DataChannelLibrary['PeerConnection']>[1] {
    const { iceServers, portRange, udpPort } = this.config;
    // A server told to listen on one address (HOST=127.0.0.1, a LAN address) offers WebRTC there
    // only, as it does HTTP; a wildcard HOST offers every interface's address.
    const host = this.http.host;
    const bindAddress = isIP(host) !== 0 && host !== '0.0.0.0' && host !== '::' ? host : undefined;
    return {
      iceServers: [...iceServers],
      ...(bindAddress !== undefined ? { bindAddress } : {}),
      ...(udpPort !== undefined
        ? { enableIceUdpMux: true, portRangeBegin: udpPort, portRangeEnd: udpPort }
        : portRange !== undefined
          ? { portRangeBegin: portRange.begin, portRangeEnd: portRange.end }
          : {}),
    };
  }

  private closed(session: WebRtcSession): void {
    if (!this.sessions.delete(session.id)) return;
    retire(session);
    const totals = this.totals.get(session.cameraId);
    if (totals !== undefined) totals.sessions -= 1;
    const endedAt = Date.now();
    const { counters } = session;
    // The one access line of a WebRTC session, like an MJPEG viewer's.
    this.logger.log({
      msg:
        `webrtc ${session.remote} of ${session.cameraId} ended (${session.closeReason}): ` +
        `${counters.picturesSent} pictures, ${Math.round(counters.bytesSent / 1024)} KB sent, ` +
        `${counters.keyframeRequests} keyframe requests, ${counters.nackedPackets} NACKed, ` +
        `${((endedAt - session.openedAt) / 1000).toFixed(1)} s`,
      event: 'webrtc',
      camera: session.cameraId,
      remote: session.remote,
      session: session.id,
      startedAt: new Date(session.openedAt).toISOString(),
      endedAt: new Date(endedAt).toISOString(),
      durationMs: endedAt - session.openedAt,
      connected: session.connected > 0,
      ...counters,
      reason: session.closeReason,
    });
  }
}
