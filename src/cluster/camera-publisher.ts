import type { LoggerService } from '@nestjs/common';
import type { Msg } from '@nats-io/nats-core';
import { randomInt } from 'node:crypto';
import { Gop } from '../camera/h264/h264-fanout';
import type { Frame } from '../camera/producer/frame';
import type { FrameWaiter } from '../camera/producer/frame-hub';
import { UpdateCameraSettingsDto } from '../camera/settings/update-camera-settings.dto';
import type { Camera, CameraControl, RemoteAudience } from '../cameras/camera';
import { AppValidationPipe } from '../common/validation/app-validation.pipe';
import type { AccessUnit } from '../h264/avc';
import type { BusSubscription, ClusterBus } from './cluster-bus.service';
import type { CameraSubjects } from './cluster-subjects';
import { type ControlReply, parseControlRequest, replyForError } from './control-messages';
import { parseDemand } from './demand';
import { MISSED_HEARTBEATS } from './directory-state';
import { PIECE_KINDS, type PieceKind, splitIntoPieces } from './frame-pieces';

/**
 * Frames published but not yet taken by the NATS server. A link slower than the camera skips
 * frames here, as a slow viewer does: the next one sent is the newest, never a backlog.
 */
const JPEG_IN_FLIGHT = 2;
/** H.264 cannot skip a picture; past this many in flight it skips to the next keyframe. */
const H264_IN_FLIGHT = 8;
/**
 * Nodes that may want one camera at once: far beyond any cluster, a bound on what senders on the
 * bus can make a camera node keep (each demand names its own instance).
 */
const MOST_DEMANDING_NODES = 1024;

interface Demand {
  readonly node: string;
  readonly mjpeg: boolean;
  readonly h264: boolean;
  readonly viewers: number;
  readonly expiresAt: number;
}

interface SequencedUnit {
  readonly seq: number;
  readonly keyframe: boolean;
  readonly data: Buffer;
  readonly timestampMs: number;
}

/** What one camera has sent over the bus, for metrics. */
export interface PublisherCounters {
  framesPublished: number;
  framesSkipped: number;
  h264Published: number;
  h264Skipped: number;
  bytesPublished: number;
  requests: number;
}

const decoder = new TextDecoder();
const parseJson = (data: Uint8Array): unknown => {
  try {
    return JSON.parse(decoder.decode(data)) as unknown;
  } catch {
    return undefined;
  }
};

/** What a publisher needs of its camera: its frames, its H.264 and its control. */
export type PublishedCamera = Pick<Camera, 'producer' | 'h264'> & CameraControl;

const definedOnly = (value: object): Record<string, unknown> =>
  Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined));

/**
 * One camera of this node, shared with the cluster. Nodes whose viewers watch it say so on its
 * demand subject every heartbeat; while any does, this publisher is one more consumer of the
 * camera (so it runs, and idle-stops CAMERA_IDLE_TIMEOUT after the last demand anywhere ends) and
 * puts each frame on the bus once, whatever the number of nodes and viewers. H.264 likewise, from
 * the camera's one encoder. It also carries out the control requests other nodes send for this
 * camera, through the camera's own control: the same checks, the same answers.
 */
export class CameraPublisher {
  readonly counters: PublisherCounters = {
    framesPublished: 0,
    framesSkipped: 0,
    h264Published: 0,
    h264Skipped: 0,
    bytesPublished: 0,
    requests: 0,
  };
  private readonly epoch = randomInt(0, 2 ** 32);
  private readonly demand = new Map<string, Demand>();
  private subscriptions: BusSubscription[] = [];
  private stopWatchingBus: (() => void) | undefined;
  private waiter: FrameWaiter | undefined;
  private jpegInFlight = 0;
  private h264: { close(): void } | undefined;
  private h264Seq = 0;
  private h264InFlight = 0;
  private needKeyframe = false;
  /** A GOP handed over in one go (to a joining node): one burst, flushed once. */
  private replaying = false;
  private readonly gop = new Gop<SequencedUnit>();
  private readonly validation = new AppValidationPipe();
  private stopped = false;

  constructor(
    private readonly camera: PublishedCamera,
    private readonly bus: ClusterBus,
    private readonly subjects: CameraSubjects,
    private readonly logger: LoggerService,
  ) {}

  /** Nodes that want this camera's frames now. */
  get demanders(): number {
    return this.demand.size;
  }

  /** The viewers of the nodes that want it, and this publisher's own hold on the camera. */
  audience(): RemoteAudience {
    let viewers = 0;
    for (const demand of this.demand.values()) viewers += demand.viewers;
    return {
      viewers,
      carriers: (this.waiter === undefined ? 0 : 1) + (this.h264 === undefined ? 0 : 1),
    };
  }

  start(): void {
    this.subscriptions = [
      this.bus.subscribe(this.subjects.demand, (message) => this.onDemand(message)),
      this.bus.subscribe(this.subjects.rpc, (message) => void this.onRequest(message)),
    ];
    this.stopWatchingBus = this.bus.onChange((up) => {
      if (up) this.armJpeg();
    });
  }

  stop(): void {
    this.stopped = true;
    this.stopWatchingBus?.();
    for (const subscription of this.subscriptions) subscription.unsubscribe();
    this.subscriptions = [];
    this.demand.clear();
    this.reconcile();
  }

  /** Forgets nodes whose demand was not renewed (they died, or lost the bus). */
  sweep(now: number): void {
    let changed = false;
    for (const [instance, demand] of this.demand) {
      if (demand.expiresAt > now) continue;
      this.demand.delete(instance);
      changed = true;
    }
    if (changed) this.reconcile();
  }

  private onDemand(message: Msg): void {
    const demand = parseDemand(parseJson(message.data));
    if (demand === undefined || this.stopped) return;
    const before = this.demand.get(demand.instance);
    if (!demand.mjpeg && !demand.h264) {
      this.demand.delete(demand.instance);
    } else if (before === undefined && this.demand.size >= MOST_DEMANDING_NODES) {
      return;
    } else {
      this.demand.set(demand.instance, {
        node: demand.node,
        mjpeg: demand.mjpeg,
        h264: demand.h264,
        viewers: demand.viewers,
        expiresAt: Date.now() + MISSED_HEARTBEATS * demand.heartbeatMs + 250,
      });
    }
    const h264Running = this.h264 !== undefined;
    this.reconcile();
    // A node that starts taking H.264 needs a keyframe: the GOP again. A stream that starts now
    // hands its own GOP over by itself.
    if (demand.h264 && h264Running && before?.h264 !== true) this.replayGop();
  }

  private reconcile(): void {
    let mjpeg = false;
    let h264 = false;
    for (const demand of this.demand.values()) {
      mjpeg ||= demand.mjpeg;
      h264 ||= demand.h264;
    }
    if (mjpeg && this.waiter === undefined) {
      this.waiter = this.camera.producer.subscribe();
      this.armJpeg();
    } else if (!mjpeg && this.waiter !== undefined) {
      this.waiter.close();
      this.waiter = undefined;
    }
    if (h264 && this.h264 === undefined) {
      this.needKeyframe = false;
      this.gop.clear();
      // The stream hands over its GOP at once, inside subscribe(): a burst, not a backlog.
      this.replaying = true;
      try {
        this.h264 = this.camera.h264.subscribe({ deliver: (unit) => this.sendUnit(unit) });
      } finally {
        this.replaying = false;
      }
      this.flushH264();
    } else if (!h264 && this.h264 !== undefined) {
      this.h264.close();
      this.h264 = undefined;
      this.gop.clear();
    }
  }

  private armJpeg(): void {
    const waiter = this.waiter;
    if (waiter === undefined || waiter.isArmed || this.jpegInFlight >= JPEG_IN_FLIGHT) return;
    if (!this.bus.connected) return;
    waiter.arm((frame) => this.sendFrame(frame));
  }

  private sendFrame(frame: Frame): void {
    const kind = frame.live ? PIECE_KINDS.jpeg : PIECE_KINDS.placeholder;
    if (!this.publish(this.subjects.jpeg, kind, frame.seq, frame, frame.jpeg)) {
      this.counters.framesSkipped += 1;
      return; // the bus is down: armed again when it is up
    }
    this.counters.framesPublished += 1;
    this.jpegInFlight += 1;
    void this.bus
      .flush()
      .catch(() => undefined)
      .finally(() => {
        this.jpegInFlight -= 1;
        this.armJpeg();
      });
    this.armJpeg();
  }

  private sendUnit(unit: AccessUnit): void {
    const seq = (this.h264Seq = (this.h264Seq + 1) >>> 0);
    if (!unit.keyframe && this.needKeyframe) {
      this.counters.h264Skipped += 1;
      return;
    }
    if (!this.bus.connected || (!this.replaying && this.h264InFlight >= H264_IN_FLIGHT)) {
      // Nodes see the gap in the sequence and wait for the next keyframe, as this does.
      this.needKeyframe = true;
      this.gop.clear();
      this.counters.h264Skipped += 1;
      return;
    }
    this.needKeyframe = false;
    const sequenced: SequencedUnit = {
      seq,
      keyframe: unit.keyframe,
      data: unit.data,
      timestampMs: unit.timestampMs,
    };
    this.gop.add(sequenced);
    if (!this.publishUnit(sequenced)) return;
    this.counters.h264Published += 1;
    if (!this.replaying) this.flushH264();
  }

  private flushH264(): void {
    this.h264InFlight += 1;
    void this.bus
      .flush()
      .catch(() => undefined)
      .finally(() => (this.h264InFlight -= 1));
  }

  /** The GOP again, under its own sequence numbers: nodes that have them drop them. */
  private replayGop(): void {
    for (const unit of this.gop.units) if (!this.publishUnit(unit)) break;
    this.flushH264();
  }

  private publishUnit(unit: SequencedUnit): boolean {
    const kind = unit.keyframe ? PIECE_KINDS.h264Keyframe : PIECE_KINDS.h264;
    const meta = { capturedAt: unit.timestampMs, width: 0, height: 0 };
    return this.publish(this.subjects.h264, kind, unit.seq, meta, unit.data);
  }

  private publish(
    subject: string,
    kind: PieceKind,
    seq: number,
    meta: { capturedAt: number; width: number; height: number },
    data: Buffer,
  ): boolean {
    const pieces = splitIntoPieces(
      { kind, epoch: this.epoch, seq, ...meta },
      data,
      this.bus.maxPayload,
    );
    for (const piece of pieces) {
      if (!this.bus.publish(subject, piece)) return false;
      this.counters.bytesPublished += piece.length;
    }
    return true;
  }

  /** A control request of another node: answered in pieces, then an empty message. */
  private async onRequest(message: Msg): Promise<void> {
    const reply = message.reply;
    if (reply === undefined || this.stopped) return;
    this.counters.requests += 1;
    let pieces: Buffer[];
    try {
      const answer = await this.answer(parseControlRequest(parseJson(message.data)));
      pieces =
        'jpeg' in answer
          ? splitIntoPieces(
              {
                kind: PIECE_KINDS.jpeg,
                epoch: this.epoch,
                seq: answer.frame.seq,
                capturedAt: answer.frame.capturedAt,
                width: answer.frame.width,
                height: answer.frame.height,
              },
              answer.jpeg,
              this.bus.maxPayload,
            )
          : this.jsonPieces(answer);
    } catch (error) {
      const answer = replyForError(error);
      if (answer.status >= 500 && !(error instanceof Error && 'status' in error)) {
        this.logger.error(
          `A control request from another node failed: ${(error as Error).message}`,
        );
      }
      pieces = this.jsonPieces(answer);
    }
    for (const piece of pieces) this.bus.publish(reply, piece);
    this.bus.publish(reply, new Uint8Array(0));
  }

  private jsonPieces(answer: ControlReply): Buffer[] {
    return splitIntoPieces(
      { kind: PIECE_KINDS.json, epoch: this.epoch, seq: 0, capturedAt: 0, width: 0, height: 0 },
      Buffer.from(JSON.stringify(answer)),
      this.bus.maxPayload,
    );
  }

  private async answer(
    request: ReturnType<typeof parseControlRequest>,
  ): Promise<ControlReply | { jpeg: Buffer; frame: Frame }> {
    const camera = this.camera;
    const ok = (body: unknown): ControlReply => ({ status: 200, body });
    switch (request?.op) {
      case 'status':
        return ok(await camera.status());
      case 'settings':
        return ok(await camera.settings());
      case 'capabilities':
        return ok(await camera.capabilities());
      case 'irLed':
        return ok(await camera.irLedState());
      case 'changeIrLed':
        return ok(await camera.changeIrLed(request.change));
      case 'updateSettings': {
        // Checked again here: the bus carries what any node sends, and this is the camera's node.
        const dto = (await this.validation.transform(request.body, {
          type: 'body',
          metatype: UpdateCameraSettingsDto,
        })) as UpdateCameraSettingsDto;
        return ok(await camera.updateSettings(definedOnly(dto)));
      }
      case 'snapshot': {
        const frame = await camera.snapshot(request.timeoutMs);
        return { jpeg: frame.jpeg, frame };
      }
      case undefined:
        return { status: 400, body: { statusCode: 400, message: 'not a camfeed control request' } };
    }
  }
}
