import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { CameraConfig } from '../camera/camera.config';
import { type CameraDefinition, needsRestart } from '../camera/camera-definition';
import { CameraFactory } from '../camera/camera.factory';
import { SerialQueue } from '../common/serial-queue';
import { IrLedConfig } from '../ir-led/ir-led.config';
import { IrLedFactory } from '../ir-led/ir-led.factory';
import { type Camera, LocalCamera } from './camera';
import { CamerasConfig } from './cameras.config';
import { CamerasFileError, readCamerasFile } from './cameras-file';
import { CameraNotFoundError } from './errors/camera-not-found.error';

export type CameraEvent =
  | { readonly kind: 'added'; readonly camera: Camera }
  | { readonly kind: 'changed'; readonly camera: Camera }
  | { readonly kind: 'removed'; readonly camera: Camera };

/**
 * The cameras of the other nodes of a cluster (cluster/, loaded only with NATS_URL): the registry
 * asks it for what it does not have itself.
 */
export interface RemoteCameraSource {
  /** The camera `id` of another node; throws if `id` cannot be served (claimed twice). */
  find(id: string): Camera | undefined;
  /** Every camera of the cluster, this node's `local` ones among them, in the cluster's order. */
  arrange(local: readonly Camera[]): Camera[];
  /** Which node has the camera, and the other nodes that claim its id too. */
  locate(camera: Camera): CameraLocation;
  /** Cameras whose node left the cluster, no longer listed but still watched here for a while. */
  departed(): Camera[];
}

export interface CameraLocation {
  readonly node: string;
  /** Nodes announcing a camera of the same id: never merged, each reported. */
  readonly conflict: readonly string[];
}

export interface ReloadResult {
  readonly added: string[];
  readonly removed: string[];
  readonly changed: string[];
  readonly unchanged: string[];
}

/** IR LEDs of a camera of the cameras file that gives it none. */
const NO_IR_LED_IN_FILE = 'the cameras file gives this camera no irLed';
/** IR LEDs of the CAMERA* camera when IR_LED_GPIO is not set. */
const NO_IR_LED_IN_ENVIRONMENT = 'IR_LED_GPIO is not set';

/**
 * The one place that knows how many cameras there are: those of CAMERAS_FILE, in file order, or
 * the single camera "default" of the CAMERA* variables. Controllers resolve `:id` here. On
 * SIGHUP (systemctl reload) or POST /cameras/reload the file is read again: added cameras appear,
 * removed ones end their viewers and release their device, changed ones restart, and unchanged
 * ones are not touched. A file that fails validation changes nothing.
 */
@Injectable()
export class CameraRegistry implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('Cameras');
  private cameras = new Map<string, LocalCamera>();
  private remote: RemoteCameraSource | undefined;
  private readonly listeners = new Set<(event: CameraEvent) => void>();
  private readonly closingListeners = new Set<() => void>();
  private readonly changes = new SerialQueue();
  private readonly onHangup = (): void => {
    void this.reload().catch((error: unknown) =>
      this.logger.error(`Reload on SIGHUP failed, nothing changed: ${(error as Error).message}`),
    );
  };

  constructor(
    private readonly config: CamerasConfig,
    private readonly cameraConfig: CameraConfig,
    private readonly irLedConfig: IrLedConfig,
    private readonly factory: CameraFactory,
    private readonly irLeds: IrLedFactory,
  ) {}

  async onModuleInit(): Promise<void> {
    const definitions = await this.definitions();
    for (const definition of definitions) await this.add(definition);
    this.logger.log(
      definitions.length === 0
        ? 'No cameras of its own: this server only serves the cameras of others'
        : `Cameras: ${definitions.map((d) => `${d.id} (${d.driver})`).join(', ')}`,
    );
    process.on('SIGHUP', this.onHangup);
  }

  async onModuleDestroy(): Promise<void> {
    process.off('SIGHUP', this.onHangup);
    // Before the cameras go: a cluster says it leaves, instead of announcing a node without them.
    for (const listener of this.closingListeners) listener();
    await this.changes.run(async () => {
      const all = [...this.cameras.values()];
      this.cameras = new Map();
      await Promise.all(all.map(async (camera) => camera.destroy()));
    });
  }

  /** Whether cameras come from a file that can be reloaded. */
  get reloadable(): boolean {
    return this.config.file !== undefined;
  }

  /** Serves the cameras of the other nodes of a cluster too, from now on. */
  attachRemote(source: RemoteCameraSource): void {
    this.remote = source;
  }

  /** Every camera: this node's in the order of the file, or in a cluster the cluster's. */
  list(): Camera[] {
    const local = this.local();
    return this.remote === undefined ? local : this.remote.arrange(local);
  }

  /**
   * Every camera this node serves now: those listed, and in a cluster those whose node left a
   * moment ago, whose viewers still watch "no signal" (what /health and /metrics report).
   */
  served(): Camera[] {
    const listed = this.list();
    if (this.remote === undefined) return listed;
    const shown = new Set(listed);
    return [...listed, ...this.remote.departed().filter((camera) => !shown.has(camera))];
  }

  /** Where a camera is in the cluster; undefined without one. */
  locate(camera: Camera): CameraLocation | undefined {
    return this.remote?.locate(camera);
  }

  /** This node's own cameras, in the order of the file. */
  local(): LocalCamera[] {
    return [...this.cameras.values()];
  }

  get ids(): string[] {
    return this.list().map((camera) => camera.id);
  }

  /** The camera `id`, or a 404 naming the cameras there are. */
  get(id: string): Camera {
    const camera = this.find(id);
    if (camera === undefined) throw new CameraNotFoundError(id, this.ids);
    return camera;
  }

  find(id: string): Camera | undefined {
    return this.cameras.get(id) ?? this.remote?.find(id);
  }

  /** This node's camera `id`, if it has one. */
  findLocal(id: string): LocalCamera | undefined {
    return this.cameras.get(id);
  }

  /**
   * What the URLs without a camera (/video_feed, /camera/settings, …) mean: this node's first
   * camera, or on a node without cameras of its own, the first of the cluster.
   */
  first(): Camera {
    const local = this.cameras.values().next().value;
    if (local !== undefined) return local;
    const first = this.list()[0];
    if (first === undefined) throw new CameraNotFoundError('(first)', []);
    // Resolved as by its id: a camera two nodes claim is a 409 here too.
    return this.get(first.id);
  }

  /** The camera at `index` in list order (mjpg-streamer's /?action=stream_N), if any. */
  at(index: number): Camera | undefined {
    return this.list()[index];
  }

  /** Tells the listeners that a camera of another node is gone (its node removed it). */
  remoteRemoved(camera: Camera): void {
    this.emit({ kind: 'removed', camera });
  }

  /** Calls `listener` once, when the server stops, before any camera is stopped. */
  onClosing(listener: () => void): () => void {
    this.closingListeners.add(listener);
    return () => this.closingListeners.delete(listener);
  }

  /** Calls `listener` for each camera added, changed or removed; returns the unsubscriber. */
  onChange(listener: (event: CameraEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Reads the cameras file again and applies the differences; nothing changes if it is bad. */
  async reload(): Promise<ReloadResult> {
    return this.changes.run(async () => {
      if (this.config.file === undefined) {
        throw new CamerasFileError(
          'There is no CAMERAS_FILE to reload: the CAMERA* variables describe the one camera',
        );
      }
      const next = await this.definitions();
      const nextIds = new Set(next.map((definition) => definition.id));
      const result: ReloadResult = { added: [], removed: [], changed: [], unchanged: [] };
      for (const camera of this.local()) {
        if (nextIds.has(camera.id)) continue;
        result.removed.push(camera.id);
        this.cameras.delete(camera.id);
        this.emit({ kind: 'removed', camera });
        await camera.destroy();
      }
      const order = new Map<string, LocalCamera>();
      for (const definition of next) {
        const existing = this.cameras.get(definition.id);
        if (existing === undefined) {
          order.set(definition.id, await this.create(definition));
          result.added.push(definition.id);
          continue;
        }
        if (needsRestart(existing.definition, definition)) {
          await this.reconfigure(existing, definition);
          result.changed.push(definition.id);
        } else {
          existing.runtime.rename(definition);
          result.unchanged.push(definition.id);
        }
        order.set(definition.id, existing);
      }
      this.cameras = order;
      for (const id of result.added)
        this.emit({ kind: 'added', camera: order.get(id) as LocalCamera });
      for (const id of result.changed)
        this.emit({ kind: 'changed', camera: order.get(id) as LocalCamera });
      this.logger.log(
        `Reloaded ${this.config.file}: added ${result.added.join(', ') || 'none'}; removed ${result.removed.join(', ') || 'none'}; ` +
          `changed ${result.changed.join(', ') || 'none'}; unchanged ${result.unchanged.join(', ') || 'none'}`,
      );
      return result;
    });
  }

  private async definitions(): Promise<CameraDefinition[]> {
    if (this.config.file === undefined) {
      return [{ ...this.cameraConfig.fromEnvironment, irLed: this.irLedConfig.fromEnvironment }];
    }
    return readCamerasFile(this.config.file, {
      idleTimeoutMs: this.cameraConfig.idleTimeoutMs,
      stallTimeoutMs: this.cameraConfig.stallTimeoutMs,
      ffmpegPath: this.cameraConfig.ffmpegPath,
      irLedDriver: this.irLedConfig.driver,
    });
  }

  private async add(definition: CameraDefinition): Promise<void> {
    this.cameras.set(definition.id, await this.create(definition));
  }

  private async create(definition: CameraDefinition): Promise<LocalCamera> {
    const runtime = this.factory.create(definition);
    const irLed = this.irLeds.create(
      definition.id,
      definition.irLed,
      this.config.file === undefined ? NO_IR_LED_IN_ENVIRONMENT : NO_IR_LED_IN_FILE,
      runtime.producer,
    );
    await runtime.start();
    await irLed.start();
    return new LocalCamera(runtime, irLed);
  }

  private async reconfigure(camera: LocalCamera, definition: CameraDefinition): Promise<void> {
    const irLedChanged =
      JSON.stringify(camera.definition.irLed) !== JSON.stringify(definition.irLed);
    await this.factory.reconfigure(camera.runtime, definition);
    if (!irLedChanged) return;
    await camera.irLed.destroy();
    camera.irLed = this.irLeds.create(
      definition.id,
      definition.irLed,
      NO_IR_LED_IN_FILE,
      camera.runtime.producer,
    );
    await camera.irLed.start();
  }

  private emit(event: CameraEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        this.logger.warn(`A camera ${event.kind} listener failed: ${(error as Error).message}`);
      }
    }
  }
}
