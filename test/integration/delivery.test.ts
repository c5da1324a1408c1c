/**
 * How the Rust core hands channel bytes to JS: every event of a pool through one queue drained
 * per wake-up, large packets as they came and small chunks merged, as Buffers over the core's
 * memory or (externalBuffers: false, Electron's way) as JS-owned copies. Whatever the path, every
 * byte arrives once, in order, on the right sink.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool, type Pool } from '../../src/index.js';
import { sessionOptions, streamCommand, type TargetInfo } from '../../src/lab/target.js';
import { SeqChecker } from '../../src/workload/seq.js';
import { collect, type RunningTarget, startTarget, targetUnavailable } from '../helpers.js';

for (const kind of ['embedded', 'openssh'] as const) {
  describe.skipIf(targetUnavailable(kind))(`${kind} target`, () => {
    let target: RunningTarget;
    let t: TargetInfo;
    beforeAll(async () => {
      target = await startTarget(kind);
      t = target.info;
    });
    afterAll(async () => {
      await target?.stop();
    });

    for (const externalBuffers of [true, false]) {
      describe(`rust core, ${externalBuffers ? 'external buffers' : 'copied buffers'}`, () => {
        let pool: Pool;
        beforeAll(() => {
          pool = createPool({ core: 'rust', rust: { externalBuffers } });
        });
        afterAll(async () => {
          await pool?.close();
        });

        it('streams a bulk exec exactly, byte for byte', async () => {
          const session = await pool.open(sessionOptions(t));
          const size = 5_000_000;
          let bytes = 0;
          let nonZero = 0;
          let chunks = 0;
          const r = await session.exec(`head -c ${size} /dev/zero`, {
            onStdout: (c) => {
              expect(Buffer.isBuffer(c)).toBe(true);
              chunks++;
              bytes += c.length;
              for (let i = 0; i < c.length; i++) if (c[i] !== 0) nonZero++;
            },
          });
          expect(bytes).toBe(size);
          expect(nonZero).toBe(0);
          expect(r.stdoutBytes).toBe(size);
          expect(chunks).toBeGreaterThan(1);
          await session.close();
        });

        it('keeps the lines of many busy shells whole, in order, each on its own shell', async () => {
          const sessions = await Promise.all(Array.from({ length: 12 }, () => pool.open(sessionOptions(t))));
          const lines = 1500;
          const runs = await Promise.all(
            sessions.map(async (s) => {
              const shell = await s.openShell();
              const checker = new SeqChecker();
              shell.on('data', (c) => checker.push(c));
              const out = collect(shell);
              shell.write(`${streamCommand(t, 'high', lines)}\r`);
              await out.waitFor(`SEQ ${String(lines).padStart(8, '0')}`, 30_000);
              return checker.report;
            }),
          );
          for (const report of runs) expect(report).toMatchObject({ lines, last: lines, missing: 0, reordered: 0, corrupt: 0 });
          await Promise.all(sessions.map((s) => s.close()));
        });
      });
    }
  });
}
