/**
 * The logical PTY shell of the ssh2 core. It outlives connections: after a reconnect the session
 * reopens it with the same term and size and it emits 'reopen' (the remote shell is new).
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

export class Ssh2Shell extends BaseShell {
  readonly request: ResolvedShellOptions;
  #stream: ClientChannel | undefined;
  #generation = 0;
  #ended = false;

  constructor(request: ResolvedShellOptions) {
    super();
    this.request = { ...request };
  }

  get ended(): boolean {
    return this.#ended;
  }

  attach(stream: ClientChannel, conn: Connection): void {
    if (this.#ended) {
      // Closed by its owner while the channel opened (a reopen after a reconnect).
      stream.close();
      return;
    }
    const generation = ++this.#generation;
    this.#stream = stream;
    let exit: { code: number | null; signal: string | null } | undefined;
    stream.on('data', (chunk: Buffer) => this.deliver(chunk));
    stream.stderr.on('data', (chunk: Buffer) => this.deliver(chunk));
    stream.on('exit', (code: number | null, signal?: string) => {
      exit = { code: code ?? null, signal: signal ?? null };
    });
    stream.on('error', () => {});
    stream.on('close', () => {
      if (generation !== this.#generation) return;
      this.#stream = undefined;
      // Closed because the connection ended: the session reopens or ends the shell.
      if (!exit && conn.lost) return;
      this.terminate(exit ?? { code: null, signal: null });
    });
  }

  detach(): void {
    this.#generation++;
    this.#stream = undefined;
  }

  reopened(): void {
    this.emit('reopen', { atMs: Date.now() });
  }

  terminate(exit: ShellExit): void {
    this.#ended = true;
    this.detach();
    this.end(exit);
  }

  protected writeRaw(data: Buffer): void {
    if (!this.#stream) throw new SshError('NOT_CONNECTED', 'session is not connected (state reconnecting)');
    this.#stream.write(data);
  }

  protected async resizeRaw(cols: number, rows: number): Promise<void> {
    this.request.cols = cols;
    this.request.rows = rows;
    this.#stream?.setWindow(rows, cols, 0, 0);
  }

  protected closeRaw(): void {
    const stream = this.#stream;
    this.terminate({ code: null, signal: null });
    if (stream) {
      stream.end();
      stream.close();
    }
  }
}
