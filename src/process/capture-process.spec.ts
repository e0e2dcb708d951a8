import { execFileSync } from 'node:child_process';
import { createRedactor } from '../common/redact-secrets';
import { captureProcessOutput } from './capture-process';
import { StderrLog } from './stderr-log';

const node = process.execPath;
const script = (code: string): string[] => ['-e', code];

/** Whether a process still exists, as anything (a zombie included). */
function processExists(pid: number): boolean {
  try {
    return (
      execFileSync('ps', ['-o', 'stat=', '-p', String(pid)], { encoding: 'utf8' }).trim() !== ''
    );
  } catch {
    return false;
  }
}

function collectingLogger(): { lines: string[]; warn(message: string): void } {
  const lines: string[] = [];
  return { lines, warn: (message) => lines.push(message) };
}

/** Reads everything; `into.output` keeps what arrived even if the iteration throws. */
async function drain(iterable: AsyncIterable<Buffer>, into = { output: '' }): Promise<string> {
  for await (const chunk of iterable) into.output += chunk.toString();
  return into.output;
}

describe(captureProcessOutput.name, () => {
  it('yields stdout and explains an exit with its last stderr lines', async () => {
    const logger = collectingLogger();
    const run = captureProcessOutput({
      command: node,
      args: script(
        "process.stdout.write('frame-bytes'); console.error('/dev/video0: No such file or directory'); process.exit(1)",
      ),
      signal: new AbortController().signal,
      name: 'ffmpeg',
      logger,
    });
    const received = { output: '' };
    await expect(drain(run, received)).rejects.toThrow(
      'ffmpeg exited with code 1: /dev/video0: No such file or directory',
    );
    expect(received.output).toBe('frame-bytes');
    expect(logger.lines).toContain('ffmpeg: /dev/video0: No such file or directory');
  });

  it('reports a missing binary clearly', async () => {
    const run = captureProcessOutput({
      command: '/nonexistent/bin/ffmpeg',
      args: [],
      signal: new AbortController().signal,
      name: 'ffmpeg',
      logger: collectingLogger(),
    });
    await expect(drain(run)).rejects.toThrow(
      'ffmpeg not found: /nonexistent/bin/ffmpeg does not exist',
    );
  });

  it('stops the process with SIGTERM on abort and reaps it', async () => {
    const abort = new AbortController();
    const logger = collectingLogger();
    let pid = 0;
    const run = captureProcessOutput({
      command: node,
      args: script("console.log(process.pid); setInterval(() => process.stdout.write('x'), 20)"),
      signal: abort.signal,
      name: 'camera',
      logger,
    });
    for await (const chunk of run) {
      pid ||= Number(chunk.toString().split('\n')[0]);
      abort.abort();
    }
    expect(pid).toBeGreaterThan(0);
    expect(processExists(pid)).toBe(false);
  });

  it('falls back to SIGKILL for a process that ignores SIGTERM, and still reaps it', async () => {
    const abort = new AbortController();
    let pid = 0;
    const started = Date.now();
    const run = captureProcessOutput({
      command: node,
      args: script(
        "process.on('SIGTERM', () => {}); console.log(process.pid); setInterval(() => {}, 1000)",
      ),
      signal: abort.signal,
      name: 'stubborn',
      logger: collectingLogger(),
      killTimeoutMs: 300,
    });
    for await (const chunk of run) {
      pid = Number(chunk.toString().trim());
      setTimeout(() => abort.abort(), 100);
    }
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    expect(processExists(pid)).toBe(false);
  });

  it('stops the process when the consumer stops reading early', async () => {
    let pid = 0;
    const run = captureProcessOutput({
      command: node,
      args: script("console.log(process.pid); setInterval(() => process.stdout.write('x'), 10)"),
      signal: new AbortController().signal,
      name: 'camera',
      logger: collectingLogger(),
    });
    for await (const chunk of run) {
      pid = Number(chunk.toString().split('\n')[0]);
      break;
    }
    expect(processExists(pid)).toBe(false);
  });

  it('drains a flood of stderr without blocking the process, logging only a bounded amount', async () => {
    const logger = collectingLogger();
    const run = captureProcessOutput({
      command: node,
      // Respects backpressure and exits naturally, so the child itself loses no output.
      args: script(
        "let i = 0; const more = () => { while (i < 20000) if (!process.stderr.write('warning ' + i++ + '\\n')) return process.stderr.once('drain', more); process.stdout.write('done'); process.exitCode = 3; }; more();",
      ),
      signal: new AbortController().signal,
      name: 'noisy',
      logger,
    });
    const received = { output: '' };
    await expect(drain(run, received)).rejects.toThrow(
      'noisy exited with code 3: warning 19998 / warning 19999',
    );
    expect(received.output).toBe('done');
    expect(logger.lines.length).toBeLessThan(30);
    expect(logger.lines.at(-1)).toMatch(/more line\(s\) of output not shown/);
  });
});

describe(`${captureProcessOutput.name} with credentials in its arguments`, () => {
  const source = 'rtsp://admin:S3cr3tPa55@127.0.0.1:9/live';
  // Prints what ffmpeg prints for a refused RTSP connection, plus the password on its own.
  const failing = script(
    `console.error(process.argv[1] + ': Connection refused'); console.error('tried S3cr3tPa55'); process.exit(1)`,
  );

  it('masks them in every logged line and in the error it throws', async () => {
    const logger = collectingLogger();
    const run = captureProcessOutput({
      command: node,
      args: [...failing, source],
      signal: new AbortController().signal,
      name: 'ffmpeg',
      logger,
      redact: createRedactor(source),
    });
    const failure = await drain(run).catch((error: Error) => error);
    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).message).toBe(
      'ffmpeg exited with code 1: rtsp://***:***@127.0.0.1:9/live: Connection refused / tried ***',
    );
    expect(logger.lines).toEqual([
      'ffmpeg: rtsp://***:***@127.0.0.1:9/live: Connection refused',
      'ffmpeg: tried ***',
    ]);
  });

  it('masks URL credentials by pattern when it is given no redaction', async () => {
    const logger = collectingLogger();
    const run = captureProcessOutput({
      command: node,
      args: [...failing, source],
      signal: new AbortController().signal,
      name: 'ffmpeg',
      logger,
    });
    await expect(drain(run)).rejects.toThrow('rtsp://***:***@127.0.0.1:9/live: Connection refused');
    expect(logger.lines[0]).toBe('ffmpeg: rtsp://***:***@127.0.0.1:9/live: Connection refused');
  });
});

describe(StderrLog.name, () => {
  it('logs at most maxLines per window and says how many it left out', () => {
    let now = 0;
    const lines: string[] = [];
    const sut = new StderrLog(
      'ffmpeg',
      { warn: (line) => lines.push(line) },
      { maxLines: 2, windowMs: 1000, keep: 3, now: () => now },
    );
    sut.write('a\nb\nc\nd\n');
    now = 1500;
    sut.write('e\npartial');
    sut.flush();
    expect(lines).toEqual([
      'ffmpeg: a',
      'ffmpeg: b',
      'ffmpeg: 2 more line(s) of output not shown',
      'ffmpeg: e',
      'ffmpeg: partial',
    ]);
    expect(sut.lastLines()).toEqual(['d', 'e', 'partial']);
  });
});
