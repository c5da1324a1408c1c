/** Runs the embedded lab in a process of its own, so its CPU never counts against a client. */
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { BindingLabStats } from '../../index.js';
import type { LabChildOptions, LabRequest } from './child.js';
import type { EmbeddedLabOptions, LabResources } from './embedded.js';
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

export class LabProcess {
  readonly info: TargetInfo;
  readonly pid: number;
  #child: ChildProcess;
  #next = 1;
  #waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  private constructor(child: ChildProcess, info: TargetInfo) {
    this.#child = child;
    this.info = info;
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

  /** Starts the lab process; it stops by itself after `maxLifetimeMs` (default 2 h). */
  static start(options: EmbeddedLabOptions & { maxLifetimeMs?: number } = {}): Promise<LabProcess> {
    const childOptions: LabChildOptions = { maxLifetimeMs: 2 * 3600_000, ...options };
    const entry = siblingEntry(import.meta.url, 'child');
    const child = fork(entry.path, [JSON.stringify(childOptions)], {
      execArgv: entry.execArgv,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    return new Promise((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`lab process exited before it was ready (code ${code})`));
      child.once('exit', onExit);
      child.once('message', (msg: { type: string; info?: TargetInfo; error?: string }) => {
        child.off('exit', onExit);
        if (msg.type === 'ready' && msg.info) resolve(new LabProcess(child, msg.info));
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
      this.#waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.#child.send({ id, op, ...extra });
    });
  }

  stats(): Promise<{ server: BindingLabStats; resources: LabResources }> {
    return this.#request('stats');
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

  async stop(): Promise<void> {
    if (this.#child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => this.#child.once('exit', () => resolve()));
    this.#request('stop').catch(() => {});
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), 3_000);
    await exited;
    clearTimeout(timer);
  }
}
