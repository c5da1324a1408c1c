/**
 * Bad input gets a clear error with a stable code, on both cores, and the process goes on.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool, type Pool, type SessionOptions, SshError } from '../../src/index.js';
import { EmbeddedLab } from '../../src/lab/embedded.js';
import { sessionOptions } from '../../src/lab/target.js';
import { CORES, poolPerSuite, rejection } from '../helpers.js';

let lab: EmbeddedLab;
let scratch: string;
const servers: Server[] = [];

/** A TCP server on a free loopback port that does `onConnection` with every client. */
async function fakeServer(onConnection: (sock: import('node:net').Socket) => void): Promise<number> {
  const server = createServer(onConnection);
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as { port: number }).port;
}

beforeAll(async () => {
  lab = await EmbeddedLab.start();
  scratch = mkdtempSync(join(tmpdir(), 'ssh-spike-bad-'));
});

afterAll(async () => {
  lab.stop();
  for (const s of servers) s.close();
});

function keyOptions(extra: Partial<SessionOptions>): SessionOptions {
  const o: SessionOptions = { ...sessionOptions(lab.info), ...extra };
  if (extra.privateKey !== undefined) delete o.privateKeyPath;
  return o;
}

function failure(pool: Pool, options: SessionOptions): Promise<SshError> {
  return rejection(pool.open(options).then((s) => s.close()));
}

for (const core of CORES) {
  describe(`${core} core`, () => {
    const pool = poolPerSuite(core);

    it('a missing key file is KEY_UNREADABLE and names the file', async () => {
      const err = await failure(pool(), keyOptions({ privateKeyPath: join(scratch, 'no-such-key') }));
      expect(err.code).toBe('KEY_UNREADABLE');
      expect(err.message).toContain('no-such-key');
    });

    it('a directory given as key file is KEY_UNREADABLE', async () => {
      const err = await failure(pool(), keyOptions({ privateKeyPath: scratch }));
      expect(err.code).toBe('KEY_UNREADABLE');
    });

    it('a file that is not a key is KEY_INVALID', async () => {
      const path = join(scratch, 'not-a-key');
      writeFileSync(path, 'hello, I am not a key\n');
      const err = await failure(pool(), keyOptions({ privateKeyPath: path }));
      expect(err.code).toBe('KEY_INVALID');
    });

    it('an encrypted key without its passphrase is KEY_PASSPHRASE_REQUIRED', async () => {
      const err = await failure(pool(), keyOptions({ privateKeyPath: lab.info.encryptedKeyPath }));
      expect(err.code).toBe('KEY_PASSPHRASE_REQUIRED');
    });

    it('a wrong passphrase is KEY_PASSPHRASE_WRONG and is not shown', async () => {
      const err = await failure(pool(), keyOptions({ privateKeyPath: lab.info.encryptedKeyPath, passphrase: 'wrong-secret-42' }));
      expect(err.code).toBe('KEY_PASSPHRASE_WRONG');
      expect(err.message).not.toContain('wrong-secret-42');
    });

    it('an unknown cipher name is BAD_OPTION and names it', async () => {
      const err = await failure(pool(), keyOptions({ ciphers: ['aes128-gcm@openssh.com', 'rot13-cbc'] }));
      expect(err.code).toBe('BAD_OPTION');
      expect(err.message).toContain('rot13-cbc');
    });

    it('an unknown key exchange is BAD_OPTION and names it', async () => {
      const err = await failure(pool(), keyOptions({ kex: ['curve25519-sha256', 'dh-made-up'] }));
      expect(err.code).toBe('BAD_OPTION');
      expect(err.message).toContain('dh-made-up');
    });

    it('a chosen key exchange and cipher that both sides know are used', async () => {
      const s = await pool().open(keyOptions({ kex: ['curve25519-sha256'], ciphers: ['chacha20-poly1305@openssh.com'] }));
      expect((await s.exec('echo kex')).stdout.toString()).toBe('kex\n');
      await s.close();
    });

    it('a chosen cipher that both sides know is used', async () => {
      const s = await pool().open(keyOptions({ ciphers: ['aes128-gcm@openssh.com'] }));
      expect((await s.exec('echo gcm')).stdout.toString()).toBe('gcm\n');
      await s.close();
    });

    it('a port nobody listens on is CONNECTION_REFUSED', async () => {
      const port = await fakeServer(() => {});
      servers.pop()!.close();
      await new Promise((r) => setTimeout(r, 50));
      const err = await failure(pool(), keyOptions({ port }));
      expect(err.code).toBe('CONNECTION_REFUSED');
      expect(err.cause).toBe('server');
    });

    it('a host that never answers is CONNECT_TIMEOUT after connectTimeoutMs', async () => {
      const port = await fakeServer(() => {});
      const started = Date.now();
      const err = await failure(pool(), keyOptions({ port, connectTimeoutMs: 400 }));
      expect(err.code).toBe('CONNECT_TIMEOUT');
      expect(err.cause).toBe('network');
      expect(Date.now() - started).toBeLessThan(3_000);
    });

    it('a server speaking garbage after its greeting is PROTOCOL_ERROR', async () => {
      const port = await fakeServer((sock) => {
        sock.on('error', () => {});
        sock.write('SSH-2.0-Garbage_1.0\r\n');
        sock.write(Buffer.alloc(4096, 0xfe));
      });
      const err = await failure(pool(), keyOptions({ port, connectTimeoutMs: 3_000 }));
      expect(err.code).toBe('PROTOCOL_ERROR');
    });

    it('a server that closes before its greeting is DISCONNECTED_BY_SERVER', async () => {
      const port = await fakeServer((sock) => sock.end('this is not ssh\r\n'));
      const err = await failure(pool(), keyOptions({ port, connectTimeoutMs: 3_000 }));
      expect(['DISCONNECTED_BY_SERVER', 'PROTOCOL_ERROR']).toContain(err.code);
    });

    it('unknown options and wrong types are BAD_OPTION before any connection', () => {
      const cases: [unknown, RegExp][] = [
        [{ ...sessionOptions(lab.info), prot: 22 }, /unknown session option 'prot'/],
        [{ ...sessionOptions(lab.info), port: '22' }, /'port' must be an integer/],
        [{ ...sessionOptions(lab.info), password: 42 }, /'password' must be a non-empty string, got a value that is not shown/],
        [{ ...sessionOptions(lab.info), hostKey: undefined }, /'hostKey' is required/],
        [{ ...sessionOptions(lab.info), hostKey: { policy: 'trust-me' } }, /'policy' must be/],
        [{ ...sessionOptions(lab.info), password: 'x' }, /exactly one of/],
      ];
      for (const [options, message] of cases) {
        let err: unknown;
        try {
          pool().createSession(options as SessionOptions);
        } catch (e) {
          err = e;
        }
        expect(err).toBeInstanceOf(SshError);
        expect((err as SshError).code).toBe('BAD_OPTION');
        expect((err as SshError).message).toMatch(message);
      }
    });

    it('exec and shell options are checked too', async () => {
      const s = await pool().open(sessionOptions(lab.info));
      await expect(s.exec('echo x', { timeoutMs: -1 })).rejects.toMatchObject({ code: 'BAD_OPTION' });
      await expect(s.exec('echo x', { timeoutMS: 5 } as never)).rejects.toMatchObject({ code: 'BAD_OPTION' });
      await expect(s.openShell({ cols: 0 })).rejects.toMatchObject({ code: 'BAD_OPTION' });
      // ...and after all of the above, the session and the process carry on.
      expect((await s.exec('echo alive')).stdout.toString()).toBe('alive\n');
      await s.close();
    });
  });
}

it('an unknown core is BAD_OPTION', () => {
  expect(() => createPool({ core: 'go' as never })).toThrow(/'core' must be 'rust' or 'ssh2'/);
});
