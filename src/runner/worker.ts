/**
 * The client worker: the only process whose CPU and memory the plan measures. It runs one core and
 * the workloads (PTY stream, exec polling, keystroke echo) in every session, samples itself every
 * second, and reports to the orchestrator over IPC. Nothing else (lab, proxy, reports) runs here.
 */
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import type { Session, SessionState, Shell } from '../core/contract.js';
import { SshError } from '../core/errors.js';
import { loadPool } from '../core/load.js';
import { native } from '../core/native.js';
import { Latency } from '../metrics/histogram.js';
import { SeqChecker } from '../workload/seq.js';
import type { FromWorker, ToWorker, WorkerFinal, WorkerStart } from './protocol.js';
import type { RunEvent, Sample } from '../record/record.js';

const send = (m: FromWorker) => process.send?.(m);
const ECHO_CHAR = 'Z';

let t0 = performance.now();
const now = () => Math.round(performance.now() - t0);
let events: RunEvent[] = [];
let samples: Sample[] = [];
const timers: NodeJS.Timeout[] = [];

process.on('uncaughtException', (err) => {
  events.push({ t: now(), kind: 'abnormal', what: 'uncaught-exception', message: err.stack ?? err.message });
  send({ type: 'batch', events, samples });
  process.exit(1);
});
process.on('unhandledRejection', (reason) => {
  events.push({ t: now(), kind: 'abnormal', what: 'unhandled-rejection', message: String((reason as Error)?.message ?? reason) });
});
process.on('disconnect', () => process.exit(0));

/** The Rust core's boundary counters; the other contenders have no boundary to count. */
async function boundaryCounter(cfg: WorkerStart): Promise<(() => { crossings: number; bytes: number }) | undefined> {
  return cfg.core === 'rust' && !cfg.replay ? native().boundaryStats : undefined;
}

interface Tracked {
  id: string;
  session: Session;
  state: SessionState;
  stream?: Shell;
  echo?: Shell;
  checker: SeqChecker;
  /** After a loss: waiting to be usable (ready, shells reopened, one exec answered). */
  pendingUsable: boolean;
  reopened: number;
  execBusy: boolean;
  echoSentAt?: number;
}

async function run(cfg: WorkerStart): Promise<void> {
  t0 = performance.now();
  const pool = cfg.replay ? new (await import('../workload/replay.js')).ReplayPool(cfg.load) : await loadPool(cfg.core, cfg.pool);
  const crossings = await boundaryCounter(cfg);
  const execLatency = new Latency(cfg.execPollIntervalMs);
  const echoLatency = new Latency(cfg.echoIntervalMs);
  const execErrors: Record<string, number> = {};
  const integrity = { lines: 0, missing: 0, reordered: 0, corrupt: 0 };
  let ptyBytes = 0;
  let echoSince: number[] = [];
  const tracked = new Map<string, Tracked>();
  const up = (t: Tracked) => t.state === 'ready' || t.state === 'degraded';

  const retire = (c: SeqChecker) => {
    const r = c.report;
    integrity.lines += r.lines;
    integrity.missing += r.missing;
    integrity.reordered += r.reordered;
    integrity.corrupt += r.corrupt;
  };

  const poll = async (t: Tracked, markUsable: boolean) => {
    if (t.execBusy) return;
    t.execBusy = true;
    const started = performance.now();
    try {
      await t.session.exec(cfg.pollCommand, { timeoutMs: Math.max(10_000, cfg.execPollIntervalMs * 2) });
      execLatency.record(performance.now() - started);
      if (markUsable && t.pendingUsable) {
        t.pendingUsable = false;
        events.push({ t: now(), kind: 'usable', session: t.id });
      }
    } catch (err) {
      const code = err instanceof SshError ? err.code : 'INTERNAL';
      execErrors[code] = (execErrors[code] ?? 0) + 1;
    } finally {
      t.execBusy = false;
    }
  };

  const checkUsable = (t: Tracked) => {
    if (t.pendingUsable && up(t) && t.reopened >= 2) void poll(t, true);
  };

  const startShells = async (t: Tracked) => {
    if (cfg.workloads.stream) await startStream(t);
    if (cfg.workloads.echo) await startEcho(t);
  };

  const startStream = async (t: Tracked) => {
    const stream = await t.session.openShell();
    t.stream = stream;
    stream.on('data', (c) => {
      ptyBytes += c.length;
      t.checker.push(c);
    });
    stream.on('reopen', () => {
      retire(t.checker);
      t.checker = new SeqChecker();
      try {
        stream.write(cfg.streamCommand);
      } catch {
        // the link went down again; the next reopen restarts the stream
      }
      t.reopened++;
      checkUsable(t);
    });
    stream.write(cfg.streamCommand);
  };

  const startEcho = async (t: Tracked) => {
    const echo = await t.session.openShell();
    t.echo = echo;
    echo.on('data', (c) => {
      if (t.echoSentAt !== undefined && c.includes(ECHO_CHAR)) {
        const ms = performance.now() - t.echoSentAt;
        echoLatency.record(ms);
        if (echoSince.length < 1_000) echoSince.push(Math.round(ms * 1000) / 1000);
        t.echoSentAt = undefined;
        try {
          echo.write('\x7f');
        } catch {
          // gone; nothing to erase
        }
      }
    });
    echo.on('reopen', () => {
      t.echoSentAt = undefined;
      t.reopened++;
      checkUsable(t);
    });
  };

  let stopped = false;
  process.on('message', async (m: ToWorker) => {
    if (m.type === 'user-reconnect') {
      for (const id of m.sessions) {
        const t = tracked.get(id);
        if (!t || !m.states.includes(t.state)) continue;
        events.push({ t: now(), kind: 'user-reconnect', session: id });
        t.session.reconnect().catch(() => {});
      }
    } else if (m.type === 'stop') {
      if (stopped) return;
      stopped = true;
      for (const timer of timers) clearTimeout(timer);
      for (const t of tracked.values()) retire(t.checker);
      await pool.close();
      const final: WorkerFinal = { exec: execLatency.summary(), echo: echoLatency.summary(), execErrors, integrity };
      send({ type: 'batch', events, samples });
      send({ type: 'final', final });
      // the orchestrator disconnects once it has the final report; the worker then exits
    }
  });

  const ids = cfg.sessions.map((s) => s.id);
  send({ type: 'ready', t0WallMs: Date.now(), sessionIds: ids });

  // Sessions connect a few at a time, as an app opening its saved tabs would.
  const queue = [...cfg.sessions];
  await Promise.all(
    Array.from({ length: Math.max(1, cfg.connectConcurrency) }, async () => {
      for (let next = queue.shift(); next && !stopped; next = queue.shift()) {
        const session = pool.createSession(next.options);
        const t: Tracked = { id: next.id, session, state: 'closed', checker: new SeqChecker(), pendingUsable: false, reopened: 0, execBusy: false };
        tracked.set(next.id, t);
        session.on('state', (e) => {
          t.state = e.state;
          const ev: RunEvent = { t: now(), kind: 'state', session: t.id, state: e.state, previous: e.previous };
          if (e.cause) ev.cause = e.cause;
          if (e.code) ev.code = e.code;
          events.push(ev);
          if (e.state === 'reconnecting') {
            t.pendingUsable = true;
            // shells not running count as already reopened
            t.reopened = (cfg.workloads.stream ? 0 : 1) + (cfg.workloads.echo ? 0 : 1);
          }
          if (e.state === 'ready') checkUsable(t);
        });
        session.on('attempt', (e) => events.push({ t: now(), kind: 'attempt', session: t.id, attempt: e.attempt }));
        try {
          await session.connect();
          await startShells(t);
        } catch (err) {
          events.push({ t: now(), kind: 'abnormal', what: 'crash', message: `${t.id} could not start: ${(err as Error).message}` });
        }
      }
    }),
  );

  if (stopped) return;
  // Exec polling: every session every interval, starts spread over the first interval.
  for (const [i, t] of cfg.workloads.exec ? [...tracked.values()].entries() : []) {
    const offset = Math.round((cfg.execPollIntervalMs * i) / tracked.size);
    timers.push(
      setTimeout(() => {
        if (!stopped) timers.push(setInterval(() => up(t) && void poll(t, false), cfg.execPollIntervalMs));
      }, offset),
    );
  }
  // Keystroke echo: type one character, time its echo, erase it. Each session every interval, the
  // sessions taking turns spread over it (as exec polling is), the way one person types into one
  // terminal at a time: ten keystrokes landing at the same instant would time each other's queue.
  const typists = [...tracked.values()];
  let turn = 0;
  if (cfg.workloads.echo && typists.length)
    timers.push(
      setInterval(
        () => {
          const t = typists[turn++ % typists.length]!;
          if (!up(t) || !t.echo || t.echoSentAt !== undefined) return;
          try {
            t.echoSentAt = performance.now();
            t.echo.write(ECHO_CHAR);
          } catch {
            t.echoSentAt = undefined;
          }
        },
        Math.max(1, Math.round(cfg.echoIntervalMs / typists.length)),
      ),
    );

  // Self-sampling, every second.
  const eld = monitorEventLoopDelay({ resolution: 10 });
  eld.enable();
  let lastCpu = process.cpuUsage();
  let lastAt = performance.now();
  let lastElu = performance.eventLoopUtilization();
  let lastCross = crossings?.();
  timers.push(
    setInterval(() => {
      const at = performance.now();
      const cpu = process.cpuUsage();
      const elu = performance.eventLoopUtilization(lastElu);
      const states: Partial<Record<SessionState, number>> = {};
      for (const t of tracked.values()) states[t.state] = (states[t.state] ?? 0) + 1;
      const s: Sample = {
        t: now(),
        cpuPct: ((cpu.user - lastCpu.user + cpu.system - lastCpu.system) / 1000 / (at - lastAt)) * 100,
        rssMb: process.memoryUsage.rss() / 2 ** 20,
        eldP99Ms: eld.percentile(99) / 1e6,
        elu: elu.utilization,
        ptyBytes,
        ...(echoSince.length ? { echoMs: echoSince } : {}),
        states,
      };
      echoSince = [];
      const cross = crossings?.();
      if (cross && lastCross) {
        s.crossings = cross.crossings - lastCross.crossings;
        s.crossingBytes = cross.bytes - lastCross.bytes;
      }
      lastCross = cross;
      samples.push(s);
      ptyBytes = 0;
      eld.reset();
      lastCpu = cpu;
      lastAt = at;
      lastElu = performance.eventLoopUtilization();
      send({ type: 'batch', events, samples });
      events = [];
      samples = [];
    }, 1_000),
  );
}

process.once('message', (m: ToWorker) => {
  if (m.type !== 'start') return;
  run(m).catch((err: Error) => {
    send({ type: 'failed', error: err.message });
    process.exit(1);
  });
});
