import type { SessionOptions } from '../core/contract.js';
import type { StreamRate } from './stream.js';

/** What a test or a run needs to know to reach an SSH target of the lab. */
export interface TargetInfo {
  kind: 'embedded' | 'openssh';
  host: string;
  port: number;
  username: string;
  /** Password auth, when the target offers it (absent: password auth is not available). */
  password?: string;
  /** An unencrypted client key the target accepts. */
  privateKeyPath: string;
  /** An encrypted client key the target accepts, and its passphrase. */
  encryptedKeyPath: string;
  passphrase: string;
  hostFingerprint: string;
  /** A known_hosts file listing the target's host key. */
  knownHostsPath: string;
  /** Where the target's helper commands live (`spike-stream`). */
  binDir: string;
}

/** Session options for a target: key auth (default) or password auth, host key pinned. */
export function sessionOptions(t: TargetInfo, auth: 'key' | 'password' = 'key'): SessionOptions {
  const base = {
    host: t.host,
    port: t.port,
    username: t.username,
    hostKey: { policy: 'fingerprint' as const, fingerprint: t.hostFingerprint },
  };
  if (auth === 'password') {
    if (t.password === undefined) throw new Error(`the ${t.kind} target offers no password auth`);
    return { ...base, password: t.password };
  }
  return { ...base, privateKeyPath: t.privateKeyPath };
}

/** The sequence-stream command on this target (same output format on every target). */
export function streamCommand(t: TargetInfo, rate: StreamRate, count: number): string {
  return `${t.binDir}/spike-stream ${rate} ${count}`;
}

/** The resource-poller look-alike: a few KB of /proc text, the same command on every target. */
export const POLL_COMMAND = 'cat /proc/stat /proc/meminfo /proc/loadavg';
