/**
 * The path from each core to the UI stand-in (RISK-4), end to end on the embedded lab: every
 * architecture and transport (and the Rust core's direct socket, whose keys go from the UI to the
 * core with no JS hop) delivers each session's stream to the UI intact, the UI's probe keys reach
 * the echo shells and come back, a flood arrives whole, and every process of the app is
 * counted. Runs the built code (npm test builds dist first): a worker thread cannot load TypeScript.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { UiPathResult, UiPathTask } from '../../src/bench/ui-path.js';
import { sessionOptions, streamCommand, type TargetInfo } from '../../src/lab/target.js';
import { targetPerSuite } from '../helpers.js';

const { uiPath } = (await import(new URL('../../dist/bench/ui-path.js', import.meta.url).href)) as {
  uiPath: (task: UiPathTask) => Promise<UiPathResult>;
};

const target = targetPerSuite('embedded');
let t: TargetInfo;
beforeAll(() => {
  t = target().info;
});

const PATHS = [
  ['main', 'ipc'],
  ['main', 'port'],
  ['utility', 'ipc'],
  ['direct', 'ipc'],
] as const;

describe.each(['rust', 'ssh2'] as const)('%s core', (core) => {
  it.each(PATHS.filter(([arch]) => core === 'rust' || arch !== 'direct'))(
    'relays to the UI (%s/%s): streams intact, probes echoed, every process counted',
    async (arch, transport) => {
      const base = { kind: 'ui' as const, core, session: sessionOptions(t), arch, transport, floodLines: 20_000 };
      const load = await uiPath({ ...base, workload: 'load', sessions: 2, seconds: 2, streamCommand: `${streamCommand(t, 'mid', 0)}\r` });
      expect(load.integrity.lines).toBeGreaterThan(100);
      expect(load.integrity).toMatchObject({ missing: 0, reordered: 0, corrupt: 0 });
      expect(load.echo.count).toBeGreaterThanOrEqual(2);
      expect(load.relay.keysTyped).toBeGreaterThanOrEqual(2 * load.echo.count - 1);
      // Output crosses batched per frame, whichever core: the ssh2 core hands over one SSH packet
      // (one line of a stream writing every 10 ms) at a time, and lines share a 16 ms tick; the
      // Rust core's output comes batched on its own grid already. The batcher that takes the
      // core's output as it comes is the relay's in main, the utility's in the utility (the
      // relay then gets the utility's batches, a tick apart, and rarely has two to merge).
      if (arch !== 'direct') expect(load.relay.messagesSent).toBeLessThanOrEqual(load.relay.chunksIn);
      expect(load.utilityBatch === null).toBe(arch !== 'utility');
      const first = load.utilityBatch ?? { chunksIn: load.relay.chunksIn, batchesOut: load.relay.messagesSent };
      expect(first.batchesOut).toBeLessThanOrEqual(first.chunksIn);
      if (core === 'ssh2') expect(first.batchesOut).toBeLessThan(first.chunksIn);
      const roles = load.processes.map((p) => p.role);
      expect(roles).toEqual(['main', ...(arch === 'utility' ? ['utility'] : []), ...(transport === 'ipc' ? ['ui'] : [])]);
      for (const p of load.processes) {
        expect(p.cpuPct).toBeGreaterThan(0);
        expect(p.rssMb).toBeGreaterThan(10);
      }

      const flood = await uiPath({ ...base, workload: 'flood', sessions: 1, seconds: 30, streamCommand: `${streamCommand(t, 'flood', 20_000)}\r` });
      expect(flood.integrity).toEqual({ lines: 20_000, missing: 0, reordered: 0, corrupt: 0 });
      expect(flood.bytesDrawn).toBeGreaterThanOrEqual(20_000 * 100);
      expect(flood.mbPerS).toBeGreaterThan(0);
      expect(flood.cpuSPerGb).toBeGreaterThan(0);
      expect(flood.relay.bytesSent).toBeGreaterThanOrEqual(20_000 * 100);
    },
    // The flood may take its whole 30 s on a busy machine, on top of the load and the start-ups.
    90_000,
  );
});

it('refuses the direct path for the ssh2 core, whose output lives in JS', async () => {
  const task: UiPathTask = {
    kind: 'ui',
    core: 'ssh2',
    session: sessionOptions(t),
    arch: 'direct',
    transport: 'ipc',
    workload: 'load',
    sessions: 1,
    seconds: 1,
    streamCommand: '',
    floodLines: 0,
  };
  await expect(uiPath(task)).rejects.toThrow(/the Rust core's alone/);
});
