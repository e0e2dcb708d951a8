import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import type { CameraDefinition, IrLedDefinition } from '../camera/camera-definition';
import { DEFAULT_SETTINGS } from '../camera/settings/settings-limits';
import { executableFile } from '../camera/camera.config';
import { redactSecrets } from '../common/redact-secrets';
import { readSmallFile } from '../persistence/atomic-file';
import { describeFileError, withDeadline } from '../persistence/deadline';
import type { IrLedDriverName } from '../ir-led/ir-led.constants';
import { IR_LED_DEFAULTS } from '../ir-led/ir-led-limits';
import { CAMERA_ENTRY_KEYS, CameraEntryDto, IR_LED_ENTRY_KEYS } from './camera-entry.dto';

/** The cameras file cannot be used: one line that names the file, the camera and the field. */
export class CamerasFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CamerasFileError';
  }
}

/** What a cameras file's entries fall back to: the environment's defaults. */
export interface CameraEntryDefaults {
  readonly idleTimeoutMs: number;
  readonly stallTimeoutMs: number;
  readonly ffmpegPath?: string;
  readonly irLedDriver: IrLedDriverName;
}

const READ_DEADLINE_MS = 5000;
const MAX_CAMERAS = 64;

const quote = (value: unknown): string => JSON.stringify(redactSecrets(String(value)));

/** The first problem of an entry, as one phrase: `width must be … (got "huge")`. */
function firstProblem(errors: ValidationError[], entry: Record<string, unknown>): string {
  const error = errors[0];
  if (error.children !== undefined && error.children.length > 0) {
    const nested = (entry[error.property] ?? {}) as Record<string, unknown>;
    return firstProblem(error.children, nested);
  }
  const constraints = error.constraints ?? {};
  if (constraints.whitelistValidation !== undefined) {
    const known = error.target instanceof CameraEntryDto ? CAMERA_ENTRY_KEYS : IR_LED_ENTRY_KEYS;
    return `unknown key ${JSON.stringify(error.property)} (known: ${known.join(', ')})`;
  }
  const message = Object.values(constraints)[0] ?? `${error.property} is invalid`;
  return error.value === undefined ? message : `${message} (got ${quote(error.value)})`;
}

function toIrLed(
  entry: CameraEntryDto,
  defaults: CameraEntryDefaults,
): IrLedDefinition | undefined {
  const irLed = entry.irLed;
  if (irLed === undefined) return undefined;
  return {
    driver: irLed.driver ?? defaults.irLedDriver,
    bcmGpio: irLed.gpio,
    sysfsGpio: irLed.sysfsGpio,
    activeLow: irLed.activeLow ?? IR_LED_DEFAULTS.activeLow,
    auto: {
      onBelow: irLed.autoOnBelow ?? IR_LED_DEFAULTS.onBelow,
      offAbove: irLed.autoOffAbove ?? IR_LED_DEFAULTS.offAbove,
      holdMs: Math.round((irLed.autoHold ?? IR_LED_DEFAULTS.holdSeconds) * 1000),
    },
  };
}

function toDefinition(entry: CameraEntryDto, defaults: CameraEntryDefaults): CameraDefinition {
  return {
    id: entry.id,
    name: entry.name ?? entry.id,
    driver: entry.driver,
    source: entry.source,
    sourceFormat: entry.sourceFormat,
    ffmpegPath: entry.ffmpegPath ?? defaults.ffmpegPath,
    defaults: {
      width: entry.width ?? DEFAULT_SETTINGS.width,
      height: entry.height ?? DEFAULT_SETTINGS.height,
      framerate: entry.framerate ?? DEFAULT_SETTINGS.framerate,
      quality: entry.quality ?? DEFAULT_SETTINGS.quality,
      rotation: entry.rotation ?? DEFAULT_SETTINGS.rotation,
      hflip: entry.hflip ?? DEFAULT_SETTINGS.hflip,
      vflip: entry.vflip ?? DEFAULT_SETTINGS.vflip,
      bitrate: entry.bitrate ?? DEFAULT_SETTINGS.bitrate,
      keyframeInterval: entry.keyframeInterval ?? DEFAULT_SETTINGS.keyframeInterval,
    },
    idleTimeoutMs:
      entry.idleTimeout === undefined
        ? defaults.idleTimeoutMs
        : Math.round(entry.idleTimeout * 1000),
    stallTimeoutMs:
      entry.stallTimeout === undefined
        ? defaults.stallTimeoutMs
        : Math.round(entry.stallTimeout * 1000),
    maxClients: entry.maxClients,
    irLed: toIrLed(entry, defaults),
  };
}

/**
 * The cameras a file describes, validated like the environment: the first problem stops it, in
 * one line naming the camera (by id, else by position), the field and what it allows.
 */
export function parseCamerasFile(
  text: string,
  where: string,
  defaults: CameraEntryDefaults,
): CameraDefinition[] {
  let document: unknown;
  try {
    // YAML 1.2 is a superset of JSON, so one parser reads both kinds of file.
    document = parseYaml(text, { uniqueKeys: true, maxAliasCount: 100 });
  } catch (error) {
    const line = error instanceof YAMLParseError ? ` (line ${error.linePos?.[0].line ?? '?'})` : '';
    throw new CamerasFileError(
      `${where}${line}: not valid YAML or JSON: ${(error as Error).message.split('\n')[0]}`,
    );
  }
  const list = (document as { cameras?: unknown } | null)?.cameras;
  if (typeof document !== 'object' || document === null || !Array.isArray(list)) {
    throw new CamerasFileError(
      `${where}: must have a "cameras" list (it may be empty: cameras: [])`,
    );
  }
  const unknownTop = Object.keys(document).filter((key) => key !== 'cameras');
  if (unknownTop.length > 0)
    throw new CamerasFileError(
      `${where}: unknown key ${JSON.stringify(unknownTop[0])} (known: cameras)`,
    );
  if (list.length > MAX_CAMERAS)
    throw new CamerasFileError(`${where}: at most ${MAX_CAMERAS} cameras (got ${list.length})`);
  const definitions: CameraDefinition[] = [];
  const seen = new Set<string>();
  list.forEach((raw: unknown, index) => {
    const label =
      typeof raw === 'object' && raw !== null && typeof (raw as { id?: unknown }).id === 'string'
        ? `camera ${JSON.stringify((raw as { id: string }).id)}`
        : `camera #${index + 1}`;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
      throw new CamerasFileError(`${where}: ${label}: must be a mapping of keys (id, driver, …)`);
    const entry = plainToInstance(CameraEntryDto, raw);
    const errors = validateSync(entry, {
      whitelist: true,
      forbidNonWhitelisted: true,
      stopAtFirstError: true,
    });
    if (errors.length > 0)
      throw new CamerasFileError(
        `${where}: ${label}: ${firstProblem(errors, raw as Record<string, unknown>)}`,
      );
    if (seen.has(entry.id))
      throw new CamerasFileError(`${where}: ${label}: the id is used by an earlier camera too`);
    if (entry.ffmpegPath !== undefined && executableFile(entry.ffmpegPath) === undefined)
      throw new CamerasFileError(
        `${where}: ${label}: ffmpegPath must be the path of an executable ffmpeg program (got ${quote(entry.ffmpegPath)})`,
      );
    seen.add(entry.id);
    definitions.push(toDefinition(entry, defaults));
  });
  return definitions;
}

/** Reads and parses the cameras file; never waits on it for long, never reads a huge one. */
export async function readCamerasFile(
  path: string,
  defaults: CameraEntryDefaults,
): Promise<CameraDefinition[]> {
  let text: string;
  try {
    // A FIFO or a hung mount must not hold the start (or a reload) forever.
    text = await withDeadline(readSmallFile(path), READ_DEADLINE_MS, 'reading the cameras file');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'ENOTREGULAR' || code === 'EFBIG'
          ? (error as Error).message
          : describeFileError(error);
    throw new CamerasFileError(`CAMERAS_FILE ${path}: ${reason}`);
  }
  return parseCamerasFile(text, `CAMERAS_FILE ${path}`, defaults);
}
