/** Maps ssh2's errors (by `level`, socket `code` and disconnect reason) to the shared codes. */
import { SshError } from '../errors.js';

type Ssh2Error = Error & { level?: string; code?: string | number };

export interface MapContext {
  addr: string;
  user: string;
  method: 'password' | 'publickey';
  keepaliveIntervalMs: number;
  keepaliveCountMax: number;
  /** Why our host verifier refused the key, when it did. */
  hostKeyRefusal?: string | undefined;
}

export function mapSocketError(err: Ssh2Error, addr: string): SshError {
  switch (err.code) {
    case 'ECONNREFUSED':
      return new SshError('CONNECTION_REFUSED', `connection to ${addr} refused (nothing listens there)`);
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'ENETDOWN':
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new SshError('HOST_UNREACHABLE', `cannot reach ${addr}: ${err.message}`);
    default:
      return new SshError('CONNECTION_RESET', `connection to ${addr} reset: ${err.message}`);
  }
}

export function mapSsh2Error(err: Ssh2Error, ctx: MapContext): SshError {
  const { addr } = ctx;
  if (ctx.hostKeyRefusal !== undefined) {
    return new SshError('HOST_KEY_MISMATCH', `host key of ${addr} does not match: ${ctx.hostKeyRefusal}`);
  }
  if (typeof err.code === 'number') {
    return new SshError('DISCONNECTED_BY_SERVER', `${addr} closed the connection (${err.message})`);
  }
  switch (err.level) {
    case 'client-socket':
      return mapSocketError(err, addr);
    case 'client-timeout':
      if (/keepalive/i.test(err.message)) {
        return new SshError('KEEPALIVE_TIMEOUT', `no reply from ${addr} to ${ctx.keepaliveCountMax + 1} keepalives sent ${ctx.keepaliveIntervalMs} ms apart`);
      }
      return new SshError('CONNECT_TIMEOUT', `${addr} did not complete the SSH handshake in time (${err.message})`);
    case 'client-authentication':
      return new SshError('AUTH_FAILED', `authentication failed for ${ctx.user}@${addr} with ${ctx.method}`);
    case 'handshake':
    case 'protocol':
    // ssh2's packet parser raises its errors ("Bad packet length") without a level.
    case undefined:
      return new SshError('PROTOCOL_ERROR', `SSH protocol error with ${addr}: ${err.message}`);
    default:
      return new SshError('INTERNAL', `ssh2 core: ${err.message}`);
  }
}

/** Anything thrown inside the ssh2 core as an SshError (a non-SshError is a bug: INTERNAL). */
export function asSshError(err: unknown): SshError {
  return err instanceof SshError ? err : new SshError('INTERNAL', `ssh2 core: ${(err as Error)?.message ?? String(err)}`);
}

// The error of an operation on a session its owner closed: shared with the Rust core.
export { closedError } from '../errors.js';
