import { validateEnvironment as validateEnv } from './app.config';
import { ControlConfig, CorsConfig, ViewerAuthConfig } from './auth/auth.config';
import { CameraConfig } from './camera/camera.config';
import { CamerasConfig } from './cameras/cameras.config';
import { EnvValidationError } from './config/validate-env';
import { IrLedConfig } from './ir-led/ir-led.config';
import { LoggingConfig } from './logging/logging.config';
import { StorageConfig } from './persistence/persistence.config';
import { HttpConfig, TlsConfig } from './server/server.config';
import { StreamConfig } from './stream/stream.config';

/** Every section's config objects, by a name, as the app's modules get them. */
function toAppConfig(values: ReturnType<typeof validateEnv>) {
  const get = <T>(token: abstract new () => T): T => values.get(token) as T;
  return {
    http: get(HttpConfig),
    tls: get(TlsConfig),
    camera: get(CameraConfig),
    cameras: get(CamerasConfig),
    stream: get(StreamConfig),
    storage: get(StorageConfig),
    control: get(ControlConfig),
    viewerAuth: get(ViewerAuthConfig),
    cors: get(CorsConfig),
    irLed: get(IrLedConfig),
    logging: get(LoggingConfig),
  };
}

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
    expect(config.http).toEqual({ host: '0.0.0.0', port: 8080, trustProxy: false });
    expect(config.camera.fromEnvironment).toMatchObject({
      id: 'default',
      driver: 'emulated',
      defaults: {
        width: 640,
        height: 480,
        framerate: 30,
        quality: 80,
        rotation: 0,
        hflip: false,
        vflip: false,
      },
      idleTimeoutMs: 10_000,
    });
    expect(config.stream).toEqual({
      drainTimeoutMs: 15_000,
      snapshotTimeoutMs: 5_000,
      maxClients: 1000,
    });
    expect(config.viewerAuth).toEqual({
      enabled: false,
      username: undefined,
      password: undefined,
      tokenSecret: undefined,
      tokenTtlMs: 3_600_000,
    });
    expect(config.tls).toEqual({ certPath: undefined, keyPath: undefined });
    expect(config.storage).toEqual({ dataDir: './data' });
    expect(config.control).toEqual({ apiToken: undefined, rateLimitPerMinute: 60 });
    expect(config.irLed).toEqual({
      fromEnvironment: {
        driver: 'gpio',
        bcmGpio: undefined,
        sysfsGpio: undefined,
        activeLow: false,
        auto: { onBelow: 50, offAbove: 90, holdMs: 10_000 },
      },
      driver: 'gpio',
      autoIntervalMs: 1000,
      sysfsRoot: '/sys/class/gpio',
      openRetry: { forMs: 5000, firstDelayMs: 100 },
    });
    expect(config.cameras).toEqual({ file: undefined });
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
        CAMERA_ROTATION: '270',
        CAMERA_HFLIP: 'yes',
        CAMERA_VFLIP: '0',
        DATA_DIR: '/var/lib/camfeed',
        API_TOKEN: 'correct-horse-battery',
        IR_LED_GPIO: '17',
        IR_LED_ACTIVE_LOW: 'true',
        IR_LED_AUTO_ON_BELOW: '20',
        IR_LED_AUTO_OFF_ABOVE: '120',
        IR_LED_AUTO_HOLD: '30',
      }),
    );
    expect(config.storage.dataDir).toBe('/var/lib/camfeed');
    expect(config.control.apiToken).toBe('correct-horse-battery');
    expect(config.irLed.fromEnvironment).toMatchObject({
      bcmGpio: 17,
      activeLow: true,
      auto: { onBelow: 20, offAbove: 120, holdMs: 30_000 },
    });
    expect(config.http).toEqual({ host: '127.0.0.1', port: 9000, trustProxy: false });
    expect(toAppConfig(validateEnv({ TRUST_PROXY: 'loopback' })).http.trustProxy).toBe('loopback');
    expect(toAppConfig(validateEnv({ TRUST_PROXY: '1' })).http.trustProxy).toBe(1);
    expect(toAppConfig(validateEnv({ TRUST_PROXY: '10.0.0.0/8, 127.0.0.1' })).http.trustProxy).toBe(
      '10.0.0.0/8, 127.0.0.1',
    );
    expect(config.camera.fromEnvironment).toEqual({
      id: 'default',
      name: 'Camera',
      driver: 'images',
      source: '/srv/frames',
      sourceFormat: undefined,
      ffmpegPath: undefined,
      defaults: {
        width: 1280,
        height: 720,
        framerate: 0.5,
        quality: 95,
        rotation: 270,
        hflip: true,
        vflip: false,
        bitrate: 2000,
        keyframeInterval: 1,
      },
      idleTimeoutMs: 2500,
      stallTimeoutMs: 10_000,
    });
  });

  it('treats empty values as unset, so a copied .env.example boots', () => {
    expect(toAppConfig(validateEnv({ CAMERA_SOURCE: '', PORT: ' ' })).http.port).toBe(8080);
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
    [
      'CAMERA',
      'webcam9000',
      'CAMERA must be one of: emulated, images, ffmpeg, pi, mjpeg (got "webcam9000")',
    ],
    ['HOST', 'http://x', 'HOST must be a host name or IP address'],
    ['CAMERA_ROTATION', '45', 'CAMERA_ROTATION must be one of: 0, 90, 180, 270 (got "45")'],
    [
      'CAMERA_HFLIP',
      'maybe',
      'CAMERA_HFLIP must be a boolean: true/false, 1/0, yes/no or on/off (got "maybe")',
    ],
    ['API_TOKEN', 'short', 'API_TOKEN must be a token without spaces, at least 12 characters long'],
    ['IR_LED_DRIVER', 'pigpio', 'IR_LED_DRIVER must be one of: gpio, simulated (got "pigpio")'],
    ['IR_LED_GPIO', '99', 'IR_LED_GPIO must be an integer from 0 to 53 (got "99")'],
    [
      'IR_LED_AUTO_OFF_ABOVE',
      '10',
      'IR_LED_AUTO_OFF_ABOVE must be greater than IR_LED_AUTO_ON_BELOW (got "10")',
    ],
  ])('rejects %s=%s naming the variable and what it allows', (name, value, message) => {
    const problems = problemsOf({ [name]: value });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(message);
  });

  it.each([
    [{ CAMERA: 'ffmpeg' }, /^CAMERA_SOURCE must be set/],
    [{ CAMERA: 'mjpeg' }, /^CAMERA_SOURCE must be set/],
    [
      { CAMERA: 'mjpeg', CAMERA_SOURCE: 'rtsp://cam/stream' },
      /^CAMERA_SOURCE must be the http:\/\/ or https:\/\/ URL of an MJPEG stream/,
    ],
    [{ CAMERA: 'pi', CAMERA_SOURCE: 'front' }, /^CAMERA_SOURCE must be the camera index/],
    [
      { CAMERA: 'ffmpeg', CAMERA_SOURCE: '/dev/video0', CAMERA_SOURCE_FORMAT: 'v4l2 -i x' },
      /^CAMERA_SOURCE_FORMAT must be an ffmpeg input format name/,
    ],
  ])('checks the source each driver needs: %j', (env, message) => {
    expect(problemsOf(env)[0]).toMatch(message);
  });

  it('accepts what each driver takes as a source', () => {
    expect(() =>
      validateEnv({ CAMERA: 'mjpeg', CAMERA_SOURCE: 'http://user:pass@cam.local:8080/video_feed' }),
    ).not.toThrow();
    expect(() => validateEnv({ CAMERA: 'pi' })).not.toThrow();
    expect(() => validateEnv({ CAMERA: 'pi', CAMERA_SOURCE: '1' })).not.toThrow();
    expect(() =>
      validateEnv({ CAMERA: 'ffmpeg', CAMERA_SOURCE: 'testsrc2', CAMERA_SOURCE_FORMAT: 'lavfi' }),
    ).not.toThrow();
  });

  it.each([
    [{ STREAM_AUTH: 'true' }, ['STREAM_USERNAME must be set', 'STREAM_PASSWORD must be set']],
    [
      { STREAM_AUTH: 'true', STREAM_USERNAME: 'a:b', STREAM_PASSWORD: 'longenough' },
      ['STREAM_USERNAME must be set'],
    ],
    [
      { STREAM_AUTH: 'true', STREAM_USERNAME: 'viewer', STREAM_PASSWORD: 'short' },
      ['STREAM_PASSWORD must be set'],
    ],
    [{ TLS_CERT: '/etc/ssl/cert.pem' }, ['TLS_KEY must be the path of the PEM private key']],
    [
      { STREAM_TOKEN_SECRET: 'too-short' },
      ['STREAM_TOKEN_SECRET must be a random string of at least 32 characters'],
    ],
  ])('checks the security settings together: %j', (env, messages) => {
    const problems = problemsOf(env);
    for (const [index, message] of messages.entries())
      expect(problems[index]).toMatch(new RegExp(`^${message}`));
    expect(problems).toHaveLength(messages.length);
  });

  it('requires a folder for the images driver', () => {
    expect(problemsOf({ CAMERA: 'images' })[0]).toMatch(/^CAMERA_SOURCE must be set/);
  });

  it('names the CAMERA* camera with CAMERA_ID and CAMERA_NAME (unique ids for a cluster)', () => {
    const config = toAppConfig(validateEnv({ CAMERA_ID: 'kitchen', CAMERA_NAME: 'Kitchen' }));
    expect(config.camera.fromEnvironment).toMatchObject({ id: 'kitchen', name: 'Kitchen' });
    expect(problemsOf({ CAMERA_ID: 'Kitchen Door' })).toEqual([
      'CAMERA_ID must be 1 to 63 lower-case letters, digits, _ or -, starting with a letter or digit (such as kitchen) (got "Kitchen Door")',
    ]);
  });

  it('reports every bad variable at once', () => {
    expect(problemsOf({ PORT: 'x', CAMERA_QUALITY: '0' })).toHaveLength(2);
  });
});

describe('messages about bad values', () => {
  it('never repeat a secret, nor a password inside a camera URL', () => {
    const problems = (env: Record<string, string>): string => {
      try {
        validateEnv(env);
        return '';
      } catch (error) {
        return (error as Error).message;
      }
    };
    expect(problems({ API_TOKEN: 'short tok' })).toContain('API_TOKEN must be');
    expect(problems({ API_TOKEN: 'short tok' })).not.toContain('short tok');
    expect(
      problems({ STREAM_AUTH: 'true', STREAM_USERNAME: 'v', STREAM_PASSWORD: 'pw 1' }),
    ).not.toContain('pw 1');
    const camera = problems({ CAMERA: 'pi', CAMERA_SOURCE: 'rtsp://admin:Hunter22@cam/live' });
    expect(camera).toContain('CAMERA_SOURCE must be the camera index');
    expect(camera).not.toContain('Hunter22');
  });
});
