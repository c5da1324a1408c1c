/**
 * The path from the core to the UI (the plan's RISK-4), measured in the process that plays the
 * app's main process. Architectures: `main`, the core in this process relaying to the UI stand-in;
 * `utility`, the core in a utility process of its own whose output this process relays on;
 * `direct` (Rust only), the core in this process writing each shell's output straight onto a Unix
 * socket of the UI process and taking its keys from there, with no JS hop (only control goes over
 * IPC). The UI stand-in runs as a process over Node IPC or as a worker thread over its port
 * (host.ts); `direct` uses a process over IPC for control.
 * Workloads: `load`, sessions with the stream at a rate and a keystroke probe per session a second,
 * typed and timed by the UI; `flood`, one session's stream as fast as it goes, until the UI has
 * drawn every line. CPU counts every process of the app (a worker thread's inside its host's).
 * Flow control: a gate per terminal pauses its shell above the high watermark of bytes sent and
 * not yet acked by the UI (the shell's `pause`; both cores can). In the main process the relay's
 * gate does it; the utility process keeps a gate of its own over what it sent (the relay passes the
 * UI's acks on), so its pause lands at once rather than after an IPC round trip; on the direct path
 * the Rust core's UI link does it. A pause a shell cannot make is counted as unavailable.
 */
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Contender } from '../core/errors.js';
import type { RustUiLink } from '../core/rust.js';
import type { SessionOptions } from '../core/contract.js';
import { siblingEntry } from '../lab/process.js';
import type { LatencySummary } from '../record/record.js';
import type { FrameBatcherStats } from '../ui/batch.js';
import type { UiResources, UiStats } from '../ui/frames.js';
import { UiHost, type UiTransport } from '../ui/host.js';
import { Relay, type RelayStats } from '../ui/relay.js';
import type { Integrity } from '../workload/stream.js';
import { type TerminalSink, Terminals, type TerminalsSpec } from './terminals.js';
import type { UtilityReply, UtilityRequest } from './ui-utility.js';

export const UI_ARCHITECTURES = ['main', 'utility', 'direct'] as const;
export type UiArchitecture = (typeof UI_ARCHITECTURES)[number];

export interface UiPathTask {
  kind: 'ui';
  core: Contender;
  session: SessionOptions;
  arch: UiArchitecture;
  /** How the UI is reached (its control only, for `direct`). */
  transport: UiTransport;
  workload: 'load' | 'flood';
  sessions: number;
  /** load: how long the measured window lasts (a quarter more runs before it as warm-up). */
  seconds: number;
  /** load: the stream command of each stream shell (ends with \r); flood: the flood command. */
  streamCommand: string;
  /** flood: lines the stream sends (100 bytes each). */
  floodLines: number;
  /** How fast the UI stand-in draws (its `drawBytesPerS`). @default undefined (as fast as it can) */
  drawBytesPerS?: number;
}

/** CPU (% of one core over the window) and RSS of each process of the app. */
export interface AppProcess {
  role: 'main' | 'utility' | 'ui';
  cpuPct: number;
  rssMb: number;
}

export interface UiPathResult {
  arch: UiArchitecture;
  transport: UiTransport;
  windowMs: number;
  /** Every process of the app; a UI worker thread's CPU is inside the main process's. */
  processes: AppProcess[];
  totalCpuPct: number;
  totalRssMb: number;
  /** flood: bytes the UI drew, and the rate and CPU per GB over every process. */
  bytesDrawn: number;
  /**
   * flood: ms from the command typed to the last output reaching the relay, which flow control
   * stretches to the UI's pace; null on the direct path, whose bytes go past JS.
   */
  floodSendMs: number | null;
  mbPerS: number | null;
  cpuSPerGb: number | null;
  integrity: Integrity;
  echo: LatencySummary;
  relay: RelayStats;
  /**
   * utility: the utility process's batcher, which takes the core's output as the core hands it
   * over (chunks in) and sends it to the main process (batches out); the relay's figures then
   * count what the utility already batched. null on the other paths, where the relay's are these.
   */
  utilityBatch: FrameBatcherStats | null;
  uiPeakQueuedBytes: number;
}

/** Where the core runs, as the main process sees it; usable before its sessions are all open. */
interface CoreSide {
  /** Resolves when every session and shell is open. */
  opened: Promise<void>;
  write(terminal: number, text: string): void;
  /** Pauses a terminal's shell (flow control); false when its core cannot, or it is not open yet. */
  pause(terminal: number): boolean;
  resume(terminal: number): void;
  /** The UI drew `bytes` more of a terminal's output (for a side that gates its own output). */
  acked?(terminal: number, bytes: number): void;
  /** CPU ms and RSS of the core's own process, when it is not this one, and its gates' pauses. */
  usage(): Promise<CoreUsage | null>;
  close(): Promise<void>;
}

interface CoreUsage {
  cpuMs: number;
  rssBytes: number;
  pauses: number;
  pausesUnavailable: number;
  batch: FrameBatcherStats;
}

const TIMEOUT_MS = 60_000;

function timeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
    }),
  ]);
}

function inUtility(spec: TerminalsSpec, sink: TerminalSink): CoreSide {
  const entry = siblingEntry(import.meta.url, 'ui-utility');
  const child = fork(entry.path, [], { execArgv: entry.execArgv, serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  // Acks and keys can still come from the UI after the utility process went.
  const ask = (m: UtilityRequest) => {
    if (child.connected) child.send(m);
  };
  const usageWaiters = new Map<number, (u: CoreUsage) => void>();
  let nextId = 1;
  // Which terminals' shells can pause, as the utility reports each before its first byte.
  const pausable: boolean[] = [];
  const opened = new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the utility process exited (code ${code}) before its sessions opened`)));
    child.on('message', (m: UtilityReply) => {
      if (m.type === 'data') sink.data(m.terminal, m.bytes);
      else if (m.type === 'reopen') sink.reopen(m.terminal);
      else if (m.type === 'shell') pausable[m.terminal] = m.canPause;
      else if (m.type === 'opened') resolve();
      else if (m.type === 'failed') reject(new Error(`the utility process could not open its sessions: ${m.error}`));
      else if (m.type === 'usage') usageWaiters.get(m.id)?.(m);
    });
  });
  ask({ type: 'open', spec });
  return {
    opened: timeout(opened, TIMEOUT_MS, 'opening the sessions in the utility process').catch((err) => {
      child.kill();
      throw err;
    }),
    write: (terminal, text) => ask({ type: 'key', terminal, text }),
    // The utility's own gate pauses and resumes (it counts the same bytes and acks, and is never
    // behind this process's), so a pause the relay asks for is already made or about to be.
    pause: (terminal) => pausable[terminal] ?? false,
    resume: () => {},
    acked: (terminal, bytes) => ask({ type: 'ack', terminal, bytes }),
    usage: () => {
      const id = nextId++;
      ask({ type: 'usage', id });
      return timeout(new Promise((resolve) => usageWaiters.set(id, resolve)), TIMEOUT_MS, "the utility process's usage");
    },
    close: async () => {
      if (child.exitCode !== null || child.signalCode !== null || !child.connected) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      ask({ type: 'stop' });
      await timeout(exited, TIMEOUT_MS, 'stopping the utility process').catch(() => child.kill());
    },
  };
}

/** The core in this process; with `link` (the direct path) each shell's output goes to the UI on it. */
function inMain(spec: TerminalsSpec, sink: TerminalSink, link?: RustUiLink): CoreSide {
  const terminals = new Terminals(spec);
  return {
    opened: timeout(terminals.open(sink, link), TIMEOUT_MS, 'opening the sessions'),
    write: (t, text) => terminals.write(t, text),
    pause: (t) => terminals.pause(t),
    resume: (t) => terminals.resume(t),
    usage: async () => null,
    close: () => terminals.close(),
  };
}

/** The direct path's link stats, in the relay's terms. */
function linkStats(link: RustUiLink): RelayStats {
  const s = link.stats();
  if (s.error) throw new Error(`the Rust core's UI link failed: ${s.error}`);
  return {
    bytesSent: s.bytesSent,
    messagesSent: s.framesSent,
    // The link frames each chunk the core delivered; it batches nothing further.
    chunksIn: s.framesSent,
    peakUnackedBytes: s.peakUnackedBytes,
    pauses: s.pauses,
    pausesUnavailable: s.pausesUnavailable,
    keysTyped: s.keysTyped,
  };
}

interface Snapshot {
  atMs: number;
  mainCpuMs: number;
  core: CoreUsage | null;
  ui: { stats: UiStats; resources: UiResources };
}

export async function uiPath(task: UiPathTask): Promise<UiPathResult> {
  const flood = task.workload === 'flood';
  const direct = task.arch === 'direct';
  if (direct && task.core !== 'rust') throw new Error(`the direct path to the UI is the Rust core's alone, not ${task.core}'s`);
  if (direct && task.transport !== 'ipc') throw new Error(`the direct path takes its control over ipc, not ${task.transport}`);
  const dir = direct ? mkdtempSync(join(tmpdir(), 'ssh-spike-ui-')) : undefined;
  const socketPath = dir ? join(dir, 'ui.sock') : undefined;
  let ui: UiHost;
  try {
    ui = await UiHost.start(task.transport, {
      maxLifetimeMs: task.seconds * 2000 + 2 * TIMEOUT_MS,
      ...(socketPath ? { socketPath } : {}),
      ...(task.drawBytesPerS !== undefined ? { drawBytesPerS: task.drawBytesPerS } : {}),
    });
  } catch (err) {
    if (dir) rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  let side: CoreSide | undefined;
  let link: RustUiLink | undefined;
  let relayToClose: Relay | undefined;
  // When the last output reached the relay (the direct path's goes past JS).
  let lastDataAtMs: number | undefined;
  try {
    // The direct path has no relay: the UI's keys and acks go to the core on its socket.
    const relay = direct
      ? undefined
      : new Relay(ui, task.sessions * 2, {
          write: (t, text) => side?.write(t, text),
          pause: (t) => side?.pause(t) ?? false,
          resume: (t) => side?.resume(t),
          acked: (t, bytes) => side?.acked?.(t, bytes),
        });
    relayToClose = relay;
    const spec: TerminalsSpec = {
      core: task.core,
      session: task.session,
      sessions: task.sessions,
      streamCommand: flood ? '' : task.streamCommand,
      echo: !flood,
    };
    if (!relay) {
      // Loaded here: the Rust addon stays out of the ssh2 core's measured process.
      const { RustUiLink } = await import('../core/rust.js');
      link = await RustUiLink.connect(socketPath!, TIMEOUT_MS);
      // Output and reopens go from the core to the UI on the link; Terminals types the command again on a reopen.
      side = inMain(spec, { data: () => {}, reopen: () => {} }, link);
    } else {
      const sink: TerminalSink = {
        data: (t, b) => {
          lastDataAtMs = performance.now();
          relay.data(t, b);
        },
        reopen: (t) => relay.reopen(t),
      };
      side = task.arch === 'main' ? inMain(spec, sink) : inUtility(spec, sink);
    }
    await side.opened;
    const snap = async (): Promise<Snapshot> => {
      const [core, uiNow] = await Promise.all([side!.usage(), ui.stats()]);
      const cpu = process.cpuUsage();
      return { atMs: performance.now(), mainCpuMs: (cpu.user + cpu.system) / 1000, core, ui: uiNow };
    };
    let first: Snapshot;
    let typedAtMs = 0;
    if (flood) {
      first = await snap();
      typedAtMs = performance.now();
      side.write(0, task.streamCommand);
      const until = performance.now() + TIMEOUT_MS + task.seconds * 1000;
      while ((await ui.stats()).stats.integrity.lines < task.floodLines) {
        if (performance.now() > until) throw new Error(`the UI drew fewer than ${task.floodLines} lines of the flood in time`);
        await new Promise((r) => setTimeout(r, 20));
      }
    } else {
      ui.send({ type: 'typing', sessions: Array.from({ length: task.sessions }, (_, i) => 2 * i + 1) });
      await new Promise((r) => setTimeout(r, (task.seconds * 1000) / 4));
      first = await snap();
      await new Promise((r) => setTimeout(r, task.seconds * 1000));
    }
    const last = await snap();
    ui.send({ type: 'typing', sessions: [] });
    const windowMs = last.atMs - first.atMs;
    const pct = (ms: number) => (100 * ms) / windowMs;
    const processes: AppProcess[] = [{ role: 'main', cpuPct: pct(last.mainCpuMs - first.mainCpuMs), rssMb: process.memoryUsage.rss() / 2 ** 20 }];
    if (last.core && first.core) processes.push({ role: 'utility', cpuPct: pct(last.core.cpuMs - first.core.cpuMs), rssMb: last.core.rssBytes / 2 ** 20 });
    if (last.ui.resources.scope === 'process')
      processes.push({ role: 'ui', cpuPct: pct(last.ui.resources.cpuMs - first.ui.resources.cpuMs), rssMb: last.ui.resources.rssBytes / 2 ** 20 });
    const totalCpuPct = processes.reduce((a, p) => a + p.cpuPct, 0);
    const drawn = last.ui.stats.bytesDrawn - first.ui.stats.bytesDrawn;
    return {
      arch: task.arch,
      transport: task.transport,
      windowMs,
      processes,
      totalCpuPct,
      totalRssMb: processes.reduce((a, p) => a + p.rssMb, 0),
      bytesDrawn: drawn,
      floodSendMs: flood && lastDataAtMs !== undefined ? lastDataAtMs - typedAtMs : null,
      mbPerS: flood ? drawn / 1e6 / (windowMs / 1000) : null,
      cpuSPerGb: flood ? ((totalCpuPct / 100) * (windowMs / 1000)) / (drawn / 1e9) : null,
      integrity: last.ui.stats.integrity,
      echo: last.ui.stats.echo,
      // In the utility the pauses are its own gates' (the relay's only mirror them).
      relay: relay ? { ...relay.stats, ...(last.core ? { pauses: last.core.pauses, pausesUnavailable: last.core.pausesUnavailable } : {}) } : linkStats(link!),
      utilityBatch: last.core?.batch ?? null,
      uiPeakQueuedBytes: last.ui.stats.peakQueuedBytes,
    };
  } finally {
    await side?.close().catch(() => {});
    relayToClose?.close();
    link?.close();
    await ui.stop().catch(() => {});
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}
