import type { CameraStatusResponse } from '../../camera/producer/camera-status';
import type { Frame } from '../../camera/producer/frame';
import type { FrameProducer } from '../../camera/producer/frame-producer';
import type {
  CameraCapabilities,
  CameraSettings,
} from '../../camera/settings/camera-settings.model';
import type { CameraControl, IrLedChange } from '../../cameras/camera';
import { redactSecrets } from '../../common/redact-secrets';
import type { IrLedState } from '../../ir-led/ir-led';
import { BusUnavailableError } from '../cluster-bus.service';
import {
  type ControlReply,
  type ControlRequest,
  OwnerUnreachableError,
  RelayedError,
} from '../control-messages';
import { PIECE_KINDS, PieceAssembler, type Picture } from '../frame-pieces';
import type { RemoteLink } from './remote-link';

/**
 * How long an answer to a read (status, settings, capabilities, IR LEDs) is shared by the calls
 * that come meanwhile: pages poll the status every 2 s, and a thousand of them on edges must not
 * become a thousand requests to the camera's node.
 */
const READ_SHARED_MS = 1_000;
/** How long the camera's node has to answer a control request (a snapshot has its own time). */
const ANSWER_TIMEOUT_MS = 5_000;
/** Time for the answer to travel, on top of the snapshot's own timeout. */
const SNAPSHOT_MARGIN_MS = 2_000;

const isNoResponders = (error: unknown): boolean =>
  error instanceof Error && error.name === 'NoRespondersError';

/**
 * The control of another node's camera: each call is a request to that node, which carries it
 * out with its own camera's control and answers; the answer is given here as it was there (the
 * same status and JSON, a validation failure's messages included). The API token was checked by
 * this node, where the call arrived. A node that cannot be reached is a 503 that says so.
 */
export class RemoteControl implements CameraControl {
  private readonly reads = new Map<
    string,
    { readonly at: number; readonly answer: Promise<unknown> }
  >();

  constructor(
    private readonly link: RemoteLink,
    /** This node's own copy of the camera's frames, while its viewers watch. */
    private readonly producer: FrameProducer,
    /** The node that has (or last had) the camera, to name in errors. */
    private readonly node: () => string,
  ) {}

  async status(): Promise<CameraStatusResponse> {
    return (await this.read('status')) as CameraStatusResponse;
  }

  async settings(): Promise<CameraSettings> {
    return (await this.read('settings')) as CameraSettings;
  }

  async updateSettings(patch: Partial<CameraSettings>): Promise<CameraSettings> {
    return (await this.change({ op: 'updateSettings', body: patch })) as CameraSettings;
  }

  async capabilities(): Promise<CameraCapabilities> {
    return (await this.read('capabilities')) as CameraCapabilities;
  }

  async irLedState(): Promise<IrLedState> {
    return (await this.read('irLed')) as IrLedState;
  }

  async changeIrLed(change: IrLedChange): Promise<IrLedState> {
    return (await this.change({ op: 'changeIrLed', change })) as IrLedState;
  }

  /**
   * The frame this node already has if its viewers are watching (fresh, nothing to ask), else one
   * from the camera's node.
   */
  async snapshot(timeoutMs: number): Promise<Frame> {
    const latest = this.producer.latestFrame;
    if (this.producer.isRunning && latest?.live === true && this.producer.liveFrameAgeMs < 1000)
      return latest;
    const picture = await this.ask({ op: 'snapshot', timeoutMs }, timeoutMs + SNAPSHOT_MARGIN_MS);
    if (picture.kind !== PIECE_KINDS.jpeg) throw this.failure(picture);
    return {
      seq: picture.seq,
      jpeg: picture.data,
      capturedAt: picture.capturedAt,
      width: picture.width,
      height: picture.height,
      live: true,
    };
  }

  /** A read, shared with the same read of the last second (a failure is not kept). */
  private async read(op: 'status' | 'settings' | 'capabilities' | 'irLed'): Promise<unknown> {
    const now = Date.now();
    const shared = this.reads.get(op);
    if (shared !== undefined && now - shared.at < READ_SHARED_MS) return shared.answer;
    const answer = this.json({ op });
    this.reads.set(op, { at: now, answer });
    answer.catch(() => {
      if (this.reads.get(op)?.answer === answer) this.reads.delete(op);
    });
    return answer;
  }

  /** A change: what was read before it is read again. */
  private async change(request: ControlRequest): Promise<unknown> {
    this.reads.clear();
    try {
      return await this.json(request);
    } finally {
      this.reads.clear();
    }
  }

  private async json(request: ControlRequest): Promise<unknown> {
    const picture = await this.ask(request, ANSWER_TIMEOUT_MS);
    const reply = this.reply(picture);
    if (reply.status >= 400) throw new RelayedError(reply);
    return reply.body;
  }

  private reply(picture: Picture): ControlReply {
    const bad: ControlReply = {
      status: 502,
      body: {
        statusCode: 502,
        message: `The node of camera ${this.link.id} gave an answer that is none`,
      },
    };
    if (picture.kind !== PIECE_KINDS.json) return bad;
    try {
      const reply = JSON.parse(picture.data.toString('utf8')) as Partial<ControlReply>;
      return typeof reply.status === 'number' && reply.status >= 100 && reply.status < 600
        ? (reply as ControlReply)
        : bad;
    } catch {
      return bad;
    }
  }

  private failure(picture: Picture): Error {
    const reply = this.reply(picture);
    return new RelayedError(reply.status >= 400 ? reply : { status: 502, body: reply.body });
  }

  /** Sends `request` to the camera's node; its answer, joined from its pieces. */
  private async ask(request: ControlRequest, timeoutMs: number): Promise<Picture> {
    const { id } = this.link;
    const owner = this.link.owner;
    const subjects = this.link.subjects;
    const unreachable = this.link.unreachable;
    if (owner === undefined || subjects === undefined || unreachable !== undefined) {
      throw new OwnerUnreachableError(id, this.node(), unreachable ?? 'it is gone');
    }
    const assembler = new PieceAssembler();
    let answer: { readonly result: Picture | undefined; readonly replies: number };
    try {
      answer = await this.link.bus.requestFirst(
        subjects.rpc,
        JSON.stringify(request),
        timeoutMs,
        (data) => assembler.push(data),
      );
    } catch (error) {
      if (error instanceof BusUnavailableError)
        throw new OwnerUnreachableError(id, owner.node, error.message);
      if (isNoResponders(error))
        throw new OwnerUnreachableError(id, owner.node, 'nothing answers for the camera there');
      throw new OwnerUnreachableError(id, owner.node, redactSecrets((error as Error).message));
    }
    if (answer.result !== undefined) return answer.result;
    throw new OwnerUnreachableError(
      id,
      owner.node,
      answer.replies === 0
        ? `no answer within ${timeoutMs / 1000} s`
        : 'its answer did not arrive whole',
    );
  }
}
