/**
 * Channel setup and teardown of the ssh2 core, as the Rust core does them (crates/ssh-core/src/
 * channel.rs): every setup (channel open and its requests) within the session's requestTimeoutMs,
 * the same codes for a refusal, and a command given up on stopped with TERM, then KILL, then close.
 */
import type { ClientChannel } from 'ssh2';
import { SshError } from '../errors.js';
import type { Connection } from './connect.js';

type Ssh2Error = Error & { reason?: number | string };

/** What ssh2 reports about a failed channel setup, as the shared codes. */
export function setupError(conn: Connection, err: Ssh2Error): SshError {
  if (conn.lost) return conn.lost;
  // ssh2 sets `reason` only when the channel open itself was refused.
  if (err.reason !== undefined) {
    return new SshError('CHANNEL_REJECTED', `the server refused to open a channel: ${err.message.replace(/^\(SSH\) Channel open failure: /, '')}`);
  }
  const what = /pseudo-terminal/.test(err.message) ? 'pty request' : /shell/.test(err.message) ? 'shell request' : 'exec request';
  return new SshError('REQUEST_REJECTED', `the server refused the ${what}`);
}

/** ssh2 internals (pinned 1.17.0): its table of channels, by local id. */
interface ChannelTable {
  _channels?: Record<string, unknown>;
}

/**
 * Runs one channel setup (`start` is ssh2's shell() or exec()) and resolves with its channel.
 * `attach` gets the channel synchronously, in ssh2's callback: the events that came in the same
 * read as the answer (a fast command's output, exit status and close) are emitted right after it,
 * before any awaiting code could listen. It fails with `timedOut()` when `boundMs` passes first;
 * the channel is then given to `abandon` (close it, or stop its command) as soon as it exists:
 * at once if the open was confirmed and a request is what went unanswered (ssh2 keeps that channel
 * to itself, so it is taken from ssh2's table), or when a late confirmation or answer comes.
 */
export function setup(
  conn: Connection,
  boundMs: number,
  timedOut: () => SshError,
  start: (cb: (err: Error | undefined, stream: ClientChannel) => void) => void,
  attach: (stream: ClientChannel) => void,
  abandon: (stream: ClientChannel) => void,
): Promise<ClientChannel> {
  const table = (conn.client as unknown as { _chanMgr?: ChannelTable })._chanMgr?._channels;
  let abandoned = false;
  const abandonOnce = (stream: ClientChannel) => {
    if (abandoned) return;
    abandoned = true;
    abandon(stream);
  };
  return new Promise((resolve, reject) => {
    let settled = false;
    let id: string | undefined;
    const timer = setTimeout(() => {
      settled = true;
      reject(timedOut());
      const entry = id !== undefined ? table?.[id] : undefined;
      if (typeof entry === 'function') {
        // The open itself is unanswered: take its confirmation, if one comes, to abandon it.
        table![id!] = (err: Error | undefined, ch: ClientChannel) => {
          if (!err && ch) abandonOnce(ch);
        };
      } else if (entry && typeof (entry as ClientChannel).close === 'function') {
        abandonOnce(entry as ClientChannel);
      }
    }, boundMs);
    try {
      const before = new Set(Object.keys(table ?? {}));
      start((err, stream) => {
        if (settled) {
          if (!err) abandonOnce(stream);
          return;
        }
        settled = true;
        clearTimeout(timer);
        if (err) {
          reject(setupError(conn, err));
          return;
        }
        attach(stream);
        resolve(stream);
      });
      id = Object.keys(table ?? {}).find((k) => !before.has(k));
    } catch (err) {
      // ssh2 throws synchronously ("Not connected") when the socket is already gone.
      settled = true;
      clearTimeout(timer);
      reject(conn.lost ?? new SshError('NOT_CONNECTED', `ssh2: ${(err as Error).message}`));
    }
  });
}

/** The REQUEST_TIMEOUT of a setup that was not answered. */
export function unanswered(what: string, ms: number): () => SshError {
  return () => new SshError('REQUEST_TIMEOUT', `the server did not answer the ${what} within ${ms} ms`);
}

/**
 * Stops a command the caller gave up on: TERM, then KILL after `graceMs`, then the channel is
 * closed. Closing alone is not enough: OpenSSH keeps a session channel, and its MaxSessions slot,
 * until the command ends. Takes at most 2 x `graceMs`.
 */
export function stop(stream: ClientChannel, graceMs: number): void {
  let closed = false;
  const timers: NodeJS.Timeout[] = [];
  stream.once('close', () => {
    closed = true;
    for (const t of timers) clearTimeout(t);
  });
  // Output still arriving is dropped (and keeps the window open so the server is not stuck).
  stream.removeAllListeners('data');
  stream.stderr.removeAllListeners('data');
  stream.on('data', () => {});
  stream.stderr.on('data', () => {});
  const signal = (name: 'TERM' | 'KILL') => {
    try {
      stream.signal(name);
    } catch {
      // The channel is already gone.
    }
  };
  signal('TERM');
  timers.push(
    setTimeout(() => {
      if (closed) return;
      signal('KILL');
      timers.push(
        setTimeout(() => {
          if (!closed) stream.close();
        }, graceMs),
      );
    }, graceMs),
  );
}
