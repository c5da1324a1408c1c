/** Runs the embedded lab in a process of its own, so its CPU never counts against a client. */
import { type ChildProcess, fork, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { BindingLabStats } from '../../lab-addon/index.js';
import type { LabChildOptions, LabRequest, LabTargetSpec } from './child.js';
import type { FaultRecord } from './fault-lab.js';
import type { FaultName, FaultParams } from './faults/index.js';
import type { EmbeddedLabOptions, LabResources } from './embedded.js';
import type { TargetControl } from './faults/types.js';
import type { TargetInfo } from './target.js';

type Op = LabRequest extends infer R ? (R extends { op: infer O } ? O : never) : never;

/** Path and Node flags to run a sibling module, from the compiled .js or (in tests) the .ts source. */
export function siblingEntry(metaUrl: string, name: string): { path: string; execArgv: string[] } {
  const here = fileURLToPath(metaUrl);
  const ts = here.endsWith('.ts');
  return {
    path: here.replace(/[^/]+\.(ts|js)$/, `${name}.${ts ? 'ts' : 'js'}`),
    execArgv: ts ? ['--import', 'tsx'] : [],
  };
}

export interface LabProcessTarget {
  name: string;
  info: TargetInfo;
}

/** A route of the lab's fault proxy, as the client sees it. */
export interface RemoteRoute {
  routeId: string;
  info: TargetInfo;
  /** Name of the target behind the route (use it as the sessions' targetId). */
  target: string;
}

export class LabProcess implements TargetControl {
  /** The first target. */
  readonly info: TargetInfo;
  readonly targets: LabProcessTarget[];
  readonly pid: number;
  #child: ChildProcess;
  #next = 1;
  #waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  private constructor(child: ChildProcess, info: TargetInfo, targets: LabProcessTarget[]) {
    this.#child = child;
    this.info = info;
    this.targets = targets;
    this.pid = child.pid ?? -1;
    child.on('message', (msg: { id?: number; ok?: boolean; value?: unknown; error?: string }) => {
      const w = msg.id === undefined ? undefined : this.#waiting.get(msg.id);
      if (!w) return;
      this.#waiting.delete(msg.id!);
      if (msg.ok) w.resolve(msg.value);
      else w.reject(new Error(`lab: ${msg.error}`));
    });
    child.on('exit', () => {
      for (const w of this.#waiting.values()) w.reject(new Error('lab process exited'));
      this.#waiting.clear();
    });
  }

  /**
   * Starts the lab process; it stops by itself after `maxLifetimeMs` (default 2 h). With
   * `namespace`, it runs inside that network namespace (`ip netns exec`, root only).
   */
  static start(options: EmbeddedLabOptions & { maxLifetimeMs?: number; namespace?: string; targets?: LabTargetSpec[] } = {}): Promise<LabProcess> {
    const { namespace, ...rest } = options;
    const childOptions: LabChildOptions = { maxLifetimeMs: 2 * 3600_000, ...rest, insideNamespace: namespace !== undefined };
    const entry = siblingEntry(import.meta.url, 'child');
    const args = [JSON.stringify(childOptions)];
    const stdio: ['ignore', 'inherit', 'inherit', 'ipc'] = ['ignore', 'inherit', 'inherit', 'ipc'];
    // A process group of its own (detached): a terminal's Ctrl-C reaches only the orchestrator,
    // which stops the lab in order; the lab stops by itself when its IPC channel closes.
    const child = namespace
      ? // `ip netns exec` execs node in place, so the IPC descriptor carries over.
        spawn('ip', ['netns', 'exec', namespace, process.execPath, ...entry.execArgv, entry.path, ...args], { stdio, detached: true })
      : fork(entry.path, args, { execArgv: entry.execArgv, stdio, detached: true });
    return new Promise((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`lab process exited before it was ready (code ${code})`));
      child.once('exit', onExit);
      child.once('message', (msg: { type: string; info?: TargetInfo; targets?: LabProcessTarget[]; error?: string }) => {
        child.off('exit', onExit);
        if (msg.type === 'ready' && msg.info) resolve(new LabProcess(child, msg.info, msg.targets ?? []));
        else {
          child.kill();
          reject(new Error(`cannot start the embedded lab: ${msg.error ?? 'unknown error'}`));
        }
      });
    });
  }

  #request<T>(op: Op, extra: Record<string, unknown> = {}): Promise<T> {
    const id = this.#next++;
    return new Promise<T>((resolve, reject) => {
      if (!this.#child.connected) {
        reject(new Error(`lab process is gone (${op} not sent)`));
        return;
      }
      this.#waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.#child.send({ id, op, ...extra }, (err) => {
        if (!err) return;
        this.#waiting.delete(id);
        reject(new Error(`lab process is gone (${op}: ${err.message})`));
      });
    });
  }

  /** The first target's counters, every target's, and the lab process's own CPU and RSS. */
  stats(): Promise<{ server: BindingLabStats; targets: unknown[]; resources: LabResources }> {
    return this.#request('stats');
  }

  /** A new proxy route to target `target` (index in `targets`); give each session its own. */
  route(target = 0): Promise<RemoteRoute> {
    return this.#request('route', { target });
  }

  /** Applies a fault to some routes (all when omitted); it heals by itself after params.durationMs. */
  inject<N extends FaultName>(fault: N, params: FaultParams<N>, routes?: string[]): Promise<FaultRecord> {
    return this.#request('inject', { fault, params, ...(routes ? { routes } : {}) });
  }

  healAll(): Promise<void> {
    return this.#request('healAll');
  }

  faultLog(): Promise<FaultRecord[]> {
    return this.#request('faultLog');
  }

  stopListening(): Promise<void> {
    return this.#request('stopListening');
  }

  resumeListening(): Promise<void> {
    return this.#request('resumeListening');
  }

  killConnections(): Promise<number> {
    return this.#request('killConnections');
  }

  setAuthRevoked(revoked: boolean): Promise<void> {
    return this.#request('setAuthRevoked', { revoked });
  }

  get name(): string {
    return `lab@${this.info.host}:${this.info.port}`;
  }

  /** Stops listening and kills every connection, as a crashed server would. */
  async stopServer(): Promise<void> {
    await this.stopListening();
    await this.killConnections();
  }

  startServer(): Promise<void> {
    return this.resumeListening();
  }

  async stop(): Promise<void> {
    if (this.#child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => this.#child.once('exit', () => resolve()));
    this.#request('stop').catch(() => {});
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), 3_000);
    await exited;
    clearTimeout(timer);
  }
}
