/**
 * Stable error codes shared by both cores, each with the plan's failure cause. The table itself is
 * generated from the Rust core's (crates/ssh-core/src/error.rs) into tables.ts, so there is one.
 */
import { ERROR_CATALOG, type ErrorCode, type FailureCause } from './tables.js';

export { ERROR_CATALOG, type ErrorCode, type FailureCause };

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

/** The error of an operation on a session its owner closed, and of the shells its close ended, on both cores. */
export const closedError = (): SshError => new SshError('NOT_CONNECTED', 'session is not connected (state closed)');
