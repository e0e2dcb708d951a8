import { Injectable, Logger } from '@nestjs/common';
import { readdir, rm } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { StorageConfig } from '../config/app-config';
import { SerialQueue } from '../common/serial-queue';
import { readSmallFile, writeFileAtomic } from './atomic-file';
import { describeFileError, withDeadline } from './deadline';
import { SettingsNotSavedError } from './errors/settings-not-saved.error';

type Document = Record<string, unknown>;

const FILE_NAME = 'settings.json';
const FORMAT_VERSION = 1;
/**
 * DATA_DIR may sit on a network mount that hangs or hold a FIFO: start and requests wait this
 * long at most, then go on with defaults (reading) or answer an error (saving).
 */
const READ_DEADLINE_MS = 3000;
const WRITE_DEADLINE_MS = 5000;

/**
 * The settings that survive a restart, kept in DATA_DIR/settings.json, one section per owner
 * ("camera", "irLed"). Each owner validates its own section when it reads it.
 *
 * A missing file is a first run; a corrupt or unreadable one is reported and ignored, never
 * fatal. Writes are atomic and applied one at a time, in the order they were asked for.
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

  /** The saved value of `section`, or undefined if nothing (valid) was saved. */
  async read(section: string): Promise<unknown> {
    this.document ??= this.load();
    return (await this.document)[section];
  }

  /** Saves `value` as `section`; rejects if it could not be written (the old file then stays). */
  async write(section: string, value: unknown): Promise<void> {
    this.document ??= this.load();
    return this.writes.run(async () => {
      const current = await this.document;
      const next: Document = { ...current, version: FORMAT_VERSION, [section]: value };
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
      return parsed as Document;
    } catch (error) {
      this.logger.warn(
        `Saved settings ${this.path} are corrupt (${(error as Error).message}): using the configured defaults`,
      );
      return {};
    }
  }
}
