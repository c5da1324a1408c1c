/**
 * Stable error codes shared by both cores, each with the plan's failure cause: silence (timeouts)
 * is the network; an explicit refusal or teardown from the other end (FIN, RST, refused connect,
 * disconnect message) is the server. The Rust core keeps the same table
 * (crates/ssh-core/src/error.rs); a test compares the two.
 */

export type FailureCause = 'network' | 'auth' | 'server' | 'client';

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
   * requestTimeoutMs (the Rust core also if a resize cannot even be queued in that time). The link itself is alive (its
   * keepalives are answered, or the loss would be reported instead), so this is the server.
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

export type CoreName = 'rust' | 'ssh2';

/** What the benchmarks compare: the two cores, and the prebuilt russh binding on npm. */
export type Contender = CoreName | 'russh-napi';

export class SshError extends Error {
  override readonly name = 'SshError';
  readonly code: ErrorCode;
  /** The plan's failure class: network, auth, server or client. */
  override readonly cause: FailureCause;

  constructor(code: ErrorCode, message: string) {
    super(message);
    this.code = code;
    this.cause = ERROR_CATALOG[code];
  }
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_CATALOG, value);
}

/** Turns an error thrown by the Rust addon (`[CODE] message`) into an SshError. */
export function fromNativeError(err: unknown): SshError {
  const message = err instanceof Error ? err.message : String(err);
  const m = /^\[([A-Z_]+)\] ([\s\S]*)$/.exec(message);
  if (m && isErrorCode(m[1])) return new SshError(m[1], m[2] ?? '');
  return new SshError('INTERNAL', `rust core: ${message}`);
}
