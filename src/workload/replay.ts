/**
 * The workload floor: the byte streams a server sends during the resource phase, replayed into the
 * same JS workload in the client worker with no SSH, no socket and no core. The sequence stream
 * arrives as the lab writes it (one write per tick: a line every 10 ms at mid load), exec output is
 * this machine's own /proc text (what the lab's `cat` sends, read once), and the echo shell echoes
 * what is typed. What the worker then spends is the workload's own cost: a core's CPU above it is
 * the core's.
 *
 * Only the calls the worker makes are real: sessions never fail, and there is nothing to
 * reconnect. It is a bench tool, not a core; `core` says which core's pool type it stands in for.
 */
import { readFileSync } from 'node:fs';
import type {
  ExecOptions,
  ExecResult,
  Pool,
  PoolEvents,
  Session,
  SessionEvents,
  SessionOptions,
  SessionState,
  Shell,
  ShellEvents,
  ShellExit,
} from '../core/contract.js';
import { TypedEmitter } from '../core/emitter.js';
import { SshError } from '../core/errors.js';
import type { Load } from '../record/record.js';
import { SEQ_LINE_BYTES } from './seq.js';

/** The lab's schedules (crates/ssh-lab seqstream.rs): tick period and lines per tick. */
const SCHEDULE: Record<Load, { periodMs: number; lines: number }> = {
  low: { periodMs: 1_000, lines: 1 },
  mid: { periodMs: 10, lines: 1 },
  high: { periodMs: 10, lines: 100 },
};
const BLOCK_LINES = 1_000;
const LINE = SEQ_LINE_BYTES + 1; // on a PTY each line ends with \r\n

/** Lines `first..first+BLOCK_LINES-1` as a PTY sends them, built once per block for every session. */
class Lines {
  #blocks = new Map<number, Buffer>();

  block(index: number): Buffer {
    let b = this.#blocks.get(index);
    if (!b) {
      b = Buffer.alloc(BLOCK_LINES * LINE);
      for (let i = 0; i < BLOCK_LINES; i++) {
        const seq = index * BLOCK_LINES + i + 1;
        const at = i * LINE;
        b.write(`SEQ ${String(seq % 100_000_000).padStart(8, '0')} `, at, 'latin1');
        for (let j = 0; j < SEQ_LINE_BYTES - 14; j++) b[at + 13 + j] = 97 + ((seq + j) % 26);
        b[at + LINE - 2] = 13;
        b[at + LINE - 1] = 10;
      }
      this.#blocks.set(index, b);
      // Every stream runs at the same pace: two blocks cover the ones being read.
      for (const k of this.#blocks.keys()) if (k < index - 1) this.#blocks.delete(k);
    }
    return b;
  }

  /** `count` lines from number `from` (1-based). */
  slice(from: number, count: number): Buffer {
    const parts: Buffer[] = [];
    for (let seq = from; seq < from + count; ) {
      const index = Math.floor((seq - 1) / BLOCK_LINES);
      const offset = (seq - 1) % BLOCK_LINES;
      const take = Math.min(count - (seq - from), BLOCK_LINES - offset);
      parts.push(this.block(index).subarray(offset * LINE, (offset + take) * LINE));
      seq += take;
    }
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  }
}

class ReplayShell extends TypedEmitter<ShellEvents> implements Shell {
  readonly exited: Promise<ShellExit>;
  #done!: (e: ShellExit) => void;
  #closed = false;
  #next = 0;
  readonly #pool: ReplayPool;

  constructor(pool: ReplayPool) {
    super();
    this.#pool = pool;
    this.exited = new Promise((r) => (this.#done = r));
  }

  write(data: string | Buffer): void {
    if (this.#closed) throw new SshError('NOT_CONNECTED', 'the shell was closed');
    const text = data.toString();
    if (/spike-stream/.test(text)) {
      this.#next = 1;
      this.#pool.streaming.add(this);
      return;
    }
    // A terminal echoes what is typed; a DEL erases the character before it.
    const echo = Buffer.from(text.replaceAll('\x7f', '\b \b'), 'latin1');
    setImmediate(() => !this.#closed && this.emit('data', echo));
  }

  /** One tick of the stream: the lines the lab writes in one go. */
  tick(lines: Lines, count: number): void {
    this.emit('data', lines.slice(this.#next, count));
    this.#next += count;
  }

  async resize(): Promise<void> {}

  /** The replay is the workload's floor with no flow control. */
  readonly canPause = false;
  readonly paused = false;
  pause(): boolean {
    return false;
  }
  resume(): void {}

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#pool.streaming.delete(this);
    const exit = { code: null, signal: null };
    this.#done(exit);
    this.emit('exit', exit);
  }
}

class ReplaySession extends TypedEmitter<SessionEvents> implements Session {
  readonly id: string;
  readonly core = 'ssh2' as const;
  #state: SessionState = 'closed';
  #shells: ReplayShell[] = [];
  readonly #pool: ReplayPool;

  constructor(pool: ReplayPool, id: string) {
    super();
    this.#pool = pool;
    this.id = id;
  }

  get state(): SessionState {
    return this.#state;
  }

  #to(state: SessionState): void {
    const previous = this.#state;
    this.#state = state;
    this.emit('state', { sessionId: this.id, state, previous, atMs: Date.now() });
  }

  async connect(): Promise<void> {
    this.#to('connecting');
    this.#to('ready');
  }

  async openShell(): Promise<Shell> {
    const s = new ReplayShell(this.#pool);
    this.#shells.push(s);
    return s;
  }

  async exec(_command: string, options: ExecOptions = {}): Promise<ExecResult> {
    const out = this.#pool.pollOutput;
    await new Promise((r) => setImmediate(r));
    if (options.onStdout) options.onStdout(out);
    return { stdout: options.onStdout ? Buffer.alloc(0) : out, stderr: Buffer.alloc(0), exitCode: 0, signal: null, stdoutBytes: out.length, stderrBytes: 0 };
  }

  async reconnect(): Promise<void> {}

  async close(): Promise<void> {
    for (const s of this.#shells) s.close();
    if (this.#state !== 'closed') this.#to('closed');
  }
}

export class ReplayPool extends TypedEmitter<PoolEvents> implements Pool {
  readonly core = 'ssh2' as const;
  readonly seed = 0;
  readonly streaming = new Set<ReplayShell>();
  readonly pollOutput: Buffer;
  #sessions: ReplaySession[] = [];
  #timer: NodeJS.Timeout;
  #lines = new Lines();

  constructor(load: Load) {
    super();
    // What `cat /proc/stat /proc/meminfo /proc/loadavg` sends from the lab (it runs here too).
    this.pollOutput = Buffer.concat(['/proc/stat', '/proc/meminfo', '/proc/loadavg'].map((p) => readFileSync(p)));
    const { periodMs, lines } = SCHEDULE[load];
    this.#timer = setInterval(() => {
      for (const s of this.streaming) s.tick(this.#lines, lines);
    }, periodMs);
  }

  get sessions(): readonly Session[] {
    return this.#sessions;
  }

  createSession(options: SessionOptions): Session {
    const s = new ReplaySession(this, options.targetId ? `${options.targetId}-${this.#sessions.length + 1}` : `replay-${this.#sessions.length + 1}`);
    this.#sessions.push(s);
    return s;
  }

  async open(options: SessionOptions): Promise<Session> {
    const s = this.createSession(options);
    await s.connect();
    return s;
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    for (const s of this.#sessions) await s.close();
  }
}
