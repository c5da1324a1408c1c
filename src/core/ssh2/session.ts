/**
 * The ssh2 core: the same connection manager as crates/ssh-core, written in TypeScript over ssh2.
 * Same states, same error codes, same defaults; only the library underneath differs.
 */
import type { ClientChannel } from 'ssh2';
import {
  type ExecOptions,
  type ExecResult,
  type Session,
  type SessionEvents,
  type SessionState,
  type Shell,
  type ShellOptions,
  type StateEvent,
} from '../contract.js';
import { TypedEmitter } from '../emitter.js';
import { type FailureCause, SshError } from '../errors.js';
import { type ResolvedSessionOptions, resolveExecOptions, resolveShellOptions } from '../options.js';
import { BaseShell } from '../shell-base.js';
import { connect, type Connection } from './connect.js';
import type { PinnedKeys } from './hostkey.js';

function failureState(e: SshError): SessionState {
  if (e.code === 'AUTH_FAILED') return 'auth_failed';
  if (e.code === 'HOST_KEY_MISMATCH') return 'host_key_mismatch';
  return 'closed';
}

/** ssh2 throws synchronously ("Not connected") when the socket is already gone. */
function notConnected(err: unknown): SshError {
  return err instanceof SshError ? err : new SshError('NOT_CONNECTED', `ssh2: ${(err as Error).message}`);
}

class Ssh2Shell extends BaseShell {
  #stream: ClientChannel;

  constructor(stream: ClientChannel, conn: Connection) {
    super();
    this.#stream = stream;
    let exit: { code: number | null; signal: string | null } | undefined;
    stream.on('data', (chunk: Buffer) => this.deliver(chunk));
    stream.stderr.on('data', (chunk: Buffer) => this.deliver(chunk));
    stream.on('exit', (code: number | null, signal?: string) => {
      exit = { code: code ?? null, signal: signal ?? null };
    });
    stream.on('close', () => {
      if (exit) this.end(exit);
      else this.end({ code: null, signal: null, error: conn.lost ?? new SshError('DISCONNECTED_BY_SERVER', `${conn.addr} closed the channel`) });
    });
    stream.on('error', () => {});
  }

  protected writeRaw(data: Buffer): void {
    this.#stream.write(data);
  }

  protected async resizeRaw(cols: number, rows: number): Promise<void> {
    this.#stream.setWindow(rows, cols, 0, 0);
  }

  close(): void {
    this.#stream.end();
    this.#stream.close();
  }
}

export class Ssh2Session extends TypedEmitter<SessionEvents> implements Session {
  readonly core = 'ssh2' as const;
  readonly id: string;
  #options: ResolvedSessionOptions;
  #pinned: PinnedKeys;
  #forward: (e: StateEvent) => void;
  #state: SessionState = 'closed';
  #conn: Connection | undefined;
  #epoch = 0;
  #connecting = false;
  #closedByUser = false;

  constructor(id: string, options: ResolvedSessionOptions, pinned: PinnedKeys, forward: (e: StateEvent) => void) {
    super();
    this.id = id;
    this.#options = options;
    this.#pinned = pinned;
    this.#forward = forward;
  }

  get state(): SessionState {
    return this.#state;
  }

  #transition(state: SessionState, cause?: FailureCause, error?: SshError): void {
    const event: StateEvent = { sessionId: this.id, state, previous: this.#state, atMs: Date.now() };
    if (cause) event.cause = cause;
    if (error) {
      event.code = error.code;
      event.message = error.message;
    }
    this.#state = state;
    this.emit('state', event);
    this.#forward(event);
  }

  async connect(): Promise<void> {
    if (this.#closedByUser) throw new SshError('NOT_CONNECTED', 'session is not connected (state closed)');
    if (this.#connecting) throw new SshError('BAD_OPTION', 'connect() is already in progress for this session');
    if (this.#conn) return;
    this.#connecting = true;
    this.#transition('connecting');
    let conn: Connection;
    try {
      conn = await connect(this.#options, this.#pinned);
    } catch (err) {
      this.#connecting = false;
      const e = err instanceof SshError ? err : new SshError('INTERNAL', String(err));
      if (!this.#closedByUser) this.#transition(failureState(e), e.cause, e);
      throw e;
    }
    this.#connecting = false;
    if (this.#closedByUser) {
      conn.client.end();
      throw new SshError('NOT_CONNECTED', 'session is not connected (state closed)');
    }
    const epoch = ++this.#epoch;
    this.#conn = conn;
    this.#transition('ready');
    void conn.ended.then((reason) => {
      if (this.#epoch !== epoch || this.#conn !== conn) return;
      this.#conn = undefined;
      this.#transition('closed', reason.cause, reason);
    });
  }

  #live(): Connection {
    if (!this.#conn) throw new SshError('NOT_CONNECTED', `session is not connected (state ${this.#state})`);
    return this.#conn;
  }

  async openShell(options?: ShellOptions): Promise<Shell> {
    const o = resolveShellOptions(options);
    const conn = this.#live();
    return new Promise((resolve, reject) => {
      try {
        conn.client.shell({ term: o.term, cols: o.cols, rows: o.rows, width: 0, height: 0 }, (err, stream) => {
          if (err) reject(conn.lost ?? new SshError('REQUEST_REJECTED', `the server refused the shell request: ${err.message}`));
          else resolve(new Ssh2Shell(stream, conn));
        });
      } catch (err) {
        reject(notConnected(err));
      }
    });
  }

  async exec(command: string, options?: ExecOptions): Promise<ExecResult> {
    const o = resolveExecOptions(command, options);
    const conn = this.#live();
    return new Promise((resolve, reject) => {
      let stream: ClientChannel | undefined;
      let done = false;
      const finish = (f: () => void) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        f();
      };
      const timer = setTimeout(() => {
        finish(() => reject(new SshError('EXEC_TIMEOUT', `command did not finish within ${o.timeoutMs} ms`)));
        stream?.close();
      }, o.timeoutMs);
      const stdout: Buffer[] = [];
      const stderr: Buffer[] = [];
      let stdoutBytes = 0;
      let stderrBytes = 0;
      let exit: { code: number | null; signal: string | null } | undefined;
      try {
        conn.client.exec(command, (err, s) => {
          if (err) {
            finish(() => reject(conn.lost ?? new SshError('CHANNEL_REJECTED', `the server refused the exec: ${err.message}`)));
            return;
          }
          if (done) {
            // Timed out before the server answered: do not leave the channel open.
            s.close();
            return;
          }
          stream = s;
          s.on('data', (chunk: Buffer) => {
            stdoutBytes += chunk.length;
            if (o.onStdout) o.onStdout(chunk);
            else stdout.push(chunk);
          });
          s.stderr.on('data', (chunk: Buffer) => {
            stderrBytes += chunk.length;
            if (o.onStderr) o.onStderr(chunk);
            else stderr.push(chunk);
          });
          s.on('exit', (code: number | null, signal?: string) => {
            exit = { code: code ?? null, signal: signal ?? null };
          });
          s.on('error', () => {});
          s.on('close', () => {
            if (!exit && conn.lost) {
              finish(() => reject(conn.lost));
              return;
            }
            finish(() =>
              resolve({
                stdout: Buffer.concat(stdout),
                stderr: Buffer.concat(stderr),
                exitCode: exit?.code ?? null,
                signal: exit?.signal ?? null,
                stdoutBytes,
                stderrBytes,
              }),
            );
          });
        });
      } catch (err) {
        finish(() => reject(notConnected(err)));
      }
    });
  }

  async close(): Promise<void> {
    if (this.#closedByUser) return;
    this.#closedByUser = true;
    const conn = this.#conn;
    this.#conn = undefined;
    if (this.#state !== 'closed' || conn) this.#transition('closed', 'client');
    if (conn) {
      await new Promise<void>((resolve) => {
        conn.client.once('close', () => resolve());
        conn.client.end();
        // A dead link may never confirm; do not wait on it.
        setTimeout(() => {
          conn.client.destroy();
          resolve();
        }, 1_000).unref();
      });
    }
  }
}
