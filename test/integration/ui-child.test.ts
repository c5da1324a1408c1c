/**
 * The UI stand-in as it really runs: forked with Node IPC (advanced serialization) and as a worker
 * thread. Data crosses as bytes, integrity and probes are judged in the stand-in, and it stops.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import type { RelayMessage, UiMessage, UiResources, UiStats } from '../../src/ui/frames.js';
import { seqLine } from '../../src/workload/seq.js';

// The built entry (npm test builds dist first), as bench:compare runs it: a worker thread cannot load TypeScript.
const ENTRY = fileURLToPath(new URL('../../dist/ui/child.js', import.meta.url));
const OPTIONS = { maxLifetimeMs: 20_000, typeEveryMs: 50 };

interface Link {
  send(msg: RelayMessage): void;
  next(type: UiMessage['type']): Promise<UiMessage>;
  exited: Promise<unknown>;
  kill(): void;
}

function wire(on: (fn: (m: UiMessage) => void) => void, send: (m: RelayMessage) => void, exited: Promise<unknown>, kill: () => void): Link {
  const seen: UiMessage[] = [];
  const waiting: { type: UiMessage['type']; resolve: (m: UiMessage) => void }[] = [];
  on((m) => {
    const i = waiting.findIndex((w) => w.type === m.type);
    if (i >= 0) waiting.splice(i, 1)[0]!.resolve(m);
    else seen.push(m);
  });
  return {
    send,
    next: (type) => {
      const i = seen.findIndex((m) => m.type === type);
      if (i >= 0) return Promise.resolve(seen.splice(i, 1)[0]!);
      return new Promise((resolve) => waiting.push({ type, resolve }));
    },
    exited,
    kill,
  };
}

let running: (() => void) | undefined;
afterEach(() => running?.());

function forked(): Link {
  const child: ChildProcess = fork(ENTRY, [JSON.stringify(OPTIONS)], { serialization: 'advanced', stdio: 'inherit' });
  running = () => child.kill();
  return wire(
    (fn) => child.on('message', fn as (m: unknown) => void),
    (m) => child.send(m),
    once(child, 'exit'),
    () => child.kill(),
  );
}

function threaded(): Link {
  const worker = new Worker(ENTRY, { workerData: OPTIONS });
  running = () => void worker.terminate();
  return wire(
    (fn) => {
      worker.on('message', fn);
      worker.on('error', (err) => {
        throw err;
      });
    },
    (m) => worker.postMessage(m),
    once(worker, 'exit'),
    () => void worker.terminate(),
  );
}

describe.each([
  ['a forked process over Node IPC', forked, 'process'],
  ['a worker thread over its port', threaded, 'thread'],
])('the UI stand-in as %s', (_name, start, scope) => {
  it('checks what it is sent, times a probe echo and stops when told', async () => {
    const ui = start();
    const ready = await ui.next('ready');
    expect(ready).toMatchObject({ type: 'ready', thread: scope === 'thread' });
    const bytes = (from: number, to: number) => Buffer.from(Array.from({ length: to - from + 1 }, (_, k) => seqLine(from + k)).join(''));
    // Session 0 intact; session 1 skips line 3 and splits a line across two messages.
    ui.send({ type: 'data', session: 0, bytes: bytes(1, 5) });
    const s1 = Buffer.concat([bytes(1, 2), bytes(4, 6)]);
    ui.send({ type: 'data', session: 1, bytes: s1.subarray(0, 150) });
    ui.send({ type: 'data', session: 1, bytes: s1.subarray(150) });
    // Typing into session 0: the stand-in asks for a key, the "server" echoes it.
    ui.send({ type: 'typing', sessions: [0] });
    const key = await ui.next('key');
    expect(key).toMatchObject({ type: 'key', session: 0, char: 'Z' });
    ui.send({ type: 'data', session: 0, bytes: Buffer.from('Z') });
    const erase = await ui.next('key');
    expect(erase).toMatchObject({ type: 'key', session: 0, char: '\x7f' });
    ui.send({ type: 'typing', sessions: [] });
    ui.send({ type: 'stats', id: 7 });
    const reply = (await ui.next('stats-reply')) as { id: number; stats: UiStats; resources: UiResources };
    expect(reply.id).toBe(7);
    expect(reply.stats.sessions).toBe(2);
    expect(reply.stats.integrity).toEqual({ lines: 10, missing: 1, reordered: 0, corrupt: 0 });
    expect(reply.stats.bytesReceived).toBe(5 * 100 + 5 * 100 + 1);
    expect(reply.stats.probes.echoed).toBeGreaterThanOrEqual(1);
    expect(reply.stats.echo.count).toBeGreaterThanOrEqual(1);
    expect(reply.resources.scope).toBe(scope);
    expect(reply.resources.cpuMs).toBeGreaterThan(0);
    ui.send({ type: 'stop' });
    await ui.exited;
    running = undefined;
  });
});
