import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export interface RtspServer {
  /** rtsp://127.0.0.1:PORT/camera */
  readonly url: string;
  readonly pid: number;
  stop(): Promise<void>;
}

export interface RtspServerOptions {
  readonly width: number;
  readonly height: number;
  readonly framerate: number;
  readonly keyframeIntervalFrames: number;
}

const SCRIPT = join(__dirname, '..', 'fixtures', 'rtsp-server.py');

/**
 * A live H.264 camera on RTSP (GStreamer's RTSP server, test/fixtures/rtsp-server.py), started
 * once it listens. Debian's python3-gi is for Debian's python3, not another one first on PATH.
 */
export async function startRtspServer(options: RtspServerOptions): Promise<RtspServer> {
  const python = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
  const child: ChildProcess = spawn(
    python,
    [
      SCRIPT,
      String(options.width),
      String(options.height),
      String(options.framerate),
      String(options.keyframeIntervalFrames),
    ],
    // Its stdin open for as long as this process lives: it stops when that closes.
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (text: string) => {
    stderr += text;
  });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the RTSP server did not start within 15 s: ${stderr}`));
    }, 15_000);
    child.stdout?.setEncoding('utf8');
    child.stdout?.once('data', (text: string) => {
      clearTimeout(timer);
      resolve(Number(text.trim()));
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the RTSP server exited with code ${code}: ${stderr.trim()}`));
    });
  });
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  return {
    url: `rtsp://127.0.0.1:${port}/camera`,
    pid: child.pid ?? 0,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}
