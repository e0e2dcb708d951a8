import { Injectable, Logger } from '@nestjs/common';
import { readdir, rm } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { StorageConfig } from './persistence.config';
import { SerialQueue } from '../common/serial-queue';
import { readSmallFile, writeFileAtomic } from './atomic-file';
import { describeFileError, withDeadline } from './deadline';
import { SettingsNotSavedError } from './errors/settings-not-saved.error';

type Document = Record<string, unknown>;
type CameraSections = Record<string, Record<string, unknown>>;

const FILE_NAME = 'settings.json';
/** 2: one entry per camera under "cameras"; 1 (one camera: "camera", "irLed") is read as "default". */
const FORMAT_VERSION = 2;
const LEGACY_CAMERA_ID = 'default';
const LEGACY_SECTIONS: Readonly<Record<string, string>> = { camera: 'settings', irLed: 'irLed' };
/**
 * DATA_DIR may sit on a network mount that hangs or hold a FIFO: start and requests wait this
 * long at most, then go on with defaults (reading) or answer an error (saving).
 */
const READ_DEADLINE_MS = 3000;
const WRITE_DEADLINE_MS = 5000;

/**
 * The settings that survive a restart, kept in DATA_DIR/settings.json: per camera, one section
 * per owner ("settings", "irLed"). Each owner validates its own section when it reads it.
 *
 * A missing file is a first run; a corrupt or unreadable one is reported and ignored, never
 * fatal. Writes are atomic and applied one at a time, in the order they were asked for. A camera
 * taken out of the cameras file keeps its entry, so it comes back as it was.
 */
@Injectable()
export class SettingsStore {
  private readonly logger = new Logger(SettingsStore.name);
  readonly path: string;
  private document: Promise<Document> | undefined;
  private readonly writes = new SerialQueue();

  constructor(config: StorageConfig) {
    this.path = resolve(join(config.dataDir, FILE_NAME));
  }

  /** The saved `section` of camera `cameraId`, or undefined if nothing (valid) was saved. */
  async read(cameraId: string, section: string): Promise<unknown> {
    this.document ??= this.load();
    return camerasOf(await this.document)[cameraId]?.[section];
  }

  /** Saves `value` as the camera's `section`; rejects if it could not be written (nothing changes). */
  async write(cameraId: string, section: string, value: unknown): Promise<void> {
    this.document ??= this.load();
    return this.writes.run(async () => {
      const current = await this.document;
      const cameras = camerasOf(current);
      const next: Document = {
        version: FORMAT_VERSION,
        cameras: { ...cameras, [cameraId]: { ...cameras[cameraId], [section]: value } },
      };
      try {
        await withDeadline(
          writeFileAtomic(this.path, `${JSON.stringify(next, null, 2)}\n`),
          WRITE_DEADLINE_MS,
          'saving the settings',
        );
      } catch (error) {
        this.logger.error(`Cannot save settings to ${this.path}: ${(error as Error).message}`);
        throw new SettingsNotSavedError(describeFileError(error), error);
      }
      this.document = Promise.resolve(next);
    });
  }

  /** A crash in the middle of a save leaves its temporary file behind; the next start clears it. */
  private async removeStaleTemporaryFiles(): Promise<void> {
    const folder = dirname(this.path);
    const prefix = `.${basename(this.path)}.`;
    try {
      const stale = (await readdir(folder)).filter(
        (name) => name.startsWith(prefix) && name.endsWith('.tmp'),
      );
      await Promise.all(stale.map(async (name) => rm(join(folder, name), { force: true })));
    } catch {
      // No folder yet (first run) or not readable: load() reports what matters.
    }
  }

  private async load(): Promise<Document> {
    await withDeadline(
      this.removeStaleTemporaryFiles(),
      READ_DEADLINE_MS,
      'cleaning DATA_DIR',
    ).catch(() => undefined);
    let text: string;
    try {
      text = await withDeadline(readSmallFile(this.path), READ_DEADLINE_MS, 'reading the settings');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        this.logger.log(`No saved settings at ${this.path} yet: using the configured defaults`);
      } else {
        this.logger.warn(
          `Cannot read saved settings ${this.path} (${(error as Error).message}): using the configured defaults`,
        );
      }
      return {};
    }
    try {
      const parsed: unknown = JSON.parse(text);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
        throw new Error('not a JSON object');
      }
      return upgrade(parsed as Document);
    } catch (error) {
      this.logger.warn(
        `Saved settings ${this.path} are corrupt (${(error as Error).message}): using the configured defaults`,
      );
      return {};
    }
  }
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function camerasOf(document: Document | undefined): CameraSections {
  const cameras = document?.cameras;
  if (!isObject(cameras)) return {};
  return Object.fromEntries(
    Object.entries(cameras).filter((entry): entry is [string, Record<string, unknown>] =>
      isObject(entry[1]),
    ),
  );
}

/** A version 1 file (one camera) becomes camera "default" of version 2, as it will be saved. */
function upgrade(document: Document): Document {
  if (isObject(document.cameras)) return document;
  const sections: Record<string, unknown> = {};
  for (const [old, section] of Object.entries(LEGACY_SECTIONS)) {
    if (document[old] !== undefined) sections[section] = document[old];
  }
  if (Object.keys(sections).length === 0) return document;
  return { version: FORMAT_VERSION, cameras: { [LEGACY_CAMERA_ID]: sections } };
}
