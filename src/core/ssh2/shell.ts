/**
 * The logical PTY shell of the ssh2 core. It outlives connections: after a reconnect the session
 * reopens it with the same term and size and it emits 'reopen' (the remote shell is new).
 *
 * Flow control: ssh2 grants a channel's window only as its stream is read, so pausing the stream
 * makes the server stop sending on that channel once the window is used (ssh2 buffers up to about
 * 2 MiB, and the server may send the window it still has), while the connection's other channels
 * and keepalives go on. The pause belongs to the shell, not to one channel: a reopened channel
 * starts paused, and what a lost channel still held waits, in order, ahead of the 'reopen'.
 */
import type { ClientChannel } from 'ssh2';
import type { ShellExit } from '../contract.js';
import { SshError } from '../errors.js';
import { setup, unanswered } from './channel.js';
import type { ResolvedShellOptions } from '../options.js';
import { BaseShell } from '../shell-base.js';
import type { Connection } from './connect.js';

/**
 * Opens a PTY shell channel on `conn` for `shell` (attached as soon as ssh2 hands it over); the
 * open and both requests must be answered within `requestTimeoutMs`.
 */
export async function openShellStream(conn: Connection, shell: Ssh2Shell, requestTimeoutMs: number): Promise<void> {
  const req = shell.request;
  await setup(
    conn,
    requestTimeoutMs,
    unanswered('channel open, pty and shell requests', requestTimeoutMs),
    (cb) => conn.client.shell({ term: req.term, cols: req.cols, rows: req.rows, width: 0, height: 0 }, cb),
    (stream) => shell.attach(stream, conn),
    (stream) => stream.close(),
  );
}

/** Held output is handed on in pieces of at most this size, so a reader can pause again between them. */
const HELD_PIECE_BYTES = 32 * 1024;

/** The channel the shell reads now. */
interface Attached {
  stream: ClientChannel;
  onData: (chunk: Buffer) => void;
  /** The remote end's exit status, once it came (the channel closes after its output is read). */
  exit?: { code: number | null; signal: string | null };
}

/** How a shell ends: `deliver` keeps its output for the reader (after a resume, if paused); `discard` drops it. */
export type ShellEnding = 'deliver' | 'discard';

export class Ssh2Shell extends BaseShell {
  readonly request: ResolvedShellOptions;
  readonly canPause = true;
  #attached: Attached | undefined;
  #generation = 0;
  /** No channel will be opened for it again (its exit may still wait behind a pause). */
  #ended = false;

  constructor(request: ResolvedShellOptions) {
    super();
    this.request = { ...request };
  }

  get ended(): boolean {
    return this.#ended;
  }

  /** Ended, and its exit delivered (not waiting behind a pause). */
  get done(): boolean {
    return this.#ended && !this.holding;
  }

  attach(stream: ClientChannel, conn: Connection): void {
    if (this.#ended) {
      // Closed by its owner while the channel opened (a reopen after a reconnect).
      stream.close();
      return;
    }
    const generation = ++this.#generation;
    const onData = (chunk: Buffer) => this.deliver(chunk);
    const attached: Attached = { stream, onData };
    this.#attached = attached;
    // Paused before the first listener, so the channel is not read (nor its window granted) until resume().
    if (this.paused) {
      stream.pause();
      stream.stderr.pause();
    }
    stream.on('data', onData);
    stream.stderr.on('data', onData);
    stream.on('exit', (code: number | null, signal?: string) => {
      attached.exit = { code: code ?? null, signal: signal ?? null };
    });
    stream.on('error', () => {});
    // ssh2 emits 'close' only after the stream's output was read: a paused shell ends after resume().
    stream.on('close', () => {
      if (generation !== this.#generation) return;
      // Closed because the connection ended: the session reopens or ends the shell.
      if (!attached.exit && conn.lost) return;
      this.terminate(attached.exit ?? { code: null, signal: null }, 'deliver');
    });
  }

  /**
   * The connection is gone. What the channel still holds stays the reader's (delivered now, or on
   * resume() if paused); the session reopens the shell or ends it, as the Rust core does, even when
   * the remote end's exit status came before the channel closed.
   */
  suspend(): void {
    this.#detach(true);
  }

  /** Reopened on a new connection; a paused shell's 'reopen' waits for resume(), behind the old remote shell's output. */
  reopened(): void {
    this.arrive({ reopenAtMs: Date.now() });
  }

  /** Ends the shell: no channel is opened for it again; see {@link ShellEnding} for its output. */
  terminate(exit: ShellExit, output: ShellEnding): void {
    const first = !this.#ended;
    this.#ended = true;
    if (output === 'discard') {
      this.dropHeld();
      const attached = this.#detach(false);
      // Read what is left into nothing, so the server is not held up until the channel closes.
      attached?.stream.resume();
      attached?.stream.stderr.resume();
      this.end(exit);
      return;
    }
    if (!first) return;
    this.#detach(true);
    this.arrive({ exit });
  }

  /** ssh2 stops reading a paused stream, and grants its window only as it is read. */
  protected override holdSource(held: boolean): void {
    const stream = this.#attached?.stream;
    if (!stream) return;
    if (held) {
      stream.pause();
      stream.stderr.pause();
    } else {
      stream.resume();
      stream.stderr.resume();
    }
  }

  /** Stops reading the current channel; with `keep`, output it still buffers goes on to the reader (held behind a pause). */
  #detach(keep: boolean): Attached | undefined {
    this.#generation++;
    const attached = this.#attached;
    this.#attached = undefined;
    if (!attached) return undefined;
    const { stream, onData } = attached;
    stream.off('data', onData);
    stream.stderr.off('data', onData);
    if (!keep) return attached;
    // A PTY has one stream: the server sends no stderr on it, so their order cannot be mixed up here.
    for (const readable of [stream, stream.stderr]) {
      for (let rest = readable.read() as Buffer | null; rest; rest = readable.read() as Buffer | null) {
        for (let at = 0; at < rest.length; at += HELD_PIECE_BYTES) this.arrive({ data: rest.subarray(at, at + HELD_PIECE_BYTES) });
      }
    }
    return attached;
  }

  protected writeRaw(data: Buffer): void {
    // Ended, its exit waiting behind a pause.
    if (this.#ended) throw new SshError('NOT_CONNECTED', 'the shell has ended');
    const stream = this.#attached?.stream;
    if (!stream) throw new SshError('NOT_CONNECTED', 'session is not connected (state reconnecting)');
    stream.write(data);
  }

  protected async resizeRaw(cols: number, rows: number): Promise<void> {
    this.request.cols = cols;
    this.request.rows = rows;
    this.#attached?.stream.setWindow(rows, cols, 0, 0);
  }

  protected closeRaw(): void {
    const stream = this.#attached?.stream;
    this.terminate({ code: null, signal: null }, 'discard');
    if (stream) {
      stream.end();
      stream.close();
    }
  }
}
