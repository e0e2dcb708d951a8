import { requestLogLevel } from './request-log.middleware';

describe(requestLogLevel.name, () => {
  it.each([
    ['GET', 500, 'error'],
    ['POST', 502, 'error'],
    ['GET', 504, 'error'],
    ['GET', 503, 'warn'],
    ['POST', 503, 'warn'],
    ['POST', 400, 'warn'],
    ['GET', 401, 'warn'],
    ['GET', 404, 'warn'],
    ['GET', 200, 'debug'],
    ['HEAD', 200, 'debug'],
    ['POST', 200, 'info'],
    ['DELETE', 204, 'info'],
  ])('should log %s answered %i at %s', (method, status, level) => {
    expect(requestLogLevel(method, status)).toBe(level);
  });
});
