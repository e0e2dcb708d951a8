import { Logger, type LoggerService } from '@nestjs/common';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { DriverCapabilities, CameraDriver, CameraSettings } from './camera-driver.interface';
import { orientationSegment, withOrientation } from '../../jpeg/exif-orientation';
import { splitJpegStream } from '../../jpeg/jpeg-splitter';
import { captureProcessOutput } from '../../process/capture-process';
import { findExecutable } from '../../process/executable-path';
import { parseCameraList, piCameraCapabilities, planRpicam } from './rpicam-command';

const run = promisify(execFile);

/** rpicam-vid on Bookworm; libcamera-vid on older systems (the old name was removed in 2025). */
const BINARIES = ['rpicam-vid', 'libcamera-vid'];

/**
 * The Raspberry Pi camera module through rpicam-apps. Only one process can own the camera, which
 * the producer guarantees: one capture loop, and a restart only after the previous one exited.
 */
export class RpicamDriver implements CameraDriver {
  readonly name = 'pi';

  /** `camera` is rpicam's --camera index, for boards with more than one (CAMERA_SOURCE). */
  constructor(
    private readonly camera?: string,
    private readonly logger: LoggerService = new Logger('rpicam'),
  ) {}

  async capabilities(): Promise<DriverCapabilities> {
    const binary = await this.binary();
    const { stdout, stderr } = await run(binary, ['--list-cameras'], { timeout: 15_000 });
    const cameras = parseCameraList(`${stdout}\n${stderr}`);
    const camera = cameras.find((candidate) => String(candidate.index) === (this.camera ?? '0'));
    if (camera === undefined) {
      throw new Error(
        cameras.length === 0
          ? 'no camera found by rpicam-vid --list-cameras: is it connected and enabled?'
          : `no camera ${this.camera}; rpicam-vid lists ${cameras.map((c) => `${c.index} (${c.sensor})`).join(', ')}`,
      );
    }
    return piCameraCapabilities(camera);
  }

  async *frames(settings: CameraSettings, signal: AbortSignal): AsyncGenerator<Buffer> {
    const binary = await this.binary();
    const plan = planRpicam(settings, this.camera);
    const rotate =
      plan.exifOrientation === undefined ? undefined : orientationSegment(plan.exifOrientation);
    this.logger.log(`Starting ${binary} ${plan.args.join(' ')}`);
    const output = captureProcessOutput({
      command: binary,
      args: plan.args,
      signal,
      name: 'rpicam-vid',
      logger: this.logger,
    });
    for await (const jpeg of splitJpegStream(output)) {
      yield rotate === undefined ? jpeg : withOrientation(jpeg, rotate);
    }
  }

  private async binary(): Promise<string> {
    for (const name of BINARIES) {
      const path = await findExecutable(name);
      if (path !== undefined) return path;
    }
    throw new Error(
      'rpicam-vid not found: install rpicam-apps-lite (sudo apt install rpicam-apps-lite; Raspberry Pi OS ships it)',
    );
  }
}
