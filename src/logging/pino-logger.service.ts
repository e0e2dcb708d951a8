import { Injectable, type LoggerService } from '@nestjs/common';
import pino, { type DestinationStream, type Logger as Pino, type LoggerOptions } from 'pino';
import pretty from 'pino-pretty';
import { LoggingConfig } from './logging.config';

type Level = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';

const FRAMEWORK_CONTEXTS = new Set([
  'NestFactory',
  'InstanceLoader',
  'RoutesResolver',
  'RouterExplorer',
]);

/** A pino logger: one JSON object per line, or readable lines with LOG_FORMAT=pretty. */
export function createPino(config: LoggingConfig, destination?: DestinationStream): Pino {
  const options: LoggerOptions = {
    level: config.level,
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  };
  if (config.format === 'json')
    return pino(options, destination ?? pino.destination({ dest: 1, sync: true }));
  return pino(
    options,
    pretty({
      destination: destination ?? 1,
      sync: true,
      colorize: destination === undefined && process.stdout.isTTY,
      translateTime: 'SYS:yyyy-mm-dd HH:MM:ss.l',
      ignore: 'pid,hostname,context,camera',
      messageFormat: (log, messageKey) => {
        const context = typeof log.context === 'string' ? log.context : '';
        const camera = typeof log.camera === 'string' ? ` ${log.camera}` : '';
        const prefix = context === '' ? '' : `[${context}${camera}] `;
        const message = log[messageKey];
        return `${prefix}${typeof message === 'string' ? message : JSON.stringify(message ?? '')}`;
      },
      singleLine: true,
    }),
  );
}

/**
 * Nest's logger, written through pino. Every `new Logger(Context)` in camfeed ends up here, so
 * the whole server logs in one format. An object message becomes structured fields
 * (`{ msg, ...fields }`), which LOG_FORMAT=json keeps machine-readable.
 */
@Injectable()
export class PinoLoggerService implements LoggerService {
  readonly pino: Pino;

  constructor(config: LoggingConfig) {
    this.pino = createPino(config);
  }

  log(message: unknown, ...params: unknown[]): void {
    this.write('info', message, params);
  }

  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }

  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }

  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }

  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params);
  }

  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }

  /** Nest passes the logger's context as the last parameter, and a stack trace before it. */
  private write(requested: Level, message: unknown, params: unknown[]): void {
    const rest = [...params];
    const context = typeof rest.at(-1) === 'string' ? (rest.pop() as string) : undefined;
    // Nest's own start-up chatter (every route mapped, every module loaded) is for debugging.
    const level =
      requested === 'info' && context !== undefined && FRAMEWORK_CONTEXTS.has(context)
        ? 'debug'
        : requested;
    const stack = level === 'error' && typeof rest[0] === 'string' ? rest[0] : undefined;
    const fields: Record<string, unknown> = context === undefined ? {} : { context };
    if (stack !== undefined) fields.stack = stack;
    if (message instanceof Error) {
      this.pino[level]({ ...fields, err: message }, message.message);
    } else if (typeof message === 'object' && message !== null) {
      const { msg, ...structured } = message as Record<string, unknown>;
      this.pino[level]({ ...fields, ...structured }, typeof msg === 'string' ? msg : '');
    } else {
      this.pino[level](fields, String(message));
    }
  }
}
