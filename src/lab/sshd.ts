/**
 * The OpenSSH target: the machine's own sshd on a loopback high port, with generated host and
 * client keys and a config file of its own (as OpenSSH's regression tests run it). Stopping it ends
 * the listener and every per-connection child.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { labAddon } from './addon.js';
import { randomSecret, writeClientKeys, writeKnownHosts } from './keys.js';
import type { TargetControl } from './faults/types.js';
import type { TargetInfo } from './target.js';

const SSHD_PATHS = ['/usr/sbin/sshd', '/usr/local/sbin/sshd', '/sbin/sshd'];
/** The account password logins use when we run as root (created if missing, new password each start). */
export const SSHD_TEST_USER = 'ssh-spike-lab';

export interface SshdOptions {
  /** OpenSSH `MaxStartups` (start:rate:full). @default '10:30:100', OpenSSH's own default */
  maxStartups?: string;
  /** OpenSSH `MaxSessions` (channels per connection). @default 10 */
  maxSessions?: number;
  /** Where keys, config and logs go. @default a new temporary directory, removed by stop() */
  dir?: string;
  /** @default a free port */
  port?: number;
  /** Loopback address to listen on. @default '127.0.0.1' */
  host?: string;
}

/** Why the OpenSSH target cannot run here, or undefined when it can. */
export function sshdUnavailableReason(): string | undefined {
  const bin = SSHD_PATHS.find((p) => existsSync(p));
  if (!bin) return `no sshd binary (looked in ${SSHD_PATHS.join(', ')}); install openssh-server`;
  if (process.platform !== 'linux') return 'the OpenSSH target is set up for Linux only';
  if (process.getuid?.() === 0 && systemUserOptedOut()) {
    return 'SSH_SPIKE_NO_SYSTEM_USER is set: run as root, the OpenSSH target needs an account of its own (ssh-spike-lab) to log in to';
  }
  return undefined;
}

function freePort(host: string): Promise<number> {
  // sshd cannot be told to pick its own port, so ask the kernel for one; start() retries if taken.
  return new Promise((resolve, reject) => {
    import('node:net').then(({ createServer }) => {
      const s = createServer();
      s.once('error', reject);
      s.listen(0, host, () => {
        const port = (s.address() as { port: number }).port;
        s.close(() => resolve(port));
      });
    }, reject);
  });
}

function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect({ host, port });
    sock.once('connect', () => {
      sock.destroy();
      resolve(true);
    });
    sock.once('error', () => resolve(false));
  });
}

/** Every descendant of `pid`, deepest last (from /proc). */
function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = children.get(ppid) ?? [];
      list.push(Number(entry));
      children.set(ppid, list);
    } catch {
      // the process went away meanwhile
    }
  }
  const out: number[] = [];
  const walk = (p: number) => {
    for (const c of children.get(p) ?? []) {
      out.push(c);
      walk(c);
    }
  };
  walk(pid);
  return out;
}

/**
 * `SSH_SPIKE_NO_SYSTEM_USER=1`: as root, never create the `ssh-spike-lab` account; the OpenSSH
 * target is then unavailable (its tests skip and say why). Logging in as root instead was tried:
 * OpenSSH then left timed-out commands running (their channels were not freed), so the target
 * would not behave as it does for everyone else.
 */
export function systemUserOptedOut(): boolean {
  const v = process.env.SSH_SPIKE_NO_SYSTEM_USER;
  return v !== undefined && v !== '' && v !== '0';
}

function ensureTestUser(password: string, home: string): void {
  try {
    execFileSync('id', [SSHD_TEST_USER], { stdio: 'ignore' });
  } catch {
    execFileSync('useradd', ['--system', '--create-home', '--home-dir', home, '--shell', '/bin/sh', SSHD_TEST_USER], {
      stdio: 'ignore',
    });
  }
  execFileSync('chpasswd', [], { input: `${SSHD_TEST_USER}:${password}\n`, stdio: ['pipe', 'ignore', 'ignore'] });
}

/** The sequence stream of the embedded lab, for a real host (same line format, see seqstream.rs). */
const SPIKE_STREAM = `#!/bin/sh
# spike-stream RATE [COUNT]: lines "SEQ <8-digit n> <86 payload chars>", payload char j = 'a' + (n + j) % 26
case "$1" in
  low) per=1; pause=1 ;;
  mid) per=1; pause=0.01 ;;
  high) per=100; pause=0.01 ;;
  flood) per=320; pause=0 ;;
  *) echo "usage: spike-stream low|mid|high|flood [COUNT]" >&2; exit 2 ;;
esac
exec awk -v per="$per" -v pause="$pause" -v count="\${2:-0}" 'BEGIN {
  for (k = 0; k < 26; k++) { p = ""; for (j = 0; j < 86; j++) p = p sprintf("%c", 97 + (k + j) % 26); payload[k] = p }
  n = 1
  while (count == 0 || n <= count) {
    for (i = 0; i < per && (count == 0 || n <= count); i++) { printf "SEQ %08d %s\\n", n % 100000000, payload[n % 26]; n++ }
    fflush()
    if ((count == 0 || n <= count) && pause > 0) system("sleep " pause)
  }
}'
`;

export class SshdTarget implements TargetControl {
  readonly info: TargetInfo;
  readonly dir: string;
  readonly configPath: string;
  #bin: string;
  #authorizedKeys: string;
  #proc: ChildProcess | undefined;
  #ownsDir: boolean;
  #log = '';

  private constructor(bin: string, dir: string, ownsDir: boolean, info: TargetInfo, configPath: string, authorizedKeys: string) {
    this.#bin = bin;
    this.#authorizedKeys = authorizedKeys;
    this.dir = dir;
    this.#ownsDir = ownsDir;
    this.info = info;
    this.configPath = configPath;
  }

  static async start(options: SshdOptions = {}): Promise<SshdTarget> {
    const reason = sshdUnavailableReason();
    if (reason) throw new Error(`cannot start sshd: ${reason}`);
    const bin = SSHD_PATHS.find((p) => existsSync(p))!;
    const host = options.host ?? '127.0.0.1';
    if (!/^127\.\d+\.\d+\.\d+$/.test(host)) throw new Error(`the sshd target listens on loopback only, not ${host}`);
    const ownsDir = options.dir === undefined;
    const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'ssh-spike-sshd-'));
    mkdirSync(join(dir, 'bin'), { recursive: true });
    // The login user must reach bin/ and authorized_keys; private keys stay 0600.
    chmodSync(dir, 0o755);
    const hostKey = labAddon().generateKeyPair();
    const hostKeyPath = join(dir, 'host_ed25519');
    writeFileSync(hostKeyPath, hostKey.privateKey, { mode: 0o600 });
    const keys = writeClientKeys(dir);
    const authorizedKeys = `${keys.publicKey}\n${keys.encryptedPublicKey}\n`;
    writeFileSync(join(dir, 'authorized_keys'), authorizedKeys, { mode: 0o644 });
    writeFileSync(join(dir, 'bin', 'spike-stream'), SPIKE_STREAM, { mode: 0o755 });

    const root = process.getuid?.() === 0;
    let username = userInfo().username;
    let password: string | undefined;
    if (root) {
      // Privilege separation needs this directory (normally made by the service unit).
      mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
      if (systemUserOptedOut()) throw new Error(`OpenSSH target: ${sshdUnavailableReason()}`);
      password = randomSecret();
      ensureTestUser(password, '/var/lib/ssh-spike-lab');
      username = SSHD_TEST_USER;
    }
    const configPath = join(dir, 'sshd_config');
    const target = new SshdTarget(
      bin,
      dir,
      ownsDir,
      {
        kind: 'openssh',
        host,
        port: 0,
        username,
        ...(password === undefined ? {} : { password }),
        privateKeyPath: keys.privateKeyPath,
        encryptedKeyPath: keys.encryptedKeyPath,
        passphrase: keys.passphrase,
        hostFingerprint: hostKey.fingerprint,
        knownHostsPath: '',
        binDir: join(dir, 'bin'),
      },
      configPath,
      authorizedKeys,
    );
    let lastError: Error | undefined;
    for (let attempt = 0; attempt < 5; attempt++) {
      const port = options.port ?? (await freePort(host));
      writeFileSync(
        configPath,
        [
          `Port ${port}`,
          `ListenAddress ${host}`,
          `HostKey ${hostKeyPath}`,
          `PidFile ${join(dir, 'sshd.pid')}`,
          `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
          'UsePAM no',
          'StrictModes no',
          'PubkeyAuthentication yes',
          `PasswordAuthentication ${password === undefined ? 'no' : 'yes'}`,
          'KbdInteractiveAuthentication no',
          `PermitRootLogin ${root ? 'no' : 'yes'}`,
          `MaxStartups ${options.maxStartups ?? '10:30:100'}`,
          `MaxSessions ${options.maxSessions ?? 10}`,
          'MaxAuthTries 6',
          'LoginGraceTime 30',
          'UseDNS no',
          'PrintMotd no',
          'PrintLastLog no',
          'X11Forwarding no',
          // VERBOSE logs every connection, so tests can count login attempts and MaxStartups drops.
          'LogLevel VERBOSE',
          '',
        ].join('\n'),
      );
      try {
        await target.#launch(port);
        target.info.port = port;
        target.info.knownHostsPath = writeKnownHosts(dir, host, port, hostKey.publicKey);
        return target;
      } catch (err) {
        lastError = err as Error;
        if (options.port !== undefined || !/Address already in use/.test(lastError.message)) break;
      }
    }
    if (ownsDir) rmSync(dir, { recursive: true, force: true });
    throw lastError ?? new Error('cannot start sshd');
  }

  async #launch(port: number): Promise<void> {
    const from = this.#log.length;
    const proc = spawn(this.#bin, ['-D', '-e', '-f', this.configPath], { stdio: ['ignore', 'ignore', 'pipe'] });
    this.#proc = proc;
    proc.stderr!.on('data', (d: Buffer) => {
      this.#log = (this.#log + d.toString()).slice(-2_000_000);
    });
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      if (proc.exitCode !== null || proc.signalCode !== null) {
        throw new Error(`sshd exited at start (code ${proc.exitCode}): ${this.#log.slice(from).trim() || 'no output'}`);
      }
      if (await canConnect(this.info.host, port)) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    proc.kill('SIGKILL');
    throw new Error(`sshd did not listen on ${this.info.host}:${port} within 10 s: ${this.#log.slice(from).trim()}`);
  }

  /** sshd's own log (stderr), last 2 MB. */
  get log(): string {
    return this.#log;
  }

  /** Stops the listener and every per-connection child, then waits for the listener to exit. */
  async stopServer(): Promise<void> {
    const proc = this.#proc;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise<void>((r) => proc.once('exit', () => r()));
    const all = [proc.pid!, ...descendants(proc.pid!)];
    for (const pid of all) {
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        // already gone
      }
    }
    const timer = setTimeout(() => {
      for (const pid of [proc.pid!, ...descendants(proc.pid!)]) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }, 2_000);
    await exited;
    clearTimeout(timer);
    this.#proc = undefined;
  }

  /** Starts sshd again on the same port with the same keys (after stopServer). */
  async startServer(): Promise<void> {
    await this.#launch(this.info.port);
  }

  get name(): string {
    return `sshd@${this.info.port}`;
  }

  /** Revoked: authorized_keys is emptied and (as root) the test user's password changed; restored after. */
  async setAuthRevoked(revoked: boolean): Promise<void> {
    writeFileSync(join(this.dir, 'authorized_keys'), revoked ? '' : this.#authorizedKeys, { mode: 0o644 });
    if (this.info.password !== undefined) {
      const password = revoked ? randomSecret() : this.info.password;
      execFileSync('chpasswd', [], { input: `${SSHD_TEST_USER}:${password}\n`, stdio: ['pipe', 'ignore', 'ignore'] });
    }
  }

  /** Lines of sshd's log that match `pattern` (e.g. login attempts, MaxStartups drops). */
  logLines(pattern: RegExp): string[] {
    return this.#log.split('\n').filter((l) => pattern.test(l));
  }

  /** Number of sshd processes serving connections right now. */
  connectionProcesses(): number {
    return this.#proc?.pid ? descendants(this.#proc.pid).length : 0;
  }

  async stop(): Promise<void> {
    await this.stopServer();
    if (this.#ownsDir) rmSync(this.dir, { recursive: true, force: true });
  }
}
