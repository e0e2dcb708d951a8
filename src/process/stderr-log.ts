import { type Redact, redactUrls } from '../common/redact-secrets';

export interface LineLogger {
  warn(message: string): void;
}

export interface StderrLogOptions {
  /** Masks credentials: a process prints its input URL, password included, in its errors. */
  readonly redact?: Redact;
  readonly maxLines?: number;
  readonly windowMs?: number;
  /** How many of the last lines are kept to explain an exit. */
  readonly keep?: number;
  readonly now?: () => number;
}

/**
 * A child's stderr, logged line by line but never flooding the log: at most `maxLines` lines per
 * `windowMs`, then a count of what was left out. The last few lines are kept to explain an exit.
 * Lines are redacted only when they are logged or read, so a chatty process costs no more than
 * before.
 */
export class StderrLog {
  private partial = '';
  private windowStart = 0;
  private linesInWindow = 0;
  private suppressed = 0;
  private readonly recent: string[] = [];
  private readonly redact: Redact;
  private readonly maxLines: number;
  private readonly windowMs: number;
  private readonly keep: number;
  private readonly now: () => number;

  constructor(
    private readonly name: string,
    private readonly logger: LineLogger,
    options: StderrLogOptions = {},
  ) {
    this.redact = options.redact ?? redactUrls;
    this.maxLines = options.maxLines ?? 20;
    this.windowMs = options.windowMs ?? 10_000;
    this.keep = options.keep ?? 5;
    this.now = options.now ?? Date.now;
  }

  write(text: string): void {
    const lines = (this.partial + text).split(/\r?\n|\r/);
    this.partial = lines.pop() ?? '';
    for (const line of lines) this.line(line);
  }

  /** Logs what is left of an unterminated last line. */
  flush(): void {
    if (this.partial !== '') this.line(this.partial);
    this.partial = '';
    this.reportSuppressed();
  }

  /** The last lines written, newest last, redacted. */
  lastLines(): string[] {
    return this.recent.map((line) => this.redact(line));
  }

  private line(raw: string): void {
    const line = raw.trim();
    if (line === '') return;
    this.recent.push(line);
    if (this.recent.length > this.keep) this.recent.shift();
    const now = this.now();
    if (now - this.windowStart >= this.windowMs) {
      this.reportSuppressed();
      this.windowStart = now;
      this.linesInWindow = 0;
    }
    if (this.linesInWindow < this.maxLines) {
      this.linesInWindow += 1;
      this.logger.warn(`${this.name}: ${this.redact(line)}`);
    } else {
      this.suppressed += 1;
    }
  }

  private reportSuppressed(): void {
    if (this.suppressed === 0) return;
    this.logger.warn(`${this.name}: ${this.suppressed} more line(s) of output not shown`);
    this.suppressed = 0;
  }
}
