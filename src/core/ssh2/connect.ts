/** One ssh2 connection: options, host-key check, authentication, and the reason it ended. */
import ssh2 from 'ssh2';
import type { ConnectConfig } from 'ssh2';
import { SshError } from '../errors.js';
import type { ResolvedSessionOptions } from '../options.js';
import { mapSsh2Error, type MapContext } from './errors.js';
import { type PinnedKeys, verifyHostKey } from './hostkey.js';
import { loadPrivateKey } from './keys.js';

const { Client } = ssh2;
type Client = InstanceType<typeof Client>;

/** Ciphers the ssh2 core accepts in `ciphers` (what ssh2 supports on this Node build). */
export function supportedCiphers(): string[] {
  // Not in ssh2's typings; the list ssh2 itself validates `algorithms.cipher` against.
  const constants = createRequireSafe('ssh2/lib/protocol/constants.js') as { SUPPORTED_CIPHER: string[] };
  return constants.SUPPORTED_CIPHER.filter((c) => c !== 'none');
}

import { createRequire } from 'node:module';
function createRequireSafe(id: string): unknown {
  return createRequire(import.meta.url)(id);
}

/** A live, authenticated connection and why it ended (once it has). */
export interface Connection {
  client: Client;
  addr: string;
  lost?: SshError;
  /** Resolves when the connection has ended, with the reason. */
  ended: Promise<SshError>;
}

export function addrOf(o: ResolvedSessionOptions): string {
  return o.host.includes(':') ? `[${o.host}]:${o.port}` : `${o.host}:${o.port}`;
}

export function connect(o: ResolvedSessionOptions, pinned: PinnedKeys): Promise<Connection> {
  // Problems with the key or options are reported before any network traffic.
  const privateKey = o.auth.kind === 'key' ? loadPrivateKey(o.auth) : undefined;
  if (o.ciphers) {
    const supported = supportedCiphers();
    const unknown = o.ciphers.find((c) => !supported.includes(c));
    if (unknown !== undefined) {
      throw new SshError('BAD_OPTION', `unknown cipher '${unknown}': this core supports ${supported.join(', ')}`);
    }
  }
  const addr = addrOf(o);
  const ctx: MapContext = {
    addr,
    user: o.username,
    method: o.auth.kind === 'password' ? 'password' : 'publickey',
    keepaliveIntervalMs: o.keepaliveIntervalMs,
    keepaliveCountMax: o.keepaliveCountMax,
  };
  const config: ConnectConfig = {
    host: o.host,
    port: o.port,
    username: o.username,
    // Our own timer below covers the whole attempt; ssh2's is only a backstop.
    readyTimeout: o.connectTimeoutMs + 1_000,
    keepaliveInterval: o.keepaliveIntervalMs,
    keepaliveCountMax: o.keepaliveCountMax,
    tryKeyboard: false,
    hostVerifier: (key: Buffer) => {
      const verdict = verifyHostKey(o.hostKey, o.host, o.port, key, pinned);
      if (verdict === true) return true;
      ctx.hostKeyRefusal = verdict;
      return false;
    },
  };
  if (o.auth.kind === 'password') config.password = o.auth.password;
  else {
    config.privateKey = privateKey!;
    if (o.auth.passphrase !== undefined) config.passphrase = o.auth.passphrase;
  }
  if (o.ciphers) config.algorithms = { cipher: o.ciphers as NonNullable<ConnectConfig['algorithms']>['cipher'] };

  return new Promise((resolve, reject) => {
    const client = new Client();
    let stage = 'the SSH handshake';
    let settled = false;
    let resolveEnded!: (e: SshError) => void;
    const conn: Connection = { client, addr, ended: new Promise((r) => (resolveEnded = r)) };
    const fail = (err: SshError) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      client.removeAllListeners('ready');
      client.destroy();
      reject(err);
    };
    const timer = setTimeout(
      () => fail(new SshError('CONNECT_TIMEOUT', `${addr} did not complete ${stage} within ${o.connectTimeoutMs} ms`)),
      o.connectTimeoutMs,
    );
    client.on('handshake', () => (stage = 'authentication'));
    client.once('ready', () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(conn);
    });
    client.on('error', (err: Error) => {
      const mapped = mapSsh2Error(err, ctx);
      if (!settled) fail(mapped);
      else conn.lost ??= mapped;
    });
    client.on('close', () => {
      if (!settled) {
        fail(new SshError('DISCONNECTED_BY_SERVER', `${addr} closed the connection during ${stage}`));
        return;
      }
      conn.lost ??= new SshError('DISCONNECTED_BY_SERVER', `${addr} closed the connection`);
      resolveEnded(conn.lost);
    });
    try {
      client.connect(config);
    } catch (err) {
      fail(new SshError('BAD_OPTION', `ssh2 refused the options: ${(err as Error).message}`));
    }
  });
}
