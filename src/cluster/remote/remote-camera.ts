import type { LoggerService } from '@nestjs/common';
import { FrameProducer } from '../../camera/producer/frame-producer';
import type { Camera, CameraControl, CameraOverview } from '../../cameras/camera';
import type { AnnouncedCamera, DirectoryCamera } from '../directory-state';
import { RemoteControl } from './remote-control';
import { RemoteFrameDriver } from './remote-frame.driver';
import { RemoteH264Stream } from './remote-h264-stream';
import type { RemoteLink } from './remote-link';

/**
 * A camera of another node, served by this one: viewers here subscribe to this node's own
 * producer, fed from the bus once for all of them (see RemoteFrameDriver), and the API's calls go
 * to the camera's node (see RemoteControl). While its node is gone, the camera stays for the
 * viewers already watching, who see "no signal" until it is back.
 */
export class RemoteCamera implements Camera {
  readonly local = false;
  readonly producer: FrameProducer;
  readonly h264: RemoteH264Stream;
  readonly control: CameraControl;
  private readonly driver: RemoteFrameDriver;
  /** What the directory said of the camera last (kept while its node is gone). */
  private known: DirectoryCamera;
  private left: number | undefined;

  constructor(
    readonly link: RemoteLink,
    entry: DirectoryCamera,
    stallTimeoutMs: number,
    logger: LoggerService,
    /** The directory's latest word on the camera (its state changes every heartbeat). */
    private readonly latest: () => DirectoryCamera | undefined,
  ) {
    this.known = entry;
    this.driver = new RemoteFrameDriver(link);
    this.producer = new FrameProducer({
      driver: this.driver,
      settings: entry.camera.settings,
      // The camera's node keeps it running for CAMERA_IDLE_TIMEOUT after the last viewer
      // anywhere: this node lets go of the bus at once.
      idleTimeoutMs: 0,
      stallTimeoutMs,
      logger,
    });
    this.h264 = new RemoteH264Stream(link, () => this.announced.h264);
    this.control = new RemoteControl(link, this.producer, () => this.node);
    link.viewers = () => this.producer.consumerCount + this.h264.viewerCount;
  }

  get id(): string {
    return this.known.camera.id;
  }

  get name(): string {
    return this.known.camera.name;
  }

  /** As announced now: a camera node's reload may change it without a change to the directory. */
  get maxClients(): number | undefined {
    return this.announced.maxClients ?? undefined;
  }

  /** The node that has (or last had) the camera. */
  get node(): string {
    return this.known.node;
  }

  /** Whether the camera's node is in the cluster now. */
  get present(): boolean {
    return this.link.owner !== undefined;
  }

  /** Frames that lost a piece on the way here. */
  get framesLost(): number {
    return this.driver.dropped;
  }

  /** Whether anyone on this node uses it (viewers of either kind, a snapshot). */
  get inUse(): boolean {
    return this.producer.consumerCount > 0 || this.h264.viewerCount > 0;
  }

  /** When the camera's node left the cluster (undefined while it is in). */
  get leftAt(): number | undefined {
    return this.left;
  }

  /** The directory's word: the camera's node now, or undefined while it is gone. */
  update(entry: DirectoryCamera | undefined, conflict: readonly string[]): void {
    if (entry !== undefined) this.known = entry;
    // Claimed by two nodes is not gone: it is listed (as a conflict) until one is renamed.
    const gone = entry === undefined && conflict.length === 0;
    if (!gone) this.left = undefined;
    else this.left ??= Date.now();
    this.link.update(entry, conflict);
  }

  /** The camera as its node announced it last. */
  private get announced(): AnnouncedCamera {
    return (this.latest() ?? this.known).camera;
  }

  /**
   * Every heartbeat: this node's copy follows the camera's rate and size (what its stall watchdog
   * and "no signal" picture go by). A change restarts the subscription, as rare as the change.
   */
  follow(): void {
    const { framerate, width, height } = this.announced.settings;
    const current = this.producer.currentSettings;
    if (framerate === current.framerate && width === current.width && height === current.height)
      return;
    this.producer.applySettings(this.announced.settings);
  }

  /** As its node announced it, while it can be reached. */
  overview(): CameraOverview {
    const announced = this.announced;
    if (this.link.unreachable === undefined) {
      const { driver, state, running, clients, frameSize, lastError } = announced;
      return { driver, state, running, clients, frameSize, lastError };
    }
    // Gone, claimed twice, or off the bus: as this node's viewers see it, and why.
    return {
      driver: announced.driver,
      state: 'retrying',
      running: false,
      clients: this.producer.consumerCount + this.h264.viewerCount,
      frameSize: announced.frameSize,
      lastError: this.link.unreachable ?? null,
    };
  }

  async destroy(): Promise<void> {
    await this.h264.destroy();
    await this.producer.destroy();
    this.link.close();
  }
}
