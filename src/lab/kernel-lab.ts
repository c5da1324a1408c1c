/**
 * The runner's lab in kernel mode (`--faults kernel`): one network namespace per target, each with
 * an embedded server of its own, and the faults applied as packet filters in the namespace instead
 * of the proxy (see netns.ts). It offers the runner what LabProcess does: targets, a way in per
 * session, faults that heal by themselves after their window, and the log of them.
 */
import type { FaultName } from './faults/index.js';
import type { FaultRecord } from './fault-lab.js';
import { NamespaceHost } from './netns.js';
import type { LabProcessTarget, RemoteRoute } from './process.js';

/** The faults a packet filter or the server itself can play; the rest need the proxy. */
const KERNEL_FAULTS = ['stall', 'cut', 'reset', 'restart', 'auth-revoke'] as const;

export function isKernelFault(f: FaultName): boolean {
  return (KERNEL_FAULTS as readonly string[]).includes(f);
}

export class KernelLab {
  readonly targets: LabProcessTarget[];
  #hosts: NamespaceHost[];
  #log: FaultRecord[] = [];
  #pending = new Map<number, { timer: NodeJS.Timeout; heal: () => Promise<void> }>();
  #next = 1;

  private constructor(hosts: NamespaceHost[]) {
    this.#hosts = hosts;
    this.targets = hosts.map((h) => ({ name: h.name, info: h.info }));
  }

  /** `count` namespaces, each with its own server; nothing is left behind when one fails to start. */
  static async start(count: number): Promise<KernelLab> {
    // NamespaceHost.start checks that kernel mode can run here, and says why not.
    const hosts: NamespaceHost[] = [];
    try {
      // One at a time: each adds links and a lab process, and two cores are busy enough.
      for (let i = 0; i < count; i++) hosts.push(await NamespaceHost.start());
    } catch (err) {
      await Promise.all(hosts.map((h) => h.stop().catch(() => {})));
      throw err;
    }
    return new KernelLab(hosts);
  }

  /** The way in for a session to target `target`: straight to its namespace (the route id names it). */
  async route(target = 0): Promise<RemoteRoute> {
    const h = this.#host(String(target));
    return { routeId: String(target), info: h.info, target: h.name };
  }

  #host(routeId: string): NamespaceHost {
    const h = this.#hosts[Number(routeId)];
    if (!h) throw new Error(`no kernel-mode host ${routeId}`);
    return h;
  }

  /** Applies a fault to the hosts behind `routes` (all when omitted); heals it after its window. */
  async inject(fault: FaultName, params: { durationMs: number } & Record<string, number>, routes?: string[]): Promise<FaultRecord> {
    if (!isKernelFault(fault)) throw new Error(`kernel mode has no '${fault}' fault (it plays ${KERNEL_FAULTS.join(', ')}); use --faults proxy`);
    const ids = [...new Set(routes ?? this.#hosts.map((_, i) => String(i)))];
    const hosts = ids.map((id) => this.#host(id));
    const record: FaultRecord = { id: this.#next++, fault, params: { ...params }, routes: ids, targets: hosts.map((h) => h.name), appliedAtMs: Date.now() };
    const heals: (() => Promise<void>)[] = [];
    for (const h of hosts) {
      if (fault === 'restart') {
        await h.stopServer();
        heals.push(() => h.startServer());
      } else if (fault === 'auth-revoke') {
        await h.setAuthRevoked(true);
        heals.push(() => h.setAuthRevoked(false));
      } else {
        heals.push(await h.fault(fault as 'stall' | 'cut' | 'reset'));
      }
    }
    this.#log.push(record);
    const heal = async () => {
      this.#pending.delete(record.id);
      await Promise.all(heals.map((f) => f().catch(() => {})));
      record.healedAtMs = Date.now();
    };
    this.#pending.set(record.id, { timer: setTimeout(() => void heal(), params.durationMs), heal });
    return record;
  }

  async faultLog(): Promise<FaultRecord[]> {
    return this.#log.map((r) => ({ ...r }));
  }

  async stop(): Promise<void> {
    const pending = [...this.#pending.values()];
    for (const p of pending) clearTimeout(p.timer);
    for (const p of pending) await p.heal();
    await Promise.all(this.#hosts.map((h) => h.stop().catch(() => {})));
  }
}
