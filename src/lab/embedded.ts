/**
 * The embedded lab: the project's own SSH server (crates/ssh-lab through the addon). Start it
 * in-process with {@link EmbeddedLab.start}, or in a process of its own with startLabProcess().
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BindingLabStats, NativeLabServer } from '../../lab-addon/index.js';
import { labAddon } from './addon.js';
import { fromNativeError } from '../core/errors.js';
import { randomSecret, writeClientKeys, writeKnownHosts } from './keys.js';
import type { TargetControl } from './faults/types.js';
import type { TargetInfo } from './target.js';

export interface EmbeddedLabOptions {
  /** Loopback address to listen on. @default '127.0.0.1' */
  host?: string;
  /** @default 0 (a free port) */
  port?: number;
  /** Where keys and lab.json go. @default a new temporary directory, removed by stop() */
  dir?: string;
  /** @default 'lab' */
  username?: string;
  /** How long a rejected login takes. @default 20 */
  authRejectionMs?: number;
  /** @default 4 MiB */
  windowBytes?: number;
  /** @default 32 KiB */
  maxPacketBytes?: number;
  /** Set by the kernel-mode lab: the process runs in a network namespace of its own, so it may listen on any of its addresses. */
  insideNamespace?: boolean;
}

export interface LabResources {
  /** CPU time of the lab process, all threads, in ms. */
  cpuMs: number;
  rssBytes: number;
}

export class EmbeddedLab implements TargetControl {
  readonly info: TargetInfo;
  readonly dir: string;
  #server: NativeLabServer;
  #ownsDir: boolean;

  private constructor(server: NativeLabServer, info: TargetInfo, dir: string, ownsDir: boolean) {
    this.#server = server;
    this.info = info;
    this.dir = dir;
    this.#ownsDir = ownsDir;
  }

  static async start(options: EmbeddedLabOptions = {}): Promise<EmbeddedLab> {
    const host = options.host ?? '127.0.0.1';
    if (!options.insideNamespace && !/^(127\.\d+\.\d+\.\d+|::1)$/.test(host)) {
      throw new Error(`the lab listens on loopback only (127.0.0.0/8 or ::1), not ${host}`);
    }
    const ownsDir = options.dir === undefined;
    const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'ssh-spike-lab-'));
    mkdirSync(dir, { recursive: true });
    const keys = writeClientKeys(dir);
    const username = options.username ?? 'lab';
    const password = randomSecret();
    let server: NativeLabServer;
    try {
      server = await labAddon().startLabServer({
        host,
        port: options.port ?? 0,
        username,
        password,
        authorizedKeys: [keys.publicKey, keys.encryptedPublicKey],
        authRejectionMs: options.authRejectionMs ?? 20,
        windowBytes: options.windowBytes ?? 4 * 1024 * 1024,
        maxPacketBytes: options.maxPacketBytes ?? 32 * 1024,
      });
    } catch (err) {
      if (ownsDir) rmSync(dir, { recursive: true, force: true });
      const msg = (err as Error).message;
      throw msg.startsWith('[LAB] ') ? new Error(`cannot start the embedded lab: ${msg.slice(6)}`) : fromNativeError(err);
    }
    const info: TargetInfo = {
      kind: 'embedded',
      host: server.host,
      port: server.port,
      username,
      password,
      privateKeyPath: keys.privateKeyPath,
      encryptedKeyPath: keys.encryptedKeyPath,
      passphrase: keys.passphrase,
      hostFingerprint: server.hostFingerprint,
      knownHostsPath: writeKnownHosts(dir, server.host, server.port, server.hostPublicKey),
      // The lab runs `spike-stream` whatever directory prefix it is given.
      binDir: join(dir, 'bin'),
    };
    return new EmbeddedLab(server, info, dir, ownsDir);
  }

  /** Writes lab.json (mode 0600: it holds the lab password) for other processes; returns its path. */
  writeInfoFile(): string {
    const path = join(this.dir, 'lab.json');
    writeFileSync(path, `${JSON.stringify({ ...this.info, pid: process.pid }, null, 2)}\n`, { mode: 0o600 });
    return path;
  }

  stats(): BindingLabStats {
    return this.#server.stats();
  }

  /** This process's CPU and memory (the lab runs in it). */
  resources(): LabResources {
    const cpu = process.cpuUsage();
    return { cpuMs: (cpu.user + cpu.system) / 1000, rssBytes: process.memoryUsage.rss() };
  }

  /** New connections are refused until resumeListening(). */
  stopListening(): void {
    this.#server.stopListening();
  }

  async resumeListening(): Promise<void> {
    await this.#server.resumeListening();
  }

  /** Ends every live connection as a dying server would; returns how many. */
  killConnections(): number {
    return this.#server.killConnections();
  }

  get name(): string {
    return `embedded@${this.info.port}`;
  }

  /** While revoked, every login is rejected (and counted in stats().authAttemptsWhileRevoked). */
  async setAuthRevoked(revoked: boolean): Promise<void> {
    this.#server.setAuthRevoked(revoked);
  }

  /** Stops listening and kills every connection, as a crashed server would. */
  async stopServer(): Promise<void> {
    this.#server.stopListening();
    this.#server.killConnections();
  }

  async startServer(): Promise<void> {
    await this.#server.resumeListening();
  }

  stop(): void {
    this.#server.stop();
    if (this.#ownsDir) rmSync(this.dir, { recursive: true, force: true });
  }
}
