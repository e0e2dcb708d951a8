import type { CameraDefinition } from '../camera/camera-definition';
import type { CameraRuntime } from '../camera/camera-runtime';
import type { H264Source } from '../camera/h264/h264-stream';
import type { CameraStatus, CameraStatusResponse } from '../camera/producer/camera-status';
import type { Frame } from '../camera/producer/frame';
import type { FrameProducer } from '../camera/producer/frame-producer';
import type { CameraCapabilities, CameraSettings } from '../camera/settings/camera-settings.model';
import type { IrLed, IrLedState } from '../ir-led/ir-led';
import type { IrLedMode } from '../ir-led/ir-led.constants';
import { NoFrameError } from './errors/no-frame.error';

/** What GET /cameras says of a camera's state. */
export type CameraOverview = Pick<
  CameraStatus,
  'driver' | 'state' | 'running' | 'clients' | 'frameSize' | 'lastError'
>;

/** A change of a camera's IR LEDs, as the API asks for it. */
export type IrLedChange =
  { readonly mode: IrLedMode } | { readonly on: boolean } | { readonly toggle: true };

/**
 * What the API does with a camera besides watching it: carried out here for a camera of this
 * node, by its own node for a camera of another node of a cluster, with the same answers.
 */
export interface CameraControl {
  status(): Promise<CameraStatusResponse>;
  settings(): Promise<CameraSettings>;
  /** Checks, saves and applies; rejects (changing nothing) with the reason. */
  updateSettings(patch: Partial<CameraSettings>): Promise<CameraSettings>;
  capabilities(): Promise<CameraCapabilities>;
  irLedState(): Promise<IrLedState>;
  changeIrLed(change: IrLedChange): Promise<IrLedState>;
  /** A fresh camera frame; rejects with NoFrameError if none comes within `timeoutMs`. */
  snapshot(timeoutMs: number): Promise<Frame>;
}

/**
 * One camera as viewers and the API meet it, wherever it is: its frames (shared by every viewer
 * through the producer's hub), its H.264, and its control.
 */
export interface Camera {
  readonly id: string;
  readonly name: string;
  /** Most viewers of this camera at once on this node; undefined = only MAX_CLIENTS. */
  readonly maxClients: number | undefined;
  /** The frames viewers on this node get: each one subscribes here. */
  readonly producer: FrameProducer;
  /** The H.264 WebRTC viewers on this node get. */
  readonly h264: H264Source;
  readonly control: CameraControl;
  /** Whether the camera is this node's own (always, without a cluster). */
  readonly local: boolean;
  overview(): CameraOverview;
  destroy(): Promise<void>;
}

/**
 * Who watches a camera of this node from other nodes of a cluster: their viewers, as those nodes
 * report them every heartbeat, and the consumers here that carry its frames to them (not viewers).
 */
export interface RemoteAudience {
  readonly viewers: number;
  readonly carriers: number;
}

/** A camera of this node: its runtime (driver, producer, settings, H.264) and its IR LEDs. */
export class LocalCamera implements Camera, CameraControl {
  readonly local = true;

  /** Set while the camera is shared with a cluster. */
  remoteAudience: (() => RemoteAudience) | undefined;

  constructor(
    readonly runtime: CameraRuntime,
    public irLed: IrLed,
  ) {}

  get id(): string {
    return this.runtime.definition.id;
  }

  get name(): string {
    return this.runtime.definition.name;
  }

  get definition(): CameraDefinition {
    return this.runtime.definition;
  }

  get maxClients(): number | undefined {
    return this.runtime.definition.maxClients;
  }

  get producer(): FrameProducer {
    return this.runtime.producer;
  }

  get h264(): H264Source {
    return this.runtime.h264;
  }

  get control(): CameraControl {
    return this;
  }

  overview(): CameraOverview {
    const { driver, state, running, clients, frameSize, lastError } = this.producer.status();
    return { driver, state, running, clients: this.clients(clients), frameSize, lastError };
  }

  async status(): Promise<CameraStatusResponse> {
    const status = this.runtime.status();
    return Promise.resolve({ ...status, clients: this.clients(status.clients) });
  }

  async settings(): Promise<CameraSettings> {
    return Promise.resolve(this.runtime.settings.settings);
  }

  async updateSettings(patch: Partial<CameraSettings>): Promise<CameraSettings> {
    return this.runtime.settings.update(patch);
  }

  async capabilities(): Promise<CameraCapabilities> {
    return this.runtime.settings.capabilities();
  }

  async irLedState(): Promise<IrLedState> {
    return Promise.resolve(this.irLed.state());
  }

  async changeIrLed(change: IrLedChange): Promise<IrLedState> {
    if ('toggle' in change) return this.irLed.toggle();
    if ('mode' in change) return this.irLed.setMode(change.mode);
    return this.irLed.setOn(change.on);
  }

  async snapshot(timeoutMs: number): Promise<Frame> {
    const frame = await this.producer.snapshot(timeoutMs);
    if (frame !== undefined) return frame;
    const { lastError, state } = this.producer.status();
    throw new NoFrameError(this.id, timeoutMs, state, lastError);
  }

  /**
   * Viewers, not consumers of frames: MJPEG viewers and snapshots waiting (`consumers`, less the
   * H.264 encoder's hold on the capture) and each WebRTC viewer. In a cluster every node's, less
   * the publisher that carries frames to them: the same figure on whichever node is asked.
   */
  private clients(consumers: number): number {
    const h264 = this.runtime.h264;
    const here = consumers - (h264.holdsCamera ? 1 : 0) + h264.viewerCount;
    const audience = this.remoteAudience?.();
    if (audience === undefined) return Math.max(0, here);
    return Math.max(0, here - audience.carriers) + audience.viewers;
  }

  async destroy(): Promise<void> {
    await this.irLed.destroy();
    await this.runtime.destroy();
  }
}
