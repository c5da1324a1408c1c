/**
 * npm run bench: microbenchmarks of the boundary and the basic round trips (tinybench 6).
 * Sub-microsecond calls run in batches of BATCH per task iteration; the table reports the
 * per-call time. Round trips run against a lab in a process of its own.
 */
import { Bench } from 'tinybench';
import { bufferIn, bufferOut, emitChunks, noop } from '../lab-addon/index.js';
import { createPool, sessionOptions, type Contender, type Session, type Shell } from '../src/index.js';
import { LabProcess } from '../src/lab/process.js';

const BATCH = 1_000;
// The addon's callbacks do not keep Node alive by themselves (the core's pools do that for sessions).
const keepAlive = setInterval(() => {}, 1 << 30);
const rows: { task: string; perCallUs: number; p99Us: number; samples: number }[] = [];
const time = Number(process.env.BENCH_TIME_MS ?? 500);

async function run(name: string, perIteration: number, add: (b: Bench) => void): Promise<void> {
  const bench = new Bench({ name, time, warmupTime: Math.min(200, time) });
  add(bench);
  await bench.run();
  for (const t of bench.tasks) {
    const r = t.result;
    if (r.state !== 'completed') {
      rows.push({ task: `${t.name} (${r.state})`, perCallUs: NaN, p99Us: NaN, samples: 0 });
      continue;
    }
    rows.push({
      task: t.name,
      perCallUs: (r.latency.mean * 1000) / perIteration,
      p99Us: (r.latency.p99 * 1000) / perIteration,
      samples: r.latency.samplesCount ?? 0,
    });
  }
}

const small = Buffer.alloc(64, 1);
const large = Buffer.alloc(64 * 1024, 1);

await run('N-API call cost', BATCH, (b) =>
  b
    .add('noop()', () => {
      for (let i = 0; i < BATCH; i++) noop();
    })
    .add('bufferIn(64 B)', () => {
      for (let i = 0; i < BATCH; i++) bufferIn(small);
    })
    .add('bufferIn(64 KiB)', () => {
      for (let i = 0; i < BATCH; i++) bufferIn(large);
    })
    .add('bufferOut(64 B)', () => {
      for (let i = 0; i < BATCH; i++) bufferOut(64);
    })
    .add('bufferOut(64 KiB)', () => {
      for (let i = 0; i < BATCH; i++) bufferOut(64 * 1024);
    }),
);

/** Delivers CHUNKS chunks of 100 bytes (a stream's lines) through a thread-safe function. */
const CHUNKS = 2_000;
function deliver(batch: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let bytes = 0;
    emitChunks(CHUNKS, 100, batch, (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes === CHUNKS * 100) resolve();
    }).catch(reject);
  });
}
await run('event delivery, per 100-byte chunk', CHUNKS, (b) =>
  b
    .add('every chunk crosses alone', () => deliver(1))
    .add('16 chunks per crossing', () => deliver(16))
    .add('256 chunks per crossing', () => deliver(256)),
);

const lab = await LabProcess.start();
try {
  for (const core of ['rust', 'ssh2'] as Contender[]) {
    const pool = createPool({ core: core as 'rust' | 'ssh2' });
    const options = { ...sessionOptions(lab.info), kex: ['curve25519-sha256'], ciphers: ['aes128-gcm@openssh.com'] };
    const session: Session = await pool.open(options);
    const shell: Shell = await session.openShell();
    let pending: (() => void) | undefined;
    shell.on('data', (c) => {
      if (pending && c.includes('Z')) {
        const p = pending;
        pending = undefined;
        p();
      }
    });
    await new Promise((r) => setTimeout(r, 100));
    await run(`${core} round trips`, 1, (b) =>
      b
        .add(`${core}: handshake (connect + auth + close)`, async () => {
          const s = await pool.open(options);
          await s.close();
        })
        .add(`${core}: exec round trip`, async () => {
          await session.exec('true');
        })
        .add(`${core}: keystroke echo`, async () => {
          const got = new Promise<void>((r) => (pending = r));
          shell.write('Z');
          await got;
          shell.write('\x7f');
          await new Promise((r) => setTimeout(r, 20));
        }),
    );
    await pool.close();
  }
} finally {
  await lab.stop();
}

const w = Math.max(...rows.map((r) => r.task.length));
process.stdout.write(`${'task'.padEnd(w)}  per call (µs)   p99 (µs)   samples\n`);
for (const r of rows) {
  process.stdout.write(`${r.task.padEnd(w)}  ${r.perCallUs.toFixed(3).padStart(13)}  ${r.p99Us.toFixed(3).padStart(9)}  ${String(r.samples).padStart(8)}\n`);
}
process.stdout.write('(the keystroke echo task includes a 20 ms pause after each key, as a typist would; subtract it)\n');
clearInterval(keepAlive);
