import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';

/** What a WHEP session's answer and resource look like to a player. */
export interface WhepReply {
  readonly status: number;
  readonly headers: Headers;
  readonly body: string;
}

export interface WhepClientStats {
  /** RTP packets received for the SSRC the answer announced. */
  packets: number;
  /** RTP packets with another SSRC (there must be none). */
  strayPackets: number;
  bytes: number;
  /** RTP packets that ended a picture (marker bit). */
  pictures: number;
  /** When the first RTP packet arrived (ms since the epoch), 0 before. */
  firstPacketAt: number;
}

const VIEWER = join(__dirname, '../fixtures/whep-viewer.mjs');

export interface Message {
  readonly type: string;
  readonly [key: string]: unknown;
}

/**
 * A WHEP player (test/fixtures/whep-viewer.mjs: RFC 9725, HTTP and SDP, no camfeed code) in a
 * child process, as real players are: its peer connection never shares a process, or the native
 * library's threads, with the server's, and a test can freeze it.
 */
export class WhepClient {
  stats: WhepClientStats = { packets: 0, strayPackets: 0, bytes: 0, pictures: 0, firstPacketAt: 0 };
  state = 'new';
  /** The session's resource, from the answer's Location. */
  location: string | undefined;
  private child: ChildProcessByStdio<Writable, Readable, Readable> | undefined;
  private readonly listeners = new Set<(message: Message) => void>();
  /** Every message of the player, in order (OPTIONS and PATCH answers among them). */
  readonly messages: Message[] = [];
  private recordingFile: string | undefined;

  constructor(private readonly endpoint: string) {}

  /** The player's process id, once connecting. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** When the player last started to offer (a time to measure the server's answer and media from). */
  offeredAt = 0;

  /** Posts the offer; resolves with the server's reply (the player applies a 201's answer). */
  async connect(
    headers: Record<string, string> = {},
    /** Play like Mainsail's player: OPTIONS first, video and audio, candidates by PATCH. */
    trickle = false,
  ): Promise<WhepReply> {
    const options = JSON.stringify({ headers, record: this.recordingFile, trickle });
    let reply: Message;
    for (let attempt = 1; ; attempt++) {
      this.offeredAt = Date.now();
      const child = spawn(process.execPath, [VIEWER, this.endpoint, options], {
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      this.child = child;
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        process.stderr.write(chunk);
      });
      createInterface({ input: child.stdout }).on('line', (line) => {
        const message = JSON.parse(line) as Message;
        if (message.type === 'stats') this.stats = message as unknown as WhepClientStats;
        else this.messages.push(message);
        if (message.type === 'state') this.state = message.state as string;
        for (const listener of this.listeners) listener(message);
      });
      try {
        reply = await this.next('reply');
        break;
      } catch (error) {
        // node-datachannel as the offering side, on a busy machine, now and then fails to apply
        // a good answer ("Got a remote candidate without ICE transport"): the player's glitch,
        // not the server's. Browsers, the real offerers, are not affected; the player offers again.
        if (attempt === 3 || !/without ICE transport/.test(stderr)) throw error;
      }
    }
    const replyHeaders = new Headers(reply.headers as Record<string, string>);
    const location = replyHeaders.get('location');
    if (reply.status === 201 && location !== null)
      this.location = new URL(location, this.endpoint).toString();
    return { status: reply.status as number, headers: replyHeaders, body: reply.body as string };
  }

  /**
   * Connects and waits for media. A peer connection that carries none within `timeoutMs` (now
   * and then node-datachannel, as the offering side on a loaded machine, never completes ICE) is
   * ended (DELETE) and the player offers again, at most three times in all: the test is about the
   * server's media, not the player library's luck.
   */
  async play(timeoutMs = 10_000): Promise<WhepReply> {
    for (let attempt = 1; ; attempt++) {
      const reply = await this.connect();
      if (reply.status !== 201) return reply;
      const deadline = Date.now() + timeoutMs;
      while (this.stats.packets === 0 && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 20));
      if (this.stats.packets > 0 || attempt === 3) return reply;
      await this.disconnect().catch(() => 0);
      this.stats = { packets: 0, strayPackets: 0, bytes: 0, pictures: 0, firstPacketAt: 0 };
      this.location = undefined;
    }
  }

  /** Keeps the H.264 received from now on (from the first packet if not connected yet). */
  record(): void {
    this.recordingFile = join(mkdtempSync(join(tmpdir(), 'camfeed-whep-')), 'received.h264');
    writeFileSync(this.recordingFile, '');
    this.child?.stdin.write(`record ${this.recordingFile}\n`);
  }

  /** The H.264 recorded so far, as an Annex B byte stream. */
  recording(): Buffer {
    return this.recordingFile === undefined ? Buffer.alloc(0) : readFileSync(this.recordingFile);
  }

  /** Ends the session as a player does: DELETE of its resource, then closing its side. */
  async disconnect(headers: Record<string, string> = {}): Promise<number> {
    const child = this.child;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return 0;
    const deleted = this.next('deleted');
    child.stdin.write(`delete ${JSON.stringify(headers)}\n`);
    const { status } = await deleted;
    await new Promise((resolve) =>
      child.exitCode !== null ? resolve(0) : child.once('exit', resolve),
    );
    return status as number;
  }

  /** Stops the player's process (as a player that stopped reading: SIGSTOP), or ends it. */
  signal(signal: 'SIGSTOP' | 'SIGCONT' | 'SIGKILL'): void {
    this.child?.kill(signal);
  }

  /** Ends the player's process without a DELETE (a player that vanished). */
  async close(): Promise<void> {
    const child = this.child;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }

  private async next(type: string): Promise<Message> {
    const child = this.child!;
    return new Promise((resolve, reject) => {
      const onExit = (): void => reject(new Error(`the WHEP player exited before "${type}"`));
      const listener = (message: Message): void => {
        if (message.type !== type) return;
        this.listeners.delete(listener);
        child.off('exit', onExit);
        resolve(message);
      };
      this.listeners.add(listener);
      child.once('exit', onExit);
    });
  }
}
