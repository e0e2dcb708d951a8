import { Global, Module } from '@nestjs/common';
import { PinoLoggerService } from './pino-logger.service';

/** Logs through pino (LOG_LEVEL, LOG_FORMAT); main.ts makes it Nest's logger. */
@Global()
@Module({ providers: [PinoLoggerService], exports: [PinoLoggerService] })
export class LoggingModule {}
