/**
 * The client worker: the only process whose CPU and memory the plan measures. It runs one core and
 * the workloads (PTY stream, exec polling, keystroke echo) in every session, samples itself every
 * second, and reports to the orchestrator over IPC. Nothing else (lab, proxy, reports) runs here.
 */
import { performance } from 'node:perf_hooks';
import type { Session, SessionState } from '../core/contract.js';
import { loadPool } from '../core/load.js';
import { native } from '../core/native.js';
import { type EchoTerminal, EchoWorkload } from '../workload/echo.js';
import { ExecPoller } from '../workload/exec-poll.js';
import { startSampler } from '../workload/sampler.js';
import { StreamWorkload } from '../workload/stream.js';
import type { FromWorker, ToWorker, WorkerFinal, WorkerStart } from './protocol.js';
import type { RunEvent, Sample } from '../record/record.js';

const send = (m: FromWorker) => process.send?.(m);

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
  echo?: EchoTerminal;
  /** After a loss: waiting to be usable (ready, shells reopened, one exec answered). */
  pendingUsable: boolean;
  reopened: number;
}

async function run(cfg: WorkerStart): Promise<void> {
  t0 = performance.now();
  const pool = cfg.replay ? new (await import('../workload/replay.js')).ReplayPool(cfg.load) : await loadPool(cfg.core, cfg.pool);
  const crossings = await boundaryCounter(cfg);
  const stream = new StreamWorkload(cfg.streamCommand);
  const execs = new ExecPoller(cfg.pollCommand, cfg.execPollIntervalMs);
  const echo = new EchoWorkload(cfg.echoIntervalMs);
  const tracked = new Map<string, Tracked>();
  const up = (t: Tracked) => t.state === 'ready' || t.state === 'degraded';

  // Usable again after a loss: ready, both shells reopened, and one exec answered.
  const checkUsable = (t: Tracked) => {
    if (!(t.pendingUsable && up(t) && t.reopened >= 2)) return;
    void execs.poll(t.session).then((answered) => {
      if (answered && t.pendingUsable) {
        t.pendingUsable = false;
        events.push({ t: now(), kind: 'usable', session: t.id });
      }
    });
  };
  const reopened = (t: Tracked) => () => {
    t.reopened++;
    checkUsable(t);
  };

  const startShells = async (t: Tracked) => {
    if (cfg.workloads.stream) await stream.start(t.session, reopened(t));
    if (cfg.workloads.echo) t.echo = echo.attach(await t.session.openShell(), reopened(t));
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
      const integrity = stream.finish();
      await pool.close();
      const final: WorkerFinal = { exec: execs.latency.summary(), echo: echo.latency.summary(), execErrors: execs.errors, integrity };
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
        const t: Tracked = { id: next.id, session, state: 'closed', pendingUsable: false, reopened: 0 };
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
  const all = [...tracked.values()];
  if (cfg.workloads.exec)
    execs.schedule(
      all.map((t) => ({ session: t.session, up: () => up(t) })),
      timers,
      () => stopped,
    );
  if (cfg.workloads.echo)
    echo.schedule(
      all.map((t) => ({ terminal: () => t.echo, up: () => up(t) })),
      timers,
    );
  startSampler(
    {
      now,
      states: () => {
        const states: Partial<Record<SessionState, number>> = {};
        for (const t of tracked.values()) states[t.state] = (states[t.state] ?? 0) + 1;
        return states;
      },
      takePtyBytes: () => stream.takeBytes(),
      takeEchoMs: () => echo.takeSince(),
      ...(crossings ? { crossings } : {}),
      onSample: (s) => {
        samples.push(s);
        send({ type: 'batch', events, samples });
        events = [];
        samples = [];
      },
    },
    timers,
  );
}

process.once('message', (m: ToWorker) => {
  if (m.type !== 'start') return;
  run(m).catch((err: Error) => {
    send({ type: 'failed', error: err.message });
    process.exit(1);
  });
});
