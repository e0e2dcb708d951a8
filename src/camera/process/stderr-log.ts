export interface LineLogger {
  warn(message: string): void;
}

/**
 * A child's stderr, logged line by line but never flooding the log: at most `maxLines` lines per
 * `windowMs`, then a count of what was left out. The last few lines are kept to explain an exit.
 */
export class StderrLog {
  private partial = '';
  private windowStart = 0;
  private linesInWindow = 0;
  private suppressed = 0;
  private readonly recent: string[] = [];

  constructor(
    private readonly name: string,
    private readonly logger: LineLogger,
    private readonly maxLines = 20,
    private readonly windowMs = 10_000,
    private readonly keep = 5,
    private readonly now: () => number = Date.now,
  ) {}

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

  /** The last lines written, newest last. */
  lastLines(): string[] {
    return [...this.recent];
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
      this.logger.warn(`${this.name}: ${line}`);
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
