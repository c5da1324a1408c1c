/**
 * A scriptable misbehaving SSH server for the hostile-server suite, on ssh2's `Server` class
 * (loopback only, a fresh host key per server). Every client authenticates with any password;
 * then the mode decides what the server does wrong. Pre-auth modes are plain TCP servers that
 * never speak SSH properly.
 */
import { createServer, type Server as NetServer, type Socket } from 'node:net';
import ssh2 from 'ssh2';
import { generateKeyPair } from '../../lab-addon/index.js';
import type { SessionOptions } from '../../src/core/contract.js';

const { Server } = ssh2;

/** Misbehaviour before authentication (raw TCP). */
export const PRE_AUTH_MODES = [
  'silent', // accepts TCP, never sends a byte
  'banner-only', // sends a banner, then nothing
  'garbage', // sends random bytes
  'not-ssh', // answers like an HTTP server and closes
  'close-after-banner', // sends a banner and closes
  'close-at-once', // accepts TCP and closes it (sshd past MaxStartups)
  'huge-packet', // a banner, then a packet that claims to be 2 GiB long
] as const;

/** Misbehaviour after authentication (a real SSH server that breaks its promises). */
export const POST_AUTH_MODES = [
  'open-never-confirmed', // a session channel open is never answered
  'exec-never-exits', // an exec prints a line and then runs forever (signals end it)
  'exec-ignores-signals', // ...and ignores signals too: only closing the channel ends it
  'data-past-window', // exec output that ignores the client's window (8 MiB in one go)
  'flood', // exec output as fast as the window allows, forever
  'close-mid-exec', // exec prints a line, then the channel closes with no exit status
  'data-after-exit', // exit status 0, then more output, then close
  'pty-rejected', // the pty request is refused
  'close-before-reply', // the channel is closed instead of answering the pty or exec request
  'exec-request-unanswered', // the channel opens, the exec request is never answered
  'shell-ignores-input', // the shell never reads its input, so the client's window runs out
  'disconnect-mid-shell', // an SSH disconnect message right after the shell opened
  'tcp-end-mid-shell', // the TCP connection ends right after the shell opened, no disconnect message
  'drop-after-auth', // every connection is dropped right after authentication
] as const;

export type HostileMode = (typeof PRE_AUTH_MODES)[number] | (typeof POST_AUTH_MODES)[number];

export interface HostileServer {
  port: number;
  /** Session options for this server (password auth, its host key pinned). */
  options(extra?: Partial<SessionOptions>): SessionOptions;
  /** Connections accepted so far. */
  connections(): number;
  /** Exec channels whose command the server still considers running. */
  running(): number;
  /** Signals received, in order. */
  signals(): string[];
  /** Session channels opened and not yet closed. */
  openChannels(): number;
  stop(): Promise<void>;
}

const BANNER = 'SSH-2.0-hostile_1.0\r\n';

export async function startHostile(mode: HostileMode): Promise<HostileServer> {
  let connections = 0;
  let running = 0;
  let openChannels = 0;
  const signals: string[] = [];
  const sockets = new Set<Socket>();
  let server: NetServer;
  let fp = `SHA256:${'A'.repeat(43)}`;
  if ((PRE_AUTH_MODES as readonly string[]).includes(mode)) {
    server = createServer((sock) => {
      connections++;
      sockets.add(sock);
      sock.on('close', () => sockets.delete(sock));
      sock.on('error', () => {});
      preAuth(mode, sock);
    });
  } else {
    // The addon's generator: ssh2's drops a leading zero byte of an ed25519 public key (about one
    // key in 400), and then cannot parse its own key.
    const key = generateKeyPair();
    fp = key.fingerprint;
    const ssh = new Server({ hostKeys: [key.privateKey], ident: 'hostile_1.0' }, (client) => {
      connections++;
      client.on('error', () => {});
      client.on('authentication', (ctx) => ctx.accept());
      client.on('ready', () => {
        if (mode === 'drop-after-auth') {
          client.end();
          return;
        }
        client.on('session', (accept) => {
          if (mode === 'open-never-confirmed') return;
          const session = accept();
          openChannels++;
          session.once('close', () => openChannels--);
          const closeUnanswered = () => {
            const internals = session as unknown as { _chanInfo: { outgoing: { id: number } } };
            (client as unknown as { _protocol: { channelClose(id: number): void } })._protocol.channelClose(internals._chanInfo.outgoing.id);
          };
          if (mode === 'close-before-reply') {
            session.on('pty', () => closeUnanswered());
            session.on('exec', () => closeUnanswered());
            return;
          }
          if (mode === 'exec-request-unanswered') {
            session.on('exec', () => {});
            session.on('signal', (_a, _r, info) => signals.push(info.name));
            return;
          }
          session.on('pty', (accept, reject) => (mode === 'pty-rejected' ? reject() : accept?.()));
          session.on('window-change', (accept) => accept?.());
          session.on('shell', (accept) => {
            const stream = accept();
            stream.write('hostile$ ');
            // Paused, ssh2 stops adjusting the window once its buffer is full.
            if (mode === 'shell-ignores-input') stream.pause();
            else stream.on('data', () => {});
            if (mode === 'disconnect-mid-shell') setTimeout(() => client.end(), 50);
            if (mode === 'tcp-end-mid-shell') {
              setTimeout(() => (client as unknown as { _sock: Socket })._sock.destroy(), 50);
            }
          });
          session.on('signal', (accept, _reject, info) => {
            accept?.();
            signals.push(info.name);
          });
          session.on('exec', (accept) => {
            const stream = accept();
            exec(mode, stream, {
              started: () => running++,
              ended: () => running--,
              signal: (fn) => session.on('signal', (_a, _r, info) => fn(info.name)),
              // ssh2 reports the client's close of a session channel on the session, not the stream.
              closed: (fn) => session.once('close', fn),
            });
          });
        });
      });
    });
    server = ssh as unknown as NetServer;
    ssh.on('connection', () => {});
  }
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    options: (extra = {}) => ({
      host: '127.0.0.1',
      port,
      username: 'hostile',
      password: 'any',
      hostKey: { policy: 'fingerprint', fingerprint: fp },
      ...extra,
    }),
    connections: () => connections,
    running: () => running,
    signals: () => [...signals],
    openChannels: () => openChannels,
    stop: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
        // ssh2's Server keeps client sockets of its own.
        (server as unknown as { _srv?: NetServer })._srv?.unref?.();
        setTimeout(resolve, 500).unref();
      }),
  };
}

function preAuth(mode: HostileMode, sock: Socket): void {
  switch (mode) {
    case 'silent':
      return;
    case 'banner-only':
      sock.write(BANNER);
      return;
    case 'garbage': {
      const timer = setInterval(() => {
        if (sock.destroyed) return clearInterval(timer);
        sock.write(Buffer.from(Array.from({ length: 512 }, (_, i) => (i * 131 + 7) & 0xff)));
      }, 20);
      sock.on('close', () => clearInterval(timer));
      return;
    }
    case 'not-ssh':
      sock.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
      return;
    case 'close-after-banner':
      sock.end(BANNER);
      return;
    case 'close-at-once':
      sock.end();
      return;
    case 'huge-packet': {
      sock.write(BANNER);
      const packet = Buffer.alloc(16);
      packet.writeUInt32BE(0x7fff_fff0, 0);
      sock.once('data', () => sock.write(packet));
      return;
    }
    default:
      sock.destroy();
  }
}

type Stream = ssh2.ServerChannel;

function exec(
  mode: HostileMode,
  stream: Stream,
  hooks: { started(): void; ended(): void; signal(fn: (name: string) => void): void; closed(fn: () => void): void },
): void {
  let ended = false;
  hooks.started();
  const end = () => {
    if (ended) return;
    ended = true;
    hooks.ended();
  };
  stream.on('close', end);
  hooks.closed(end);
  stream.on('error', () => {});
  switch (mode) {
    case 'exec-never-exits':
      stream.write('started\n');
      hooks.signal((name) => {
        if (ended) return;
        stream.exit(name);
        stream.end();
        end();
      });
      return;
    case 'exec-ignores-signals':
      stream.write('started\n');
      return;
    case 'data-past-window': {
      const internals = stream as unknown as { _client: { _protocol: { channelData(id: number, d: Buffer): void } }; outgoing: { id: number } };
      const chunk = Buffer.alloc(16 * 1024, 0x61);
      for (let i = 0; i < 512; i++) internals._client._protocol.channelData(internals.outgoing.id, chunk);
      stream.exit(0);
      stream.end();
      return;
    }
    case 'flood': {
      const chunk = Buffer.alloc(32 * 1024, 0x62);
      const pump = () => {
        while (!ended && stream.write(chunk));
      };
      stream.on('drain', pump);
      pump();
      return;
    }
    case 'close-mid-exec':
      stream.write('partial\n');
      setTimeout(() => stream.close(), 50);
      return;
    case 'data-after-exit':
      stream.write('before\n');
      stream.exit(0);
      stream.write('after\n');
      setTimeout(() => stream.end(), 20);
      return;
    default:
      stream.write('ok\n');
      stream.exit(0);
      stream.end();
  }
}
