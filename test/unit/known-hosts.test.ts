import { createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fingerprintOf, knownHostsLookup, verifyHostKey } from '../../src/core/ssh2/hostkey.js';

function blob(): Buffer {
  const type = Buffer.from('ssh-ed25519');
  const key = randomBytes(32);
  const out = Buffer.alloc(4 + type.length + 4 + key.length);
  out.writeUInt32BE(type.length, 0);
  type.copy(out, 4);
  out.writeUInt32BE(key.length, 4 + type.length);
  key.copy(out, 8 + type.length);
  return out;
}

describe('ssh2 core host keys', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ssh-spike-kh-'));

  it('reads plain and hashed known_hosts entries for host:port', () => {
    const [a, b] = [blob(), blob()];
    const salt = randomBytes(20);
    const hashed = `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update('[10.0.0.1]:2222').digest('base64')}`;
    const path = join(dir, 'kh1');
    writeFileSync(path, `# comment\n[127.0.0.1]:2222 ssh-ed25519 ${a.toString('base64')}\n${hashed} ssh-ed25519 ${b.toString('base64')}\n`);
    expect(knownHostsLookup(path, '127.0.0.1', 2222, a)).toBe('match');
    expect(knownHostsLookup(path, '127.0.0.1', 2222, b)).toBe('other');
    expect(knownHostsLookup(path, '10.0.0.1', 2222, b)).toBe('match');
    expect(knownHostsLookup(path, '127.0.0.1', 2223, a)).toBe('absent');
  });

  it('accept-new pins the first key, records it, and refuses a changed one', () => {
    const [a, b] = [blob(), blob()];
    const path = join(dir, 'kh2');
    const pinned = new Map<string, Buffer>();
    const policy = { policy: 'accept-new', knownHostsPath: path } as const;
    expect(verifyHostKey(policy, '127.0.0.1', 2222, a, pinned)).toBe(true);
    expect(readFileSync(path, 'utf8')).toContain(`[127.0.0.1]:2222 ssh-ed25519 ${a.toString('base64')}`);
    expect(verifyHostKey(policy, '127.0.0.1', 2222, a, pinned)).toBe(true);
    expect(verifyHostKey(policy, '127.0.0.1', 2222, b, pinned)).toMatch(/lists other keys/);
    expect(verifyHostKey({ policy: 'accept-new' }, '127.0.0.1', 2222, b, pinned)).toMatch(/first saw SHA256:/);
  });

  it('prints fingerprints as ssh-keygen does', () => {
    expect(fingerprintOf(Buffer.from('abc'))).toBe('SHA256:ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0');
  });
});
