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

/** OpenSSH's pattern match: `*` any run of characters, `?` one; names are case-insensitive. */
function glob(pattern: string, text: string): boolean {
  const re = new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
    'is',
  );
  return re.test(text);
}

/** One host entry: a hashed name (`|1|salt|hash`) or a pattern. */
function entryMatches(entry: string, wanted: string): boolean {
  if (entry.startsWith('|1|')) {
    const [, , salt, hash] = entry.split('|');
    if (!salt || !hash) return false;
    return createHmac('sha1', Buffer.from(salt, 'base64')).update(wanted).digest('base64') === hash;
  }
  return glob(entry, wanted);
}

/** A line's host list matches when one entry does and no negated (`!`) entry does. */
export function hostsMatch(hosts: string, wanted: string): boolean {
  let hit = false;
  for (const entry of hosts.split(',')) {
    if (entry.startsWith('!')) {
      if (entryMatches(entry.slice(1), wanted)) return false;
    } else if (entryMatches(entry, wanted)) hit = true;
  }
  return hit;
}

type Listed = 'match' | 'other' | 'absent' | 'revoked';

/**
 * Whether known_hosts `path` lists `blob` for host:port: plain, `[host]:port`, wildcard, negated
 * and hashed entries, `@revoked` keys (refused) and `@cert-authority` lines (skipped: this core
 * verifies plain host keys). The same rules as the Rust core (crates/ssh-core/src/hostkey.rs).
 */
export function knownHostsLookup(path: string, host: string, port: number, blob: Buffer): Listed {
  if (!existsSync(path)) return 'absent';
  // Host names are matched in lower case, as OpenSSH lowercases them before hashing.
  const wanted = hostPort(host.toLowerCase(), port);
  let found = false;
  let matched = false;
  for (const raw of readFileSync(path, 'utf8').split('\n')) {
    const fields = raw.trim().split(/\s+/);
    if (!fields[0] || fields[0].startsWith('#')) continue;
    const marker = fields[0].startsWith('@') ? fields.shift() : undefined;
    const [hosts, kind, key] = fields;
    if (!hosts || !kind || !key || marker === '@cert-authority' || !hostsMatch(hosts, wanted)) continue;
    const same = Buffer.from(key, 'base64').equals(blob);
    if (marker === '@revoked') {
      if (same) return 'revoked';
      continue;
    }
    found = true;
    matched ||= same;
  }
  return matched ? 'match' : found ? 'other' : 'absent';
}

export function knownHostsAppend(path: string, host: string, port: number, blob: Buffer): void {
  appendFileSync(path, `${hostPort(host, port)} ${keyType(blob)} ${blob.toString('base64')}\n`);
}

/** Keys first seen by accept-new sessions of one pool, by host:port. */
export type PinnedKeys = Map<string, Buffer>;

/** True, or a sentence saying why the key is refused. */
export function verifyHostKey(policy: HostKeyOptions, host: string, port: number, blob: Buffer, pinned: PinnedKeys): true | string {
  const got = fingerprintOf(blob);
  const strip = (fp: string) => fp.trim().replace(/=+$/, '');
  switch (policy.policy) {
    case 'fingerprint':
      return strip(policy.fingerprint) === strip(got) ? true : `expected ${policy.fingerprint}, server presented ${got}`;
    case 'known-hosts': {
      const listed = knownHostsLookup(policy.path, host, port, blob);
      if (listed === 'match') return true;
      if (listed === 'revoked') return `${policy.path} marks this key @revoked (server presented ${got})`;
      return listed === 'other'
        ? `${policy.path} lists other keys for this host; server presented ${got}`
        : `host is not listed in ${policy.path} (server presented ${got})`;
    }
    case 'accept-new': {
      const file = policy.knownHostsPath;
      const listed = file ? knownHostsLookup(file, host, port, blob) : 'absent';
      if (listed === 'other') return `${file} lists other keys for this host; server presented ${got}`;
      if (listed === 'revoked') return `${file} marks this key @revoked (server presented ${got})`;
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
