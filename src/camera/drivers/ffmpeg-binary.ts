import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';
import { findExecutable } from '../../process/executable-path';

const run = promisify(execFile);

export interface FfmpegBinary {
  readonly path: string;
  /** RTSP socket timeout option: -stimeout before ffmpeg 5, -timeout since (where 4.x meant "listen"). */
  readonly rtspTimeoutOption: '-stimeout' | '-timeout';
}

/** The binary shipped by @ffmpeg-installer/ffmpeg for this platform, if it is installed. */
function bundledFfmpeg(): string | undefined {
  try {
    return (createRequire(__filename)('@ffmpeg-installer/ffmpeg') as { path: string }).path;
  } catch {
    return undefined;
  }
}

/**
 * FFMPEG_PATH if set, else the system's ffmpeg (which may use hardware codecs), else the one
 * shipped by npm, so a fresh clone can run the ffmpeg driver and its tests with nothing installed.
 */
export async function findFfmpeg(configured?: string): Promise<FfmpegBinary> {
  let path: string | undefined;
  if (configured !== undefined) {
    path = await findExecutable(configured);
    if (path === undefined) throw new Error(`FFMPEG_PATH=${configured} is not an executable file`);
  } else {
    path = (await findExecutable('ffmpeg')) ?? bundledFfmpeg();
    if (path === undefined || (await findExecutable(path)) === undefined) {
      throw new Error('ffmpeg not found: install it (sudo apt install ffmpeg) or set FFMPEG_PATH');
    }
  }
  let stdout: string;
  try {
    ({ stdout } = await run(path, ['-hide_banner', '-h', 'demuxer=rtsp'], { timeout: 10_000 }));
  } catch (error) {
    // Not its message: it repeats the whole command line, path and all.
    const { code, signal, stderr } = error as { code?: number; signal?: string; stderr?: string };
    const said = (stderr ?? '').trim().split('\n').at(-1)?.slice(0, 200) ?? '';
    const how = signal ? `was killed by ${signal}` : `exited with code ${code ?? '?'}`;
    // No `cause`: the caught error carries the command line (spawnargs), which may hold secrets.
    // eslint-disable-next-line preserve-caught-error
    throw new Error(
      `${configured === undefined ? 'ffmpeg' : 'FFMPEG_PATH'} does not run as ffmpeg: it ${how}${said ? `: ${said}` : ''}`,
    );
  }
  return { path, rtspTimeoutOption: stdout.includes('-stimeout') ? '-stimeout' : '-timeout' };
}
