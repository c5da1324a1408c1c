/** Host-key verification for the ssh2 core: the same three policies as the Rust core. */
import { createHash, createHmac } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import type { HostKeyOptions } from '../contract.js';

/** `SHA256:...` of an SSH public-key blob, as ssh-keygen -l prints it. */
export function fingerprintOf(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

function keyType(blob: Buffer): string {
  const len = blob.readUInt32BE(0);
  return blob.subarray(4, 4 + len).toString('latin1');
}

function hostPort(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

function hostMatches(pattern: string, wanted: string): boolean {
  return pattern.split(',').some((entry) => {
    if (entry.startsWith('|1|')) {
      const [, , salt, hash] = entry.split('|');
      if (!salt || !hash) return false;
      const mac = createHmac('sha1', Buffer.from(salt, 'base64')).update(wanted).digest('base64');
      return mac === hash;
    }
    return entry === wanted;
  });
}

type Listed = 'match' | 'other' | 'absent';

/** Whether known_hosts `path` lists `blob` for host:port, lists other keys, or nothing. */
export function knownHostsLookup(path: string, host: string, port: number, blob: Buffer): Listed {
  if (!existsSync(path)) return 'absent';
  const wanted = hostPort(host, port);
  let found = false;
  for (const raw of readFileSync(path, 'utf8').split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const [hosts, , key] = line.split(/\s+/);
    if (!hosts || !key || !hostMatches(hosts, wanted)) continue;
    found = true;
    if (Buffer.from(key, 'base64').equals(blob)) return 'match';
  }
  return found ? 'other' : 'absent';
}

export function knownHostsAppend(path: string, host: string, port: number, blob: Buffer): void {
  appendFileSync(path, `${hostPort(host, port)} ${keyType(blob)} ${blob.toString('base64')}\n`);
}

/** Keys first seen by accept-new sessions of one pool, by host:port. */
export type PinnedKeys = Map<string, Buffer>;

/** True, or a sentence saying why the key is refused. */
export function verifyHostKey(
  policy: HostKeyOptions,
  host: string,
  port: number,
  blob: Buffer,
  pinned: PinnedKeys,
): true | string {
  const got = fingerprintOf(blob);
  const strip = (fp: string) => fp.trim().replace(/=+$/, '');
  switch (policy.policy) {
    case 'fingerprint':
      return strip(policy.fingerprint) === strip(got) ? true : `expected ${policy.fingerprint}, server presented ${got}`;
    case 'known-hosts': {
      const listed = knownHostsLookup(policy.path, host, port, blob);
      if (listed === 'match') return true;
      return listed === 'other'
        ? `${policy.path} lists other keys for this host; server presented ${got}`
        : `host is not listed in ${policy.path} (server presented ${got})`;
    }
    case 'accept-new': {
      const file = policy.knownHostsPath;
      const listed = file ? knownHostsLookup(file, host, port, blob) : 'absent';
      if (listed === 'other') return `${file} lists other keys for this host; server presented ${got}`;
      const id = `${host}:${port}`;
      const known = pinned.get(id);
      if (known && !known.equals(blob)) {
        return `this pool first saw ${fingerprintOf(known)}, server now presents ${got}`;
      }
      if (!known) {
        pinned.set(id, blob);
        if (file && listed === 'absent') {
          try {
            knownHostsAppend(file, host, port, blob);
          } catch (err) {
            return `cannot record the new key in ${file}: ${(err as Error).message}`;
          }
        }
      }
      return true;
    }
  }
}
