import { createRedactor, MASK, redactSecrets, redactUrls, secretsOf } from './redact-secrets';

describe(redactSecrets.name, () => {
  it.each([
    ['rtsp://admin:S3cret@192.168.1.20/live', 'rtsp://***:***@192.168.1.20/live'],
    ['rtsp://admin:S3cret@192.168.1.20:554/live', 'rtsp://***:***@192.168.1.20:554/live'],
    ['rtsps://admin:S3cret@cam.local:322/s0', 'rtsps://***:***@cam.local:322/s0'],
    ['http://viewer:pw1234@cam/video.mjpg', 'http://***:***@cam/video.mjpg'],
    ['https://viewer:pw1234@cam:8443/', 'https://***:***@cam:8443/'],
    ['rtmp://live:k3y@example.com/app/stream', 'rtmp://***:***@example.com/app/stream'],
    ['srt://u:p4ss@host:9000', 'srt://***:***@host:9000'],
    ['rtsp://admin:S3cret@[fe80::1]:554/live', 'rtsp://***:***@[fe80::1]:554/live'],
    ['rtsp://admin:S3cret@[::1]/live', 'rtsp://***:***@[::1]/live'],
    ['rtsp://admin:p%40ss%3Aw0rd@cam/live', 'rtsp://***:***@cam/live'],
    ['rtsp://admin:pa:ss:word@cam/live', 'rtsp://***:***@cam/live'],
    ['rtsp://admin:pa/ss/word@cam/live', 'rtsp://***:***@cam/live'],
    ['rtsp://admin:p@ss@cam/live', 'rtsp://***:***@cam/live'],
    ['rtsp://t0ken-only@cam/live', 'rtsp://***@cam/live'],
    ['rtsp://:justapassword@cam/live', 'rtsp://:***@cam/live'],
    ['RTSP://Admin:S3cret@CAM/live', 'RTSP://***:***@CAM/live'],
  ])('masks the userinfo of %s', (url, masked) => {
    expect(redactSecrets(url)).toBe(masked);
    expect(redactSecrets(`ffmpeg: ${url}: Connection refused`)).toBe(
      `ffmpeg: ${masked}: Connection refused`,
    );
  });

  it('masks every URL of a line, quoted or not', () => {
    expect(
      redactSecrets(
        'Opening \'rtsp://a:one@h1/x\' then http://b:two@h2:81/y, "rtmp://c:three@h3/z"',
      ),
    ).toBe('Opening \'rtsp://***:***@h1/x\' then http://***:***@h2:81/y, "rtmp://***:***@h3/z"');
  });

  it('masks both passwords of URLs run together, at the cost of the first host', () => {
    const masked = redactSecrets('rtsp://a:one@h1/x,rtsp://b:two@h2/y');
    expect(masked).not.toMatch(/one|two/);
    expect(masked).toContain('@h2/y');
  });

  it.each([
    ['http://cam/video.cgi?user=admin&pwd=s3cret', 'http://cam/video.cgi?user=***&pwd=***'],
    [
      'http://cam/snap.jpg?usr=admin&password=s3cret&res=720',
      'http://cam/snap.jpg?usr=***&password=***&res=720',
    ],
    [
      'http://cam/videostream.cgi?loginuse=admin&loginpas=s3cret',
      'http://cam/videostream.cgi?loginuse=***&loginpas=***',
    ],
    ['rtsp://cam/live?token=abc.def-ghi', 'rtsp://cam/live?token=***'],
    ['https://cdn/live.m3u8?auth=xyz&key=0123#frag', 'https://cdn/live.m3u8?auth=***&key=***#frag'],
    ['http://cam/x?PASSWD=s3cret&Access_Token=t0k', 'http://cam/x?PASSWD=***&Access_Token=***'],
    ['http://cam/x?api_key=k&sig=s&p=pp', 'http://cam/x?api_key=***&sig=***&p=***'],
    ['http://cam/x?pwd=s3cret: Connection refused', 'http://cam/x?pwd=***: Connection refused'],
    ['http://cam/x?pwd=a:b:c then', 'http://cam/x?pwd=*** then'],
    ['token=abc123 in a message', 'token=*** in a message'],
  ])('masks the credential parameters of %s', (text, masked) => {
    expect(redactSecrets(text)).toBe(masked);
  });

  it('masks a URL with both userinfo and credential parameters', () => {
    expect(redactSecrets('http://u:p4ss@cam/x?channel=1&pwd=s3cret')).toBe(
      'http://***:***@cam/x?channel=1&pwd=***',
    );
  });

  it.each([
    ['ffmpeg exited with code 1: /dev/video0: No such file or directory'],
    ['rtsp://192.168.1.20:554/live: Connection refused'],
    ['rtsp://[fe80::1]:554/live: Connection refused'],
    ['[tcp @ 0x43644f00] Connection to tcp://127.0.0.1:1?timeout=5000000 failed: Refused'],
    ['http://cam/video.cgi?channel=1&resolution=640x480&fps=15'],
    ['-vf fps=15,scale=640:480:force_original_aspect_ratio=decrease,pad=640:480:(ow-iw)/2'],
    ['-f lavfi -i testsrc2=size=320x240:rate=25 -an -sn -dn -f mjpeg pipe:1'],
    ['file:///srv/camfeed/some@clip.mp4'],
    ['mail the admin at admin@example.com'],
    [''],
  ])('leaves text without credentials unchanged: %s', (text) => {
    expect(redactSecrets(text)).toBe(text);
  });

  it('masks known secrets wherever they appear, in every spelling', () => {
    const secrets = secretsOf('rtsp://admin:p%40ss%2Fw0rd@cam/live');
    expect(redactSecrets('auth with p@ss/w0rd failed', secrets)).toBe('auth with *** failed');
    expect(redactSecrets('auth with p%40ss%2Fw0rd failed', secrets)).toBe('auth with *** failed');
    expect(redactSecrets('401 for p%40ss%2fw0rd', secrets)).not.toContain('w0rd');
  });

  it('masks a known secret longer than what the patterns see, without leaving a part of it', () => {
    // A space or a quote ends a URL for the patterns; the configured source still knows it all.
    const source = `rtsp://admin:it's a "top" secret@cam/live`;
    const secrets = secretsOf(source);
    const masked = redactSecrets(`could not open ${source}: 401`, secrets);
    expect(masked).toBe('could not open rtsp://***:***@cam/live: 401');
  });
});

describe(secretsOf.name, () => {
  it('finds the password in its spellings and the Basic credential, not the user name', () => {
    const secrets = secretsOf('http://viewer:p%40ss@cam/video');
    expect(secrets).toEqual(
      expect.arrayContaining(['p%40ss', 'p@ss', Buffer.from('viewer:p@ss').toString('base64')]),
    );
    expect(secrets).not.toContain('viewer');
  });

  it('finds credential query values, not user names or harmless parameters', () => {
    const secrets = secretsOf('http://cam/video.cgi?user=admin&pwd=s3cr%20et&channel=12345');
    expect(secrets).toEqual(expect.arrayContaining(['s3cr%20et', 's3cr et']));
    expect(secrets).not.toContain('admin');
    expect(secrets).not.toContain('12345');
  });

  it('orders them longest first, so no part of a longer one survives a shorter one', () => {
    const secrets = secretsOf('rtsp://a:abc@h/x?token=abcdef');
    const lengths = secrets.map((secret) => secret.length);
    expect(lengths).toEqual([...lengths].sort((a, b) => b - a));
    expect(redactSecrets('abcdef', secrets)).toBe(MASK);
  });

  it('ignores secrets too short to mask in free text, and sources without any', () => {
    expect(secretsOf('rtsp://admin:12@cam/live')).not.toContain('12');
    expect(secretsOf('/dev/video0')).toEqual([]);
    expect(secretsOf('testsrc2=size=320x240:rate=25')).toEqual([]);
    expect(secretsOf(undefined)).toEqual([]);
  });
});

describe(createRedactor.name, () => {
  it('masks the source’s own secrets on top of the patterns', () => {
    const redact = createRedactor('rtsp://admin:Sup3rS3cret@cam/live');
    expect(redact('stream said: bad password Sup3rS3cret')).toBe('stream said: bad password ***');
    expect(redact('rtsp://other:pw1@cam2/x')).toBe('rtsp://***:***@cam2/x');
    expect(redactUrls('stream said: bad password Sup3rS3cret')).toContain('Sup3rS3cret');
  });
});
