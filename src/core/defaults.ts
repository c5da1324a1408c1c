/**
 * Every default of the core contract and every policy number of the plan, in one place. Both
 * cores, the CLI and the reports read them from here; nothing else writes a default twice.
 */

/** Defaults of {@link SessionOptions}. The same values are used by both cores. */
export const SESSION_DEFAULTS = {
  port: 22,
  /** Covers TCP connect, SSH handshake and authentication. */
  connectTimeoutMs: 10_000,
  /** A channel's setup (open, then pty + shell or exec) the server leaves unanswered this long fails. */
  requestTimeoutMs: 10_000,
  /** A keepalive request every 2 s when the link is quiet... */
  keepaliveIntervalMs: 2_000,
  /** ...and the link is dead after 3 unanswered ones: noticed within (3 + 1) x 2 s = 8 s < 10 s. */
  keepaliveCountMax: 3,
  /** No inbound byte for this long: `degraded` (a stall that may heal; the session is kept). */
  degradedAfterMs: 3_000,
  /** A probe after a sibling session to the same target lost its link waits this long for life. */
  probeTimeoutMs: 2_000,
} as const;

/** Defaults of {@link ReconnectOptions}: full-jitter exponential backoff inside a budget. */
export const RECONNECT_DEFAULTS = {
  enabled: true,
  /** Before attempt n (from 0): wait random(0, min(maxDelayMs, baseDelayMs * 2^n)). */
  baseDelayMs: 500,
  maxDelayMs: 4_000,
  /** The budget: this many attempts or this long after the loss, then `manual_reconnect_required`. */
  maxAttempts: 10,
  budgetMs: 20_000,
  /** One attempt: TCP connect + handshake + authentication. */
  attemptTimeoutMs: 5_000,
  /**
   * A new connection must stay up this long before the budget starts afresh (autossh's gate
   * time): a server that drops every connection right after authentication spends one budget
   * and ends in `manual_reconnect_required` instead of being retried forever.
   */
  gateTimeMs: 10_000,
} as const;

/** Defaults of {@link PoolOptions} shared by both cores. */
export const POOL_DEFAULTS = {
  /**
   * Handshakes in flight per target. OpenSSH's default MaxStartups 10:30:100 starts refusing at 10
   * unauthenticated connections; 6 leaves room for other clients.
   */
  maxConcurrentHandshakes: 6,
} as const;

/** Defaults of {@link ExecOptions}. */
export const EXEC_DEFAULTS = {
  timeoutMs: 30_000,
  /** Collected stdout + stderr beyond this fail the exec (streamed output is not collected). */
  maxOutputBytes: 32 * 1024 * 1024,
  /** A command given up on (timeout, output limit) gets TERM, then KILL after this, then its channel is closed. */
  killGraceMs: 2_000,
} as const;

/**
 * The longest exec command, in UTF-8 bytes: the request travels in one SSH packet, and a server
 * drops the whole connection over a packet longer than its limit (OpenSSH: 256 KiB). Not an
 * option: it is the protocol's limit, not a policy (`MAX_COMMAND_BYTES` in the Rust core).
 */
export const MAX_COMMAND_BYTES = 255 * 1024;

/** Defaults of {@link ShellOptions}. */
export const SHELL_DEFAULTS = {
  term: 'xterm-256color',
  cols: 80,
  rows: 24,
} as const;

/**
 * Tuning of the Rust core's boundary and transport. Not part of the shared contract: the ssh2 core
 * has no boundary to coalesce across and keeps ssh2's own channel windows.
 */
export const RUST_TUNING_DEFAULTS = {
  /**
   * Busy channels deliver on a shared 16 ms grid (a terminal's frame); a channel quiet for a
   * window delivers its first bytes at once, and so does output within a window of the first chunk
   * after input (an echo on a busy shell, or typed fast: held for the grid, a key typed right
   * after the last echo waited 14.7 ms for its own), so keystroke echo is not delayed. Measured on 10
   * sessions at mid load: 4 ms -> 5.7 % CPU, 16 ms -> 3.9 %, echo p95 unchanged (1.5-1.9 ms).
   */
  coalesceMs: 16,
  /**
   * A batch this large crosses at once. Large packets are never copied into a batch (they cross
   * as they came, beside it), so this bounds how much one channel holds back for its tick.
   */
  coalesceBytes: 256 * 1024,
  /** SSH channel window granted to the server (russh's default is 2 MiB). */
  windowBytes: 4 * 1024 * 1024,
  /**
   * Largest SSH packet the server may send us: 256 KiB less 256 bytes, russh's read limit with room
   * for the most padding a server may add (ssh2 fixes its own at 32 KiB). Each packet costs a wake-up of the core's thread, a channel message and an
   * allocation whatever its size, so bulk output costs less CPU per byte in fewer, larger packets.
   * A server that sends smaller packets is unaffected.
   */
  maxPacketBytes: 256 * 1024 - 256,
  /**
   * The shortest time between two wake-ups of the JS thread by one pool for channel data. Data that
   * comes within it waits for its end and crosses with everything queued by then. Data after a
   * quieter spell crosses at once, and so does the output of a shell written to in the last second
   * (a keystroke's echo, a command's first output), so typing is never held. At 1,000 sessions with
   * a line a second each, the JS thread was woken about 590 times a second with no pacing and about
   * 115 with 8 ms; CPU fell from 11.3 % to 9.4 % (medians of 3). Other output waits at most this
   * long more while the pool is busy.
   */
  wakeIntervalMs: 8,
  /** Messages buffered per channel before backpressure reaches the TCP stream. */
  channelBuffer: 256,
  /**
   * Channel data reaches JS as Buffers over the core's own memory (no copy), or, when false, as
   * JS-owned copies: what an Electron app gets, whose V8 memory cage forbids external buffers.
   */
  externalBuffers: true as boolean,
} as const;

/** The numbers SPIKE-2 gives; each is a default the user can change, and reports say which was used. */
/** The largest `maxPacketBytes` the Rust core takes (the default; see above). */
export const RUST_MAX_PACKET_BYTES = RUST_TUNING_DEFAULTS.maxPacketBytes;

export const PLAN_DEFAULTS = {
  sessions: 10,
  durationS: 30 * 60,
  execPollIntervalMs: 5_000,
  reconnectWithinMs: 15_000,
  reconnectSuccessPct: 90,
  rssLimitMb: 200,
  cpuLimitPct: 5,
} as const;
