/**
 * The core contract: what both cores (rust over russh + napi-rs, ssh2 in TypeScript) implement.
 * One conformance suite (test/integration) runs against both.
 */
import type { Contender, ErrorCode, FailureCause, SshError } from './errors.js';
import type { TypedEmitter } from './emitter.js';
import { ACTIVE_STATES as ACTIVE, type SessionState } from './tables.js';

export type { SessionState };

/** States with a connection in use or being made; a pool keeps the process alive while any exists. */
export const ACTIVE_STATES: ReadonlySet<SessionState> = new Set(ACTIVE);

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

/**
 * Check the key as this host's (and port's) instead of the address connected to, as OpenSSH's
 * `HostKeyAlias` does: for a connection through a proxy, a tunnel or a port forward.
 */
export interface HostKeyAlias {
  host: string;
  /** @default the session's port */
  port?: number;
}

/** How the server's host key is checked. */
export type HostKeyOptions =
  /** Only the key with this `SHA256:...` fingerprint is accepted. */
  | { policy: 'fingerprint'; fingerprint: string }
  /**
   * The key must be listed for host:port in this known_hosts file: plain names, `[host]:port`,
   * `*`/`?` patterns, `!` negations and hashed (`|1|`) entries, as OpenSSH writes them; a key
   * marked `@revoked` is refused.
   */
  | { policy: 'known-hosts'; path: string; hostKeyAlias?: HostKeyAlias }
  /**
   * The first key seen for host:port in this pool is pinned and later connections must present it
   * (meant for the lab). With `knownHostsPath`, keys listed there are enforced and new ones added.
   */
  | { policy: 'accept-new'; knownHostsPath?: string; hostKeyAlias?: HostKeyAlias };

/** How a session comes back after its link is lost (same defaults on both cores). */
export interface ReconnectOptions {
  /** Reconnect by itself after a loss. @default true */
  enabled?: boolean;
  /** Full-jitter backoff: before attempt n (from 0) wait random(0, min(maxDelayMs, baseDelayMs * 2^n)). @default 500 */
  baseDelayMs?: number;
  /** @default 4000 */
  maxDelayMs?: number;
  /** After this many attempts the session goes to `manual_reconnect_required`. @default 10 */
  maxAttempts?: number;
  /** ...or this long after the loss, whichever comes first. @default 20000 */
  budgetMs?: number;
  /** One attempt: TCP connect + handshake + authentication. @default 5000 */
  attemptTimeoutMs?: number;
  /**
   * A new connection must stay up this long before the budget starts afresh; one lost sooner goes
   * on spending the budget of the loss before it, so a server that drops every connection right
   * after authentication ends in `manual_reconnect_required`. @default 10000
   */
  gateTimeMs?: number;
}

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
  /**
   * A channel's setup (the open and its requests: pty and shell, or exec) not answered within this
   * time fails with REQUEST_TIMEOUT; a channel the server opened meanwhile is closed (an exec's
   * stopped first, as it may run). An exec's own timeoutMs still bounds the whole exec. @default 10000
   */
  requestTimeoutMs?: number;
  /** A keepalive request when the link has been quiet this long. @default 2000 */
  keepaliveIntervalMs?: number;
  /** Unanswered keepalives before the link is declared dead. @default 3 */
  keepaliveCountMax?: number;
  /** No inbound byte for this long makes the session `degraded` (kept, not torn down). @default 3000 */
  degradedAfterMs?: number;
  /** When a sibling session to the same target loses its link, this one is probed and declared dead if nothing arrives within this time. @default 2000 */
  probeTimeoutMs?: number;
  /** Cipher names in preference order; an unknown name is a BAD_OPTION error. @default the core's safe list */
  ciphers?: string[];
  /** Key-exchange names in preference order; an unknown name is a BAD_OPTION error. @default the core's list */
  kex?: string[];
  reconnect?: ReconnectOptions;
  /**
   * Sessions with the same targetId share the handshake limit and correlated detection: name the
   * server when sessions reach it through different addresses (a proxy). @default `${host}:${port}`
   */
  targetId?: string;
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
  /**
   * The command fails with EXEC_TIMEOUT after this long; it is then stopped (TERM, KILL after
   * killGraceMs) and its channel closed, so it does not keep one of the server's channel slots.
   * @default 30000
   */
  timeoutMs?: number;
  /**
   * Collected stdout plus stderr beyond this fail the exec with EXEC_OUTPUT_LIMIT (the command is
   * stopped as on a timeout). Output streamed to onStdout/onStderr is not collected nor capped.
   * @default 33554432 (32 MiB)
   */
  maxOutputBytes?: number;
  /** How long a stopped command gets after TERM before KILL, and after KILL before its channel is closed. @default 2000 */
  killGraceMs?: number;
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
  /** Reopened on a new connection after a reconnect (same term and size): the remote shell is new. */
  reopen: (event: { atMs: number }) => void;
};

export interface Shell extends TypedEmitter<ShellEvents> {
  /**
   * Queues input for the remote terminal; never blocks. Throws NOT_CONNECTED while the link is
   * down (the remote shell the input was meant for is gone) and after the shell ended or was
   * closed; BAD_OPTION when `data` is neither a string nor a Buffer.
   */
  write(data: string | Buffer): void;
  resize(cols: number, rows: number): Promise<void>;
  /**
   * Sends EOF and closes the channel. The shell ends at once: `exited` resolves and `exit` fires
   * (code and signal null) without waiting for the server, and later writes throw.
   */
  close(): void;
  /** Resolves when the shell ends, however it ends. */
  readonly exited: Promise<ShellExit>;
  /**
   * Whether this core can pause the shell's output on its own (see `pause`). Both cores can: ssh2
   * stops reading the channel (it grants the window as it reads); the Rust core holds the channel's
   * window (russh 0.65 grants it as data arrives, so the build patches in a per-channel hold, see
   * scripts/patch-russh.mjs). A contender that cannot says false rather than fake a pause.
   */
  readonly canPause: boolean;
  /**
   * Flow control, for a reader that draws slower than the server sends (as xterm.js's watermarks
   * do): no 'data', 'reopen' or 'exit' is emitted until `resume()`, and the core stops reading the
   * channel, so the server stops sending on it once the channel's window is used (a few MiB at
   * most wait in the core), while the connection's other channels and keepalives go on. Nothing is
   * lost or reordered. Returns true when the shell is paused (pausing a paused shell does nothing
   * more: pauses do not nest); false, changing nothing, when the core cannot pause (`canPause`).
   *
   * The pause belongs to the reader, and only `resume()` lifts it, across reconnects too: a shell
   * reopened while paused stays paused; on `resume()` come the output the old remote shell sent
   * before the link dropped, then 'reopen', then the new shell's output. A shell that ends while
   * paused (its remote end exits, or it cannot be reopened) emits 'exit' after `resume()`, once its
   * output is out. Its own `close()`, and the session's, end it at once and drop the output held.
   */
  pause(): boolean;
  /** Lifts a pause: what was held is delivered in order, then the channel is read again. Does nothing when not paused. */
  resume(): void;
  /** True between a `pause()` that returned true and `resume()`. */
  readonly paused: boolean;
}

/** A reconnect attempt about to start. */
export interface AttemptEvent {
  sessionId: string;
  /** 1 for the first attempt after a loss. */
  attempt: number;
  /** The jittered wait before it. */
  delayMs: number;
  atMs: number;
}

/**
 * The server stopped giving channels on the session's connection (a refused or unanswered
 * channel open, as OpenSSH does past MaxSessions), or gives them again. The session's state
 * stays `ready`: the link is fine, but new shells and execs will fail until `available` is true.
 */
export interface ChannelsEvent {
  sessionId: string;
  available: boolean;
  /** Why not: CHANNEL_REJECTED or REQUEST_TIMEOUT. */
  code?: ErrorCode;
  message?: string;
  atMs: number;
}

export type SessionEvents = {
  state: (event: StateEvent) => void;
  attempt: (event: AttemptEvent) => void;
  channels: (event: ChannelsEvent) => void;
};

export interface Session extends TypedEmitter<SessionEvents> {
  readonly id: string;
  readonly core: Contender;
  readonly state: SessionState;
  /** Connects and authenticates; rejects with an SshError and leaves a failure state. */
  connect(): Promise<void>;
  openShell(options?: ShellOptions): Promise<Shell>;
  exec(command: string, options?: ExecOptions): Promise<ExecResult>;
  /**
   * Leaves `manual_reconnect_required` (or `auth_failed`, `host_key_mismatch`, or a `closed` left
   * by a lost link) with a fresh budget; resolves when ready, rejects if this cycle gives up too.
   * Suspended shells are reopened.
   */
  reconnect(): Promise<void>;
  /** Ends the session for good (state `closed`, cause `client`); its shells end. */
  close(): Promise<void>;
}

export type PoolEvents = {
  state: (event: StateEvent) => void;
  attempt: (event: AttemptEvent) => void;
  channels: (event: ChannelsEvent) => void;
};

export interface Pool extends TypedEmitter<PoolEvents> {
  readonly core: Contender;
  /** The seed of this pool's backoff jitter (given, or drawn at random and reported). */
  readonly seed: number;
  /** A new session, not yet connected: subscribe to its events, then call `connect()`. */
  createSession(options: SessionOptions): Session;
  /** createSession + connect; a session that fails to connect is closed and not kept. */
  open(options: SessionOptions): Promise<Session>;
  /** The sessions not yet closed by their owner (a closed session leaves the list). */
  readonly sessions: readonly Session[];
  /**
   * Closes every session; the process can then exit by itself. Afterwards `createSession` and
   * `open` fail with NOT_CONNECTED.
   */
  close(): Promise<void>;
}
