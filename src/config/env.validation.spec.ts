import { toAppConfig } from './app-config';
import { EnvValidationError, validateEnv } from './env.validation';

const problemsOf = (raw: Record<string, string>): string[] => {
  try {
    validateEnv(raw);
  } catch (error) {
    if (error instanceof EnvValidationError) return error.problems;
    throw error;
  }
  throw new Error('expected a validation error');
};

describe(validateEnv.name, () => {
  it('applies the documented defaults to an empty environment', () => {
    const config = toAppConfig(validateEnv({}));
    expect(config.http).toEqual({ host: '0.0.0.0', port: 8080 });
    expect(config.camera).toMatchObject({
      driver: 'emulated',
      defaults: { width: 640, height: 480, framerate: 30, quality: 80 },
      idleTimeoutMs: 10_000,
    });
    expect(config.stream).toEqual({ drainTimeoutMs: 15_000, snapshotTimeoutMs: 5_000 });
  });

  it('converts and keeps valid values', () => {
    const config = toAppConfig(
      validateEnv({
        PORT: '9000',
        HOST: '127.0.0.1',
        CAMERA: 'images',
        CAMERA_SOURCE: '/srv/frames',
        CAMERA_WIDTH: '1280',
        CAMERA_HEIGHT: '720',
        CAMERA_FRAMERATE: '0.5',
        CAMERA_QUALITY: '95',
        CAMERA_IDLE_TIMEOUT: '2.5',
      }),
    );
    expect(config.http).toEqual({ host: '127.0.0.1', port: 9000 });
    expect(config.camera).toEqual({
      driver: 'images',
      source: '/srv/frames',
      defaults: { width: 1280, height: 720, framerate: 0.5, quality: 95 },
      idleTimeoutMs: 2500,
    });
  });

  it('treats empty values as unset, so a copied .env.example boots', () => {
    expect(validateEnv({ CAMERA_SOURCE: '', PORT: ' ' }).PORT).toBe(8080);
  });

  it('ignores variables it does not own', () => {
    expect(() => validateEnv({ PATH: '/usr/bin', HOME: '/root' })).not.toThrow();
  });

  it.each([
    ['CAMERA_WIDTH', 'abc', 'CAMERA_WIDTH must be an integer from 16 to 8192 (got "abc")'],
    ['CAMERA_WIDTH', '12.5', 'CAMERA_WIDTH must be an integer from 16 to 8192 (got "12.5")'],
    ['CAMERA_HEIGHT', '9000', 'CAMERA_HEIGHT must be an integer from 16 to 8192 (got "9000")'],
    ['PORT', '70000', 'PORT must be an integer from 0 to 65535 (got "70000")'],
    ['CAMERA_FRAMERATE', '0', 'CAMERA_FRAMERATE must be a number from 0.1 to 120 (got "0")'],
    ['CAMERA_QUALITY', 'high', 'CAMERA_QUALITY must be an integer from 1 to 100 (got "high")'],
    [
      'CAMERA_IDLE_TIMEOUT',
      '-1',
      'CAMERA_IDLE_TIMEOUT must be a number from 0 to 86400 (got "-1")',
    ],
    ['CAMERA', 'webcam9000', 'CAMERA must be one of: emulated, images (got "webcam9000")'],
    ['HOST', 'http://x', 'HOST must be a host name or IP address'],
  ])('rejects %s=%s naming the variable and what it allows', (name, value, message) => {
    const problems = problemsOf({ [name]: value });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(message);
  });

  it('requires a folder for the images driver', () => {
    expect(problemsOf({ CAMERA: 'images' })[0]).toMatch(/^CAMERA_SOURCE must be set/);
  });

  it('reports every bad variable at once', () => {
    expect(problemsOf({ PORT: 'x', CAMERA_QUALITY: '0' })).toHaveLength(2);
  });
});
