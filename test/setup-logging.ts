import { Logger } from '@nestjs/common';

// Keep test output readable: only errors, unless TEST_LOGS=1 asks for everything.
Logger.overrideLogger(
  process.env.TEST_LOGS === '1' ? ['log', 'warn', 'error', 'debug'] : ['error'],
);
