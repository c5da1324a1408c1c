/**
 * One run of the plan: a lab process (targets and fault proxy), one client worker process for one
 * core, faults fired on the run's timeline, and the record of everything that happened.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { lookup } from 'node:dns/promises';
import type { SessionOptions } from '../core/contract.js';
import { SESSION_DEFAULTS } from '../core/defaults.js';
import type { Contender } from '../core/errors.js';
import type { LabTargetSpec } from '../lab/child.js';
import { KernelLab } from '../lab/kernel-lab.js';
import { LabProcess, siblingEntry } from '../lab/process.js';
import { portableStreamCommand } from '../lab/stream.js';
import { POLL_COMMAND, sessionOptions, streamCommand } from '../lab/target.js';
import { SCENARIOS } from '../scenarios/index.js';
import { inventorySessionOptions } from './inventory.js';
import type { SpikeOptions } from './options.js';
import type { FromWorker, ToWorker, WorkerFinal, WorkerSession } from './protocol.js';
import type { FaultWindow, RunEvent, RunRecord, Sample } from '../record/record.js';
import type { RunPlan } from './timeline.js';
import { ssh2NativeCrypto } from '../core/ssh2/binding.js';

export interface RunConfig {
  runId: string;
  core: Contender;
  repeat: number;
  plan: RunPlan;
  options: SpikeOptions;
}

export interface Progress {
  runId: string;
  core: Contender;
  elapsedMs: number;
  durationMs: number;
  states: Record<string, number>;
  losses: number;
  cpuPct: number;
  rssMb: number;
  /** The fault in force now (until it heals), if any. */
  fault: string | undefined;
}

export interface RunHooks {
  onProgress?: (p: Progress) => void;
  /** Polled every second; true ends the run early (Ctrl-C). */
  shouldStop: () => boolean;
  /** The client worker's pid once it runs (for a profiler to attach). */
  onWorker?: (pid: number) => void;
}

function loopback(i: number): string {
  return `127.0.${1 + Math.floor(i / 254)}.${1 + (i % 254)}`;
}

async function targetSpecs(o: SpikeOptions): Promise<LabTargetSpec[]> {
  const perSession = o.topology === 'A';
  const n = perSession ? o.sessions : 1;
  switch (o.target.kind) {
    case 'embedded':
      return Array.from({ length: n }, (_, i) => ({ kind: 'embedded', host: perSession ? loopback(i) : '127.0.0.1' }));
    case 'openssh':
      return Array.from({ length: n }, (_, i) => ({ kind: 'openssh', host: perSession ? loopback(i) : '127.0.0.1' }));
    case 'inventory': {
      const hosts = perSession ? o.target.inventory.hosts : o.target.inventory.hosts.slice(0, 1);
      return Promise.all(hosts.map(async (h) => ({ kind: 'remote' as const, name: h.name, host: (await lookup(h.host)).address, port: h.port })));
    }
  }
}

const LOADS = { low: 'about 1 line/s', mid: 'about 10 KB/s', high: 'about 1 MB/s' } as const;

/** What each session of a run does, in words, for the reports of both tools. */
export function describeWorkloads(w: Extract<ToWorker, { type: 'start' }>, policy: Partial<SessionOptions>): string[] {
  const s = (ms: number) => `${+(ms / 1000).toFixed(2)} s`;
  const out: string[] = [];
  if (w.replay) out.push("no SSH: the lab's bytes replayed into the same workload (the workload floor)");
  if (w.workloads.stream) out.push(`a PTY shell streaming sequence lines (${w.load}: ${LOADS[w.load]})`);
  if (w.workloads.exec) out.push(`exec \`${w.pollCommand}\` every ${s(w.execPollIntervalMs)}`);
  if (w.workloads.echo) out.push(`a keystroke-echo probe on a second shell every ${s(w.echoIntervalMs)}`);
  out.push(`keepalive after ${s(policy.keepaliveIntervalMs ?? SESSION_DEFAULTS.keepaliveIntervalMs)} of silence`);
  return out;
}

export async function runOne(cfg: RunConfig, hooks: RunHooks): Promise<RunRecord> {
  const o = cfg.options;
  const specs = await targetSpecs(o);
  // Kernel mode: a namespace per target, faults as packet filters; otherwise the lab's proxy.
  const lab =
    o.faults === 'kernel' ? await KernelLab.start(specs.length) : await LabProcess.start({ targets: specs, maxLifetimeMs: o.durationMs + 15 * 60_000 });
  const notes: string[] = [];
  // The worker runs on this Node with these modules, so what loads here loads there.
  if (cfg.core === 'ssh2' && ssh2NativeCrypto() === false)
    notes.push('ssh2 ran without its native crypto binding (node:crypto per packet, about three times its CPU): not ssh2 at its best');
  const events: RunEvent[] = [];
  const samples: Sample[] = [];
  const windows: FaultWindow[] = [];
  const timers: NodeJS.Timeout[] = [];
  let worker: ChildProcess | undefined;
  try {
    const sessions: WorkerSession[] = [];
    const routeOf = new Map<string, string>();
    for (let i = 0; i < o.sessions; i++) {
      const id = `s${i + 1}`;
      const target = lab.targets[i % specs.length]!;
      const route = o.bench?.direct ? { routeId: '', info: target.info, target: target.name } : await lab.route(i % specs.length);
      routeOf.set(id, route.routeId);
      let options: SessionOptions;
      if (o.target.kind === 'inventory') {
        const hosts = o.target.inventory.hosts;
        options = { ...inventorySessionOptions(hosts[o.topology === 'A' ? i % hosts.length : 0]!), host: route.info.host, port: route.info.port };
      } else {
        options = { ...sessionOptions(route.info), targetId: route.target };
      }
      sessions.push({ id, options: { ...options, ...cfg.plan.policy } });
    }
    const first = lab.targets[0]!.info;
    const stream = o.target.kind === 'inventory' ? portableStreamCommand(o.load) : streamCommand(first, o.load, 0);

    const entry = siblingEntry(import.meta.url, 'worker');
    // A process group of its own: a terminal's Ctrl-C reaches only the orchestrator, which stops
    // the worker in order (and the worker exits by itself if the orchestrator dies: IPC closes).
    worker = fork(entry.path, [], { execArgv: entry.execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'], detached: true });
    const w = worker;
    if (w.pid !== undefined) hooks.onWorker?.(w.pid);
    const exited = new Promise<{ code: number | null; signal: string | null }>((r) => w.on('exit', (code, signal) => r({ code, signal })));
    let t0Wall = 0;
    let final: WorkerFinal | undefined;
    let workerGone = false;
    void exited.then(() => (workerGone = true));
    const ready = new Promise<void>((resolve, reject) => {
      w.on('message', (m: FromWorker) => {
        if (m.type === 'ready') {
          t0Wall = m.t0WallMs;
          resolve();
        } else if (m.type === 'batch') {
          events.push(...m.events);
          samples.push(...m.samples);
        } else if (m.type === 'final') {
          final = m.final;
        } else if (m.type === 'failed') {
          reject(new Error(`the client worker failed: ${m.error}`));
        }
      });
      void exited.then(({ code }) => reject(new Error(`the client worker exited before it was ready (code ${code})`)));
    });
    const start: ToWorker = {
      type: 'start',
      core: cfg.core,
      workloads: o.bench?.workloads ?? { stream: true, exec: true, echo: true },
      pool: { seed: o.seed },
      sessions,
      load: o.load,
      streamCommand: `${stream}\r`,
      pollCommand: POLL_COMMAND,
      execPollIntervalMs: o.criteria.execPollIntervalMs,
      echoIntervalMs: o.echoIntervalMs,
      connectConcurrency: 4,
      ...(o.bench?.replay ? { replay: true } : {}),
    };
    w.send(start);
    await ready;
    const startedAt = Date.now();
    const ids = sessions.map((s) => s.id);
    let active: { label: string; untilMs: number } | undefined;

    for (const pf of cfg.plan.faults) {
      timers.push(
        setTimeout(async () => {
          const target = pf.step.on === 'all' ? ids : ids.slice(0, 1);
          try {
            const rec = await lab.inject(
              pf.step.fault,
              { durationMs: pf.step.durationMs, ...pf.step.params } as never,
              target.map((id) => routeOf.get(id)!),
            );
            const appliedT = rec.appliedAtMs - t0Wall;
            windows.push({
              id: rec.id,
              scenario: pf.scenario,
              occurrence: pf.occurrence,
              fault: rec.fault,
              params: rec.params,
              sessions: target,
              appliedT,
              healedT: appliedT + pf.step.durationMs,
            });
            active = {
              label: `${pf.scenario} ${pf.step.fault} on ${target.length === ids.length ? 'all' : target.join(',')}`,
              untilMs: Date.now() + pf.step.durationMs,
            };
            // After healing, the runner stands in for the user where the plan wants one.
            timers.push(
              setTimeout(() => {
                if (workerGone) return;
                if (SCENARIOS[pf.scenario].manualReconnect)
                  w.send({ type: 'user-reconnect', sessions: target, states: ['manual_reconnect_required'] } satisfies ToWorker);
                if (pf.step.fault === 'auth-revoke') w.send({ type: 'user-reconnect', sessions: target, states: ['auth_failed'] } satisfies ToWorker);
              }, pf.step.durationMs + 500),
            );
          } catch (err) {
            notes.push(`${pf.scenario} ${pf.step.fault} was not applied: ${(err as Error).message}`);
          }
        }, pf.atMs),
      );
    }

    let stoppedBy: RunRecord['stoppedBy'] = 'duration';
    while (Date.now() - startedAt < o.durationMs) {
      await new Promise((r) => setTimeout(r, 1_000));
      if (workerGone) {
        stoppedBy = 'worker-exit';
        break;
      }
      if (hooks.shouldStop()) {
        stoppedBy = 'user';
        break;
      }
      const last = samples.at(-1);
      hooks.onProgress?.({
        runId: cfg.runId,
        core: cfg.core,
        elapsedMs: Date.now() - startedAt,
        durationMs: o.durationMs,
        states: (last?.states ?? {}) as Record<string, number>,
        losses: events.filter((e) => e.kind === 'state' && (e.state === 'reconnecting' || e.state === 'manual_reconnect_required' || e.state === 'auth_failed'))
          .length,
        cpuPct: last?.cpuPct ?? 0,
        rssMb: last?.rssMb ?? 0,
        fault: active && Date.now() < active.untilMs ? active.label : undefined,
      });
    }
    for (const t of timers) clearTimeout(t);
    const durationMs = Date.now() - t0Wall;
    if (!workerGone) {
      w.send({ type: 'stop' } satisfies ToWorker);
      const deadline = Date.now() + 30_000;
      while (!final && !workerGone && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      if (!workerGone) w.disconnect();
    }
    const exit = await Promise.race([
      exited,
      new Promise<{ code: null; signal: string }>((r) => setTimeout(() => r({ code: null, signal: 'timeout' }), 10_000)),
    ]);
    if (exit.signal === 'timeout') w.kill('SIGKILL');
    // Fault windows as the lab logged them (healing times included).
    const log = await lab.faultLog().catch(() => []);
    for (const win of windows) {
      const rec = log.find((r) => r.id === win.id);
      if (rec?.healedAtMs) win.healedT = rec.healedAtMs - t0Wall;
    }
    const f = final ?? {
      exec: { count: 0, p50Ms: NaN, p95Ms: NaN, p99Ms: NaN, maxMs: NaN },
      echo: { count: 0, p50Ms: NaN, p95Ms: NaN, p99Ms: NaN, maxMs: NaN },
      execErrors: {},
      integrity: { lines: 0, missing: 0, reordered: 0, corrupt: 0 },
    };
    return {
      runId: cfg.runId,
      core: cfg.core,
      repeat: cfg.repeat,
      topology: o.topology,
      target: o.target.kind === 'inventory' ? o.target.path : o.target.kind,
      sessions: ids,
      workloads: describeWorkloads(start, cfg.plan.policy),
      load: o.load,
      interrupt: cfg.plan.interrupt,
      plannedDurationMs: o.durationMs,
      durationMs,
      startedAtMs: t0Wall,
      partial: stoppedBy !== 'duration',
      stoppedBy,
      notes,
      compression: cfg.plan.compression,
      policy: cfg.plan.policy as Record<string, unknown>,
      events: events.filter((e) => e.t <= durationMs),
      faults: windows,
      samples,
      exec: f.exec,
      echo: f.echo,
      execErrors: f.execErrors,
      integrity: f.integrity,
      worker: { exitCode: exit.code, signal: exit.signal === 'timeout' ? 'SIGKILL' : exit.signal },
    };
  } finally {
    for (const t of timers) clearTimeout(t);
    if (worker && worker.exitCode === null && worker.signalCode === null) worker.kill('SIGKILL');
    await lab.stop();
  }
}
