// Generated from the Rust core (crates/ssh-core: CATALOG in error.rs, SessionState in events.rs)
// by crates/ssh-core/tests/tables.rs, which `cargo test` runs and which fails when this file is
// stale. Do not edit: change the Rust tables, then run
//   SSH_SPIKE_WRITE_TABLES=1 cargo test -p ssh-core --no-default-features --test tables

/**
 * The plan's failure-cause classes: silence (timeouts) is the network; an explicit refusal or
 * teardown from the other end (FIN, RST, refused connect, disconnect message) is the server.
 */
export const FAILURE_CAUSES = ['network', 'auth', 'server', 'client'] as const;
export type FailureCause = (typeof FAILURE_CAUSES)[number];

/** Every stable error code of both cores, with its failure cause. */
export const ERROR_CATALOG = {
  /** An option is missing, unknown or of the wrong type. */
  BAD_OPTION: 'client',
  /** The private key file is missing or unreadable. */
  KEY_UNREADABLE: 'client',
  /** The private key is encrypted and no passphrase was given. */
  KEY_PASSPHRASE_REQUIRED: 'client',
  /** The passphrase does not decrypt the private key. */
  KEY_PASSPHRASE_WRONG: 'client',
  /** The private key text is not a usable key. */
  KEY_INVALID: 'client',
  /** TCP connect, handshake and authentication did not finish within connectTimeoutMs. */
  CONNECT_TIMEOUT: 'network',
  /** Nothing listens on the port (RST on connect). */
  CONNECTION_REFUSED: 'server',
  /** No route to the host, or its name does not resolve. */
  HOST_UNREACHABLE: 'network',
  /** The connection was reset (RST) or broke. */
  CONNECTION_RESET: 'server',
  /** keepaliveCountMax keepalives went unanswered. */
  KEEPALIVE_TIMEOUT: 'network',
  /** The server closed the connection (FIN, or an SSH disconnect message). */
  DISCONNECTED_BY_SERVER: 'server',
  /** The server rejected the credentials. */
  AUTH_FAILED: 'auth',
  /** The server's host key is not the expected one. */
  HOST_KEY_MISMATCH: 'auth',
  /** The peer broke the SSH protocol (garbage, no common algorithm, bad MAC). */
  PROTOCOL_ERROR: 'server',
  /** A command did not finish within its timeoutMs. */
  EXEC_TIMEOUT: 'client',
  /** The server refused to open a channel. */
  CHANNEL_REJECTED: 'server',
  /** The server refused a channel request (pty, shell, exec). */
  REQUEST_REJECTED: 'server',
  /**
   * The server did not answer a channel open or a channel request (pty, shell, exec) within
   * requestTimeoutMs (the Rust core also if a resize cannot even be queued in that time). The link
   * itself is alive (its keepalives are answered, or the loss would be reported instead), so this
   * is the server.
   */
  REQUEST_TIMEOUT: 'server',
  /** A command's collected output passed its maxOutputBytes; the command was stopped. */
  EXEC_OUTPUT_LIMIT: 'client',
  /** The session has no live connection (closed, failed, or reconnecting). */
  NOT_CONNECTED: 'client',
  /** A bug in a core. */
  INTERNAL: 'client',
} as const satisfies Record<string, FailureCause>;
export type ErrorCode = keyof typeof ERROR_CATALOG;

/** The session states (docs/DESIGN.md). */
export const SESSION_STATES = ['connecting', 'ready', 'degraded', 'reconnecting', 'manual_reconnect_required', 'auth_failed', 'host_key_mismatch', 'closed'] as const;
export type SessionState = (typeof SESSION_STATES)[number];
/** States a session only leaves by an explicit user action (reconnect() or close()). */
export const TERMINAL_STATES = ['manual_reconnect_required', 'auth_failed', 'host_key_mismatch', 'closed'] as const;
/** States with a connection in use or being made: every state that is not terminal. */
export const ACTIVE_STATES = ['connecting', 'ready', 'degraded', 'reconnecting'] as const;
