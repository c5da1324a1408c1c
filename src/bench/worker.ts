/**
 * The bench worker: one contender, one task, in a process of its own (the measured one).
 * bulk: stream N bytes of exec output into JS and time it; latency: handshakes, exec round trips
 * and keystroke echoes, each into an HDR histogram.
 */
import { performance } from 'node:perf_hooks';
import type { Shell } from '../core/contract.js';
import { loadPool } from '../core/load.js';
import { labAddon } from '../lab/addon.js';
import { Latency } from '../metrics/histogram.js';
import type { BenchReply, BenchTask, BulkResult, FloorResult, LatencyResult } from './protocol.js';
import { type UiPathResult, uiPath } from './ui-path.js';

export async function bulk(task: Extract<BenchTask, { kind: 'bulk' }>): Promise<BulkResult> {
  const pool = await loadPool(task.core);
  try {
    const session = await pool.open(task.session);
    // warm up the channel path once
    await session.exec('head -c 1048576 /dev/zero', { onStdout: () => {} });
    let size = task.bytes;
    if (size === null) {
      // Sized by time: a short transfer gives this core's rate, and the measured one lasts `seconds` at it.
      const probe = 200e6;
      const t = performance.now();
      await session.exec(`head -c ${probe} /dev/zero`, { timeoutMs: 600_000, onStdout: () => {} });
      const rate = probe / Math.max(1, performance.now() - t);
      size = Math.max(probe, Math.ceil((rate * task.seconds * 1000) / 1e6) * 1e6);
    }
    let bytes = 0;
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await session.exec(`head -c ${size} /dev/zero`, { timeoutMs: 600_000, onStdout: (c) => (bytes += c.length) });
    const wallMs = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    const cpuMs = (cpu.user + cpu.system) / 1000;
    return {
      bytes,
      wallMs,
      cpuMs,
      mbPerS: bytes / 1e6 / (wallMs / 1000),
      cpuSPerGb: cpuMs / 1000 / (bytes / 1e9),
      rssMb: process.memoryUsage.rss() / 2 ** 20,
    };
  } finally {
    await pool.close();
  }
}

function waitFor(shell: Shell, char: string, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      shell.off('data', on);
      reject(new Error(`no echo within ${timeoutMs} ms`));
    }, timeoutMs);
    const on = (c: Buffer) => {
      if (!c.includes(char)) return;
      clearTimeout(timer);
      shell.off('data', on);
      resolve();
    };
    shell.on('data', on);
  });
}

export async function latency(task: Extract<BenchTask, { kind: 'latency' }>): Promise<LatencyResult> {
  const pool = await loadPool(task.core);
  try {
    const handshake = new Latency(0);
    for (let i = 0; i < task.handshakes; i++) {
      const t0 = performance.now();
      const s = await pool.open(task.session);
      handshake.record(performance.now() - t0);
      await s.close();
    }
    const session = await pool.open(task.session);
    const exec = new Latency(0);
    for (let i = 0; i < task.roundTrips; i++) {
      const t0 = performance.now();
      await session.exec('true');
      exec.record(performance.now() - t0);
    }
    const echo = new Latency(0);
    const shell = await session.openShell();
    await waitFor(shell, '$', 5_000).catch(() => {});
    // A fast typist's cadence: a key every 50 ms (each echo timed, then erased). The pause comes
    // first, so the first key, like every other, follows 50 ms of quiet rather than landing within
    // a millisecond of the prompt (no person types that fast, and the Rust core's batching would
    // hold that one echo to its next 16 ms tick).
    for (let i = 0; i < task.keystrokes; i++) {
      await new Promise((r) => setTimeout(r, 50));
      const got = waitFor(shell, 'Z', 5_000);
      const t0 = performance.now();
      shell.write('Z');
      await got;
      echo.record(performance.now() - t0);
      shell.write('\x7f');
    }
    return { handshake: handshake.summary(), exec: exec.summary(), echo: echo.summary() };
  } finally {
    await pool.close();
  }
}

/** The cipher alone, in this process: the addon opens sealed blocks with aws-lc (the library
 * russh uses), one copy and one AEAD open per block, timed here with this process's CPU clock;
 * then the same blocks read off a loopback socket first, timed by the reading thread's own clock. */
export async function floor(task: Extract<BenchTask, { kind: 'floor' }>): Promise<FloorResult> {
  const { cryptoFloor, socketFloor } = labAddon();
  const result: FloorResult = { blockBytes: task.blockBytes, ciphers: {} };
  for (const cipher of task.ciphers) {
    cryptoFloor(cipher, task.blockBytes, 0.1); // warm up
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const bytes = cryptoFloor(cipher, task.blockBytes, task.seconds);
    const wallMs = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    const socket = socketFloor(cipher, task.blockBytes, task.seconds);
    result.ciphers[cipher] = {
      mbPerS: bytes / 1e6 / (wallMs / 1000),
      cpuSPerGb: (cpu.user + cpu.system) / 1e6 / (bytes / 1e9),
      socketMbPerS: socket.bytes / 1e6 / (socket.wallMs / 1000),
      socketCpuSPerGb: socket.cpuMs / 1000 / (socket.bytes / 1e9),
    };
  }
  return result;
}

async function run(task: BenchTask): Promise<BulkResult | LatencyResult | FloorResult | UiPathResult> {
  if (task.kind === 'bulk') return bulk(task);
  if (task.kind === 'latency') return latency(task);
  if (task.kind === 'ui') return uiPath(task);
  return floor(task);
}

// Run as the bench worker only when forked with an IPC channel (profile-target imports this module).
if (process.send)
  process.once('message', async (task: BenchTask) => {
    let reply: BenchReply;
    try {
      reply = { ok: true, result: await run(task) };
    } catch (err) {
      reply = { ok: false, error: (err as Error).message };
    }
    process.send?.(reply, () => process.exit(0));
  });
