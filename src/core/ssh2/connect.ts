/** One ssh2 connection: options, host-key check, authentication, and the reason it ended. */
import { createRequire } from 'node:module';
import { connect as tcpConnect, type Socket } from 'node:net';
import ssh2 from 'ssh2';
import type { ConnectConfig } from 'ssh2';
import { SshError } from '../errors.js';
import type { ResolvedSessionOptions } from '../options.js';
import { mapSsh2Error, type MapContext } from './errors.js';
import { type PinnedKeys, verifyHostKey } from './hostkey.js';
import { loadPrivateKey } from './keys.js';
import type { Semaphore } from './limiter.js';

const { Client } = ssh2;
type Client = InstanceType<typeof Client>;

// Not in ssh2's typings: the lists ssh2 itself checks `algorithms` against.
const constants = () => createRequire(import.meta.url)('ssh2/lib/protocol/constants.js') as { SUPPORTED_CIPHER: string[]; SUPPORTED_KEX: string[] };

/** Ciphers the ssh2 core accepts in `ciphers` (what ssh2 supports on this Node build). */
export function supportedCiphers(): string[] {
  return constants().SUPPORTED_CIPHER.filter((c) => c !== 'none');
}

/** Key exchanges the ssh2 core accepts in `kex`. */
export function supportedKex(): string[] {
  return constants().SUPPORTED_KEX;
}

/** ssh2 internals used to send a keepalive that wants a reply, exactly as ssh2's own keepalive does. */
interface Ssh2Internals {
  _protocol?: { ping(): void };
  _callbacks?: ((...args: unknown[]) => void)[];
}

/** A live, authenticated connection and why it ended (once it has). */
export class Connection {
  readonly client: Client;
  readonly addr: string;
  #sock: Socket;
  lost: SshError | undefined;
  /** Resolves when the connection has ended, with the reason. */
  readonly ended: Promise<SshError>;
  #resolveEnded!: (e: SshError) => void;

  /** When the last inbound byte arrived (performance.now()), for the health check. */
  #lastInbound = performance.now();

  constructor(client: Client, sock: Socket, addr: string) {
    this.client = client;
    this.#sock = sock;
    this.addr = addr;
    this.ended = new Promise((r) => (this.#resolveEnded = r));
    sock.on('data', () => (this.#lastInbound = performance.now()));
  }

  /** @internal */
  closed(): void {
    this.lost ??= new SshError('DISCONNECTED_BY_SERVER', `${this.addr} closed the connection`);
    this.#resolveEnded(this.lost);
  }

  /**
   * When the last inbound byte arrived, as performance.now(): the health check sleeps until the
   * moment something falls due instead of polling (the Rust core's InboundClock).
   */
  lastInbound(): number {
    return this.#lastInbound;
  }

  /** Sends a keepalive request that wants a reply (any reply counts as inbound traffic). */
  ping(): void {
    const c = this.client as unknown as Ssh2Internals;
    if (!c._protocol || !Array.isArray(c._callbacks)) {
      throw new SshError('INTERNAL', 'ssh2 internals changed: cannot send a keepalive (ssh2 is pinned to 1.17.0)');
    }
    try {
      // Keeps ssh2's reply bookkeeping in order, as its own keepalive does.
      c._callbacks.push(() => {});
      c._protocol.ping();
    } catch {
      // the socket is going away; the close that follows reports it
    }
  }

  /** Ends the connection now, recording `reason` as why (unless it already ended). */
  kill(reason: SshError): void {
    this.lost ??= reason;
    this.#sock.destroy();
  }
}

/**
 * The first bytes a server sent, kept until its SSH version line is seen, to tell a server that
 * closed before saying anything from one that does not speak SSH (the Rust core's `Greeting`).
 */
class Greeting {
  static readonly KEEP = 8 * 1024;
  #bytes = Buffer.alloc(0);
  #done = false;

  feed = (data: Buffer): void => {
    if (this.#done) return;
    this.#bytes = Buffer.concat([this.#bytes, data.subarray(0, Greeting.KEEP - this.#bytes.length)]);
    if (this.#identSeen() || this.#bytes.length >= Greeting.KEEP) this.#done = true;
  };

  #identSeen(): boolean {
    return this.#bytes
      .toString('latin1')
      .split('\n')
      .some((line) => line.startsWith('SSH-'));
  }

  /**
   * A connection that ended before the version line is the server closing it, whatever it said
   * first (RFC 4253 lets a server send other lines before its version; sshd past MaxStartups says
   * "Exceeded MaxStartups"): the message shows what it said. A reset after text counts too.
   */
  explain(err: SshError, addr: string): SshError {
    const ended =
      err.code === 'DISCONNECTED_BY_SERVER' ||
      (err.code === 'PROTOCOL_ERROR' && /Connection lost before handshake/.test(err.message)) ||
      (err.code === 'CONNECTION_RESET' && this.#bytes.length > 0);
    if (this.#identSeen() || !ended) return err;
    if (this.#bytes.length === 0) return new SshError('DISCONNECTED_BY_SERVER', `${addr} closed the connection before sending its SSH version`);
    const shown = JSON.stringify([...this.#bytes.toString('utf8')].slice(0, 60).join('').trimEnd());
    return new SshError('DISCONNECTED_BY_SERVER', `${addr} closed the connection before sending its SSH version; it said ${shown}`);
  }
}

export function addrOf(o: ResolvedSessionOptions): string {
  return o.host.includes(':') ? `[${o.host}]:${o.port}` : `${o.host}:${o.port}`;
}

export interface Attempt {
  pinned: PinnedKeys;
  /** The target's handshake slots (storm control); held until authenticated. */
  slots: Semaphore;
  /** Covers TCP connect, handshake and authentication, not the wait for a slot. */
  timeoutMs: number;
}

/** Opens and authenticates a connection. Key and option problems are reported before any network traffic. */
export async function connect(o: ResolvedSessionOptions, attempt: Attempt): Promise<Connection> {
  const privateKey = o.auth.kind === 'key' ? loadPrivateKey(o.auth) : undefined;
  for (const [names, supported, what] of [
    [o.ciphers, supportedCiphers(), 'cipher'],
    [o.kex, supportedKex(), 'key exchange'],
  ] as const) {
    const unknown = names?.find((c) => !supported.includes(c));
    if (unknown !== undefined) {
      throw new SshError('BAD_OPTION', `unknown ${what} '${unknown}': this core supports ${supported.join(', ')}`);
    }
  }
  const release = await attempt.slots.acquire();
  try {
    return await handshake(o, attempt, privateKey);
  } finally {
    release();
  }
}

function handshake(o: ResolvedSessionOptions, attempt: Attempt, privateKey: string | undefined): Promise<Connection> {
  const addr = addrOf(o);
  const ctx: MapContext = {
    addr,
    user: o.username,
    method: o.auth.kind === 'password' ? 'password' : 'publickey',
    keepaliveIntervalMs: o.keepaliveIntervalMs,
    keepaliveCountMax: o.keepaliveCountMax,
  };
  const sock = tcpConnect({ host: o.host, port: o.port });
  sock.setNoDelay(true);
  const greeting = new Greeting();
  sock.on('data', greeting.feed);
  const stopWatching = () => sock.off('data', greeting.feed);
  const config: ConnectConfig = {
    sock,
    username: o.username,
    // Our own timer below covers the whole attempt; ssh2's is only a backstop.
    readyTimeout: attempt.timeoutMs + 1_000,
    // The session's own health check sends keepalives and judges the link (both cores alike).
    keepaliveInterval: 0,
    tryKeyboard: false,
    hostVerifier: (key: Buffer) => {
      const alias = o.hostKey.policy === 'fingerprint' ? undefined : o.hostKey.hostKeyAlias;
      const verdict = verifyHostKey(o.hostKey, alias?.host ?? o.host, alias?.port ?? o.port, key, attempt.pinned);
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
  type Algorithms = NonNullable<ConnectConfig['algorithms']>;
  if (o.ciphers || o.kex) {
    config.algorithms = {};
    if (o.ciphers) config.algorithms.cipher = o.ciphers as Algorithms['cipher'];
    if (o.kex) config.algorithms.kex = o.kex as Algorithms['kex'];
  }

  return new Promise((resolve, reject) => {
    const client = new Client();
    const conn = new Connection(client, sock, addr);
    let stage = 'the TCP connect';
    let settled = false;
    const fail = (err: SshError) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      client.removeAllListeners('ready');
      client.destroy();
      reject(err);
    };
    const timer = setTimeout(
      () => fail(new SshError('CONNECT_TIMEOUT', `${addr} did not complete ${stage} within ${attempt.timeoutMs} ms`)),
      attempt.timeoutMs,
    );
    sock.once('connect', () => (stage = 'the SSH handshake'));
    client.on('handshake', () => {
      stage = 'authentication';
      stopWatching();
    });
    client.once('ready', () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(conn);
    });
    client.on('error', (err: Error) => {
      const mapped = mapSsh2Error(err, ctx);
      if (!settled) fail(greeting.explain(mapped, addr));
      else conn.lost ??= mapped;
    });
    client.on('close', () => {
      if (!settled) fail(greeting.explain(new SshError('DISCONNECTED_BY_SERVER', `${addr} closed the connection during ${stage}`), addr));
      else conn.closed();
    });
    try {
      client.connect(config);
    } catch (err) {
      fail(new SshError('BAD_OPTION', `ssh2 refused the options: ${(err as Error).message}`));
    }
  });
}
