/**
 * The bench worker: one contender, one task, in a process of its own (the measured one).
 * bulk: stream N bytes of exec output into JS and time it; latency: handshakes, exec round trips
 * and keystroke echoes, each into an HDR histogram.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Shell } from '../core/contract.js';
import { loadPool } from '../core/load.js';
import { Latency } from '../metrics/histogram.js';
import type { BenchReply, BenchTask, BulkResult, FloorResult, LatencyResult } from './protocol.js';

export async function bulk(task: Extract<BenchTask, { kind: 'bulk' }>): Promise<BulkResult> {
  const pool = await loadPool(task.core);
  try {
    const session = await pool.open(task.session);
    // warm up the channel path once
    await session.exec('head -c 1048576 /dev/zero', { onStdout: () => {} });
    let bytes = 0;
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await session.exec(`head -c ${task.bytes} /dev/zero`, { timeoutMs: 600_000, onStdout: (c) => (bytes += c.length) });
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
    // A fast typist's cadence: a key every 50 ms (each echo timed, then erased).
    for (let i = 0; i < task.roundTrips; i++) {
      const got = waitFor(shell, 'Z', 5_000);
      const t0 = performance.now();
      shell.write('Z');
      await got;
      echo.record(performance.now() - t0);
      shell.write('\x7f');
      await new Promise((r) => setTimeout(r, 50));
    }
    return { handshake: handshake.summary(), exec: exec.summary(), echo: echo.summary() };
  } finally {
    await pool.close();
  }
}

/** node:crypto's name for the AEAD under an SSH cipher (chacha20-poly1305@openssh.com keys its
 * MAC per packet differently from RFC 8439, at the same cost per byte). */
const AEAD: Record<string, { name: 'aes-128-gcm' | 'aes-256-gcm' | 'chacha20-poly1305'; keyBytes: number }> = {
  'aes128-gcm@openssh.com': { name: 'aes-128-gcm', keyBytes: 16 },
  'aes256-gcm@openssh.com': { name: 'aes-256-gcm', keyBytes: 32 },
  'chacha20-poly1305@openssh.com': { name: 'chacha20-poly1305', keyBytes: 32 },
};

export function floor(task: Extract<BenchTask, { kind: 'floor' }>): FloorResult {
  const result: FloorResult = { blockBytes: task.blockBytes, ciphers: {} };
  for (const cipher of task.ciphers) {
    const aead = AEAD[cipher];
    if (!aead) throw new Error(`no crypto floor for cipher '${cipher}'`);
    const key = randomBytes(aead.keyBytes);
    const iv = randomBytes(12);
    const enc = createCipheriv(aead.name as 'aes-128-gcm', key, iv, { authTagLength: 16 });
    const sealed = Buffer.concat([enc.update(randomBytes(task.blockBytes)), enc.final()]);
    const tag = enc.getAuthTag();
    let bytes = 0;
    const open = () => {
      const d = createDecipheriv(aead.name as 'aes-128-gcm', key, iv, { authTagLength: 16 });
      d.setAuthTag(tag);
      bytes += d.update(sealed).length;
      d.final();
    };
    for (let i = 0; i < 200; i++) open(); // warm up
    bytes = 0;
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    while (performance.now() - t0 < task.seconds * 1000) for (let i = 0; i < 64; i++) open();
    const wallMs = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    result.ciphers[cipher] = {
      mbPerS: bytes / 1e6 / (wallMs / 1000),
      cpuSPerGb: (cpu.user + cpu.system) / 1e6 / (bytes / 1e9),
    };
  }
  return result;
}

async function run(task: BenchTask): Promise<BulkResult | LatencyResult | FloorResult> {
  if (task.kind === 'bulk') return bulk(task);
  if (task.kind === 'latency') return latency(task);
  return floor(task);
}

// Run as the bench worker only when forked with an IPC channel (profile-target imports this module).
if (process.send) process.once('message', async (task: BenchTask) => {
  let reply: BenchReply;
  try {
    reply = { ok: true, result: await run(task) };
  } catch (err) {
    reply = { ok: false, error: (err as Error).message };
  }
  process.send?.(reply, () => process.exit(0));
});
