/**
 * Kernel mode of the fault lab (Linux, root): each lab host runs in a network namespace of its
 * own (topology A), reached over a veth pair, and `cut`, `reset` and `stall` are real packet
 * filters (iptables inside the namespace) instead of the proxy. It exists to check that the
 * proxy's faults behave like real packet loss. Every namespace and rule is removed by stop().
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { LabProcess } from './process.js';
import type { TargetControl } from './faults/types.js';
import type { TargetInfo } from './target.js';

export type KernelFault = 'stall' | 'cut' | 'reset';

/** Why kernel mode cannot run here, or undefined when it can. */
export function kernelModeUnavailable(): string | undefined {
  if (process.platform !== 'linux') return 'kernel mode needs Linux network namespaces';
  if (process.getuid?.() !== 0) return 'kernel mode needs root (network namespaces and iptables)';
  for (const tool of ['ip', 'iptables']) {
    if (!['/usr/sbin', '/sbin', '/usr/bin', '/bin'].some((d) => existsSync(`${d}/${tool}`))) {
      return `kernel mode needs '${tool}' (apt-get install ${tool === 'ip' ? 'iproute2' : 'iptables'})`;
    }
  }
  return undefined;
}

function run(cmd: string, args: string[]): void {
  execFileSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

// Each process takes its own 10.201.X.0/24 (X drawn at load) and cuts it into /30 links.
const subnet = 1 + Math.floor(Math.random() * 250);
let hostCounter = 0;
/** How many namespace hosts one process can have at once (/30 links in its /24). */
export const KERNEL_MAX_HOSTS = 62;

/** Removes namespaces left by lab processes that died without cleaning up (named sshspike-<pid>-<n>). */
export function removeStaleNamespaces(): void {
  let list = '';
  try {
    list = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' });
  } catch {
    return;
  }
  for (const line of list.split('\n')) {
    const m = /^sshspike-(\d+)-(\d+)/.exec(line.trim());
    if (!m) continue;
    const pid = Number(m[1]);
    let alive = true;
    try {
      process.kill(pid, 0);
    } catch {
      alive = false;
    }
    if (!alive) NamespaceHost.remove(`sshspike-${m[1]}-${m[2]}`, `ssp${m[1]}-${m[2]}`.slice(0, 15));
  }
}

export class NamespaceHost implements TargetControl {
  readonly namespace: string;
  readonly info: TargetInfo;
  #lab: LabProcess;
  #veth: string;
  #rules: string[][] = [];

  private constructor(namespace: string, veth: string, lab: LabProcess) {
    this.namespace = namespace;
    this.#veth = veth;
    this.#lab = lab;
    this.info = lab.info;
  }

  /** A new namespace with a lab server in it, reachable over its own veth link from here. */
  static async start(): Promise<NamespaceHost> {
    const why = kernelModeUnavailable();
    if (why) throw new Error(why);
    removeStaleNamespaces();
    const n = (hostCounter++ % KERNEL_MAX_HOSTS) + 1;
    const tag = `${process.pid % 100000}-${n}`;
    const namespace = `sshspike-${tag}`;
    const veth = `ssp${tag}`.slice(0, 15);
    const peer = `ssq${tag}`.slice(0, 15);
    const [near, far] = [`10.201.${subnet}.${n * 4 + 1}`, `10.201.${subnet}.${n * 4 + 2}`];
    try {
      run('ip', ['netns', 'add', namespace]);
      run('ip', ['link', 'add', veth, 'type', 'veth', 'peer', 'name', peer]);
      run('ip', ['link', 'set', peer, 'netns', namespace]);
      run('ip', ['addr', 'add', `${near}/30`, 'dev', veth]);
      run('ip', ['link', 'set', veth, 'up']);
      run('ip', ['netns', 'exec', namespace, 'ip', 'addr', 'add', `${far}/30`, 'dev', peer]);
      run('ip', ['netns', 'exec', namespace, 'ip', 'link', 'set', peer, 'up']);
      run('ip', ['netns', 'exec', namespace, 'ip', 'link', 'set', 'lo', 'up']);
      const lab = await LabProcess.start({ namespace, host: far, maxLifetimeMs: 3600_000 });
      return new NamespaceHost(namespace, veth, lab);
    } catch (err) {
      NamespaceHost.remove(namespace, veth);
      throw new Error(`cannot set up the kernel-mode host ${namespace}: ${(err as Error).message}`);
    }
  }

  /** @internal */
  static remove(namespace: string, veth: string): void {
    try {
      run('ip', ['netns', 'del', namespace]);
    } catch {
      // not created
    }
    try {
      run('ip', ['link', 'del', veth]);
    } catch {
      // gone with the namespace
    }
  }

  get name(): string {
    return `netns:${this.namespace}`;
  }

  #iptables(action: '-I' | '-D', rule: string[]): void {
    run('ip', ['netns', 'exec', this.namespace, 'iptables', action, ...rule]);
  }

  #add(rule: string[]): void {
    this.#iptables('-I', rule);
    this.#rules.push(rule);
  }

  #clear(): void {
    for (const rule of this.#rules.splice(0)) this.#iptables('-D', rule);
  }

  /**
   * Applies a kernel fault to every connection of this host; resolves with its heal.
   * stall: packets dropped both ways, TCP delivers them after healing.
   * cut: packets dropped; at healing the server forgets its connections, so old ones get RST and new ones work.
   * reset: every packet answered with RST for the window (live connections reset, new ones refused).
   */
  async fault(kind: KernelFault): Promise<() => Promise<void>> {
    const port = String(this.info.port);
    if (kind === 'reset') {
      this.#add(['INPUT', '-p', 'tcp', '--dport', port, '-j', 'REJECT', '--reject-with', 'tcp-reset']);
    } else {
      this.#add(['INPUT', '-p', 'tcp', '--dport', port, '-j', 'DROP']);
      this.#add(['OUTPUT', '-p', 'tcp', '--sport', port, '-j', 'DROP']);
    }
    return async () => {
      if (kind === 'cut') {
        // The server's side of every old connection goes away while its packets are still dropped.
        await this.#lab.killConnections();
        await new Promise((r) => setTimeout(r, 50));
      }
      this.#clear();
    };
  }

  stopServer(): Promise<void> {
    return this.#lab.stopServer();
  }

  startServer(): Promise<void> {
    return this.#lab.startServer();
  }

  setAuthRevoked(revoked: boolean): Promise<void> {
    return this.#lab.setAuthRevoked(revoked);
  }

  async stop(): Promise<void> {
    this.#rules = [];
    await this.#lab.stop();
    NamespaceHost.remove(this.namespace, this.#veth);
  }
}
