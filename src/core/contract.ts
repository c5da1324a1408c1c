/**
 * The core contract: what both cores (rust over russh + napi-rs, ssh2 in TypeScript) implement.
 * One conformance suite (test/integration) runs against both.
 */
import type { CoreName, ErrorCode, FailureCause, SshError } from './errors.js';
import type { TypedEmitter } from './emitter.js';

export type SessionState =
  | 'connecting'
  | 'ready'
  | 'degraded'
  | 'reconnecting'
  | 'manual_reconnect_required'
  | 'auth_failed'
  | 'host_key_mismatch'
  | 'closed';

/** States with a connection in use or being made; a pool keeps the process alive while any exists. */
export const ACTIVE_STATES: ReadonlySet<SessionState> = new Set(['connecting', 'ready', 'degraded', 'reconnecting']);

export interface StateEvent {
  sessionId: string;
  state: SessionState;
  previous: SessionState;
  cause?: FailureCause;
  code?: ErrorCode;
  message?: string;
  /** Wall-clock time of the transition, ms since the Unix epoch. */
  atMs: number;
}

/** How the server's host key is checked. */
export type HostKeyOptions =
  /** Only the key with this `SHA256:...` fingerprint is accepted. */
  | { policy: 'fingerprint'; fingerprint: string }
  /** The key must be listed for host:port in this known_hosts file. */
  | { policy: 'known-hosts'; path: string }
  /**
   * The first key seen for host:port in this pool is pinned and later connections must present it
   * (meant for the lab). With `knownHostsPath`, keys listed there are enforced and new ones added.
   */
  | { policy: 'accept-new'; knownHostsPath?: string };

export interface SessionOptions {
  host: string;
  /** @default 22 */
  port?: number;
  username: string;
  /** Password authentication. Never logged. */
  password?: string;
  /** Private-key authentication from a file (OpenSSH or PEM format). */
  privateKeyPath?: string;
  /** Private-key authentication from key text. Never logged. */
  privateKey?: string;
  /** Passphrase of an encrypted private key. Never logged. */
  passphrase?: string;
  /** Required: there is no silent trust of an unknown server. */
  hostKey: HostKeyOptions;
  /** TCP connect + handshake + authentication. @default 10000 */
  connectTimeoutMs?: number;
  /** A keepalive request when the link has been quiet this long. @default 2000 */
  keepaliveIntervalMs?: number;
  /** Unanswered keepalives before the link is declared dead. @default 3 */
  keepaliveCountMax?: number;
  /** Cipher names in preference order; an unknown name is a BAD_OPTION error. @default the core's safe list */
  ciphers?: string[];
}

export interface ShellOptions {
  /** @default 'xterm-256color' */
  term?: string;
  /** @default 80 */
  cols?: number;
  /** @default 24 */
  rows?: number;
}

export interface ExecOptions {
  /** The command fails with EXEC_TIMEOUT after this long. @default 30000 */
  timeoutMs?: number;
  /** Streams stdout here instead of collecting it in the result. */
  onStdout?: (chunk: Buffer) => void;
  /** Streams stderr here instead of collecting it in the result. */
  onStderr?: (chunk: Buffer) => void;
}

export interface ExecResult {
  stdout: Buffer;
  stderr: Buffer;
  /** null when the command ended by a signal or the server sent no status. */
  exitCode: number | null;
  signal: string | null;
  /** Bytes received, counted also when streamed. */
  stdoutBytes: number;
  stderrBytes: number;
}

export interface ShellExit {
  code: number | null;
  signal: string | null;
  /** Set when the shell ended because the connection did. */
  error?: SshError;
}

export type ShellEvents = {
  data: (chunk: Buffer) => void;
  exit: (exit: ShellExit) => void;
};

export interface Shell extends TypedEmitter<ShellEvents> {
  /** Queues input for the remote terminal; never blocks. */
  write(data: string | Buffer): void;
  resize(cols: number, rows: number): Promise<void>;
  /** Sends EOF and closes the channel. */
  close(): void;
  /** Resolves when the shell ends, however it ends. */
  readonly exited: Promise<ShellExit>;
}

export type SessionEvents = {
  state: (event: StateEvent) => void;
};

export interface Session extends TypedEmitter<SessionEvents> {
  readonly id: string;
  readonly core: CoreName;
  readonly state: SessionState;
  /** Connects and authenticates; rejects with an SshError and leaves a failure state. */
  connect(): Promise<void>;
  openShell(options?: ShellOptions): Promise<Shell>;
  exec(command: string, options?: ExecOptions): Promise<ExecResult>;
  /** Ends the session for good (state `closed`, cause `client`). */
  close(): Promise<void>;
}

export type PoolEvents = {
  state: (event: StateEvent) => void;
};

export interface Pool extends TypedEmitter<PoolEvents> {
  readonly core: CoreName;
  /** A new session, not yet connected: subscribe to its events, then call `connect()`. */
  createSession(options: SessionOptions): Session;
  /** createSession + connect. */
  open(options: SessionOptions): Promise<Session>;
  readonly sessions: readonly Session[];
  /** Closes every session; the process can then exit by itself. */
  close(): Promise<void>;
}
