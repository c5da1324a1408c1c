/**
 * known_hosts in every form OpenSSH writes, and HostKeyAlias, on both cores against the lab: the
 * same file gives the same answer on each.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool, type HostKeyAlias, type SessionOptions } from '../../src/index.js';
import { EmbeddedLab } from '../../src/lab/embedded.js';
import { sessionOptions } from '../../src/lab/target.js';
import { CORES, rejection } from '../helpers.js';

let lab: EmbeddedLab;
let dir: string;
let key: string;
beforeAll(async () => {
  lab = await EmbeddedLab.start();
  dir = mkdtempSync(join(tmpdir(), 'ssh-spike-kh-'));
  const [, kind, blob] = readFileSync(lab.info.knownHostsPath, 'utf8').trim().split(/\s+/);
  key = `${kind} ${blob}`;
});
afterAll(() => lab.stop());

const hashed = (name: string) => {
  const salt = randomBytes(20);
  return `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update(name).digest('base64')}`;
};
const other = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl';

/** [name, known_hosts text for the lab's 127.0.0.1:port, alias or none, accepted?] */
function cases(port: number): [string, string, HostKeyAlias | undefined, boolean][] {
  return [
    ['a [host]:port entry', `[127.0.0.1]:${port} ${key}`, undefined, true],
    ['a hashed entry', `${hashed(`[127.0.0.1]:${port}`)} ${key}`, undefined, true],
    ['a wildcard entry', `[127.0.0.?]:${port} ${key}`, undefined, true],
    ['a list with the name among others', `example.org,[127.0.0.1]:${port} ${key}`, undefined, true],
    ['a bare host name (port 22 only)', `127.0.0.1 ${key}`, undefined, false],
    ['a wildcard with the host negated', `*,![127.0.0.1]:${port} ${key}`, undefined, false],
    ['the key marked @revoked', `@revoked * ${key}\n[127.0.0.1]:${port} ${key}`, undefined, false],
    ['a @cert-authority line only', `@cert-authority * ${key}`, undefined, false],
    ['another key for the host', `[127.0.0.1]:${port} ${other}`, undefined, false],
    ['an alias listed under its own name and port', `[vm1.example.org]:2200 ${key}`, { host: 'vm1.example.org', port: 2200 }, true],
    ['an alias on port 22', `vm1.example.org ${key}`, { host: 'vm1.example.org', port: 22 }, true],
    ['an alias the file does not list', `[127.0.0.1]:${port} ${key}`, { host: 'vm1.example.org', port: 22 }, false],
  ];
}

for (const core of CORES) {
  describe(`${core} core: known_hosts`, () => {
    it('accepts and refuses the same entries', async () => {
      const pool = createPool({ core });
      try {
        for (const [name, text, alias, accepted] of cases(lab.info.port)) {
          const path = join(dir, `${core}-${name.replace(/\W+/g, '-')}`);
          writeFileSync(path, `# ${name}\n${text}\n`);
          const options: SessionOptions = {
            ...sessionOptions(lab.info),
            hostKey: { policy: 'known-hosts', path, ...(alias ? { hostKeyAlias: alias } : {}) },
          };
          if (accepted) {
            const s = await pool.open(options);
            expect(s.state, name).toBe('ready');
            await s.close();
          } else {
            const err = await rejection(pool.open(options));
            expect(err.code, name).toBe('HOST_KEY_MISMATCH');
          }
        }
      } finally {
        await pool.close();
      }
    });

    it('a bad hostKeyAlias is BAD_OPTION', async () => {
      const pool = createPool({ core });
      const base = sessionOptions(lab.info);
      for (const alias of [{ host: '' }, { host: 'x', port: 0 }, { host: 'x', extra: 1 }, 'vm1']) {
        const err = await rejection(
          pool.open({ ...base, hostKey: { policy: 'known-hosts', path: lab.info.knownHostsPath, hostKeyAlias: alias as unknown as HostKeyAlias } }),
        );
        expect(err.code).toBe('BAD_OPTION');
      }
      await pool.close();
    });
  });
}
