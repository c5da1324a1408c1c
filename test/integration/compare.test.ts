/** bench:compare end to end, reduced (the CI smoke): two trials, all six sections and the three files. No speed is asserted. */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { schemaErrors } from '../schemas.js';
import { sshdUnavailableReason } from '../../src/lab/sshd.js';

function compare(args: string[]): Promise<{ code: unknown; out: string; err: string }> {
  const child = spawn(process.execPath, ['bench/compare.mjs', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  return new Promise((r) => child.on('exit', (code) => r({ code, out, err })));
}

/**
 * A reduced bench:compare: quick, one scale size, a 20 MB transfer, 8 s phases after a 3 s warm-up
 * (this checks behaviour, not figures), into `dir`.
 */
const reduced = (dir: string, ...more: string[]) => [...more, '--quick', '--scale', '10', '--bulk', '20MB', '--duration', '8s', '--warmup', '3s', '--out', dir];

it('bench:compare --quick on a reduced size prints six sections and writes compare.json, .md and .html', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ssh-spike-cmp-'));
  // A precision no run meets, so every section with a weighted figure adds its one round.
  const { code, out, err } = await compare(reduced(dir, '--trials', '2', '--max-trials', '3', '--precision', '0.01%', '--budget', '60s'));
  expect(code, err).toBe(0);
  for (const s of ['1. Stability', '2. Resources', '3. Throughput', '4. Latency', '4b. The path to the UI', '5. Scale', '6. Boundary cost', 'Decision summary'])
    expect(out).toContain(s);
  const c = JSON.parse(readFileSync(join(dir, 'compare.json'), 'utf8'));
  expect(schemaErrors('compare', c)).toEqual([]);
  expect(c.schema).toBe('ssh-spike/compare@1');
  expect(Object.keys(c.resources).sort()).toEqual(['rust', 'ssh2']);
  expect(c.throughput['aes128-gcm@openssh.com'].rust.bytes).toBe(20_000_000);
  // Two paired trials behind every figure (two more for throughput and latency, and a crypto
  // floor per throughput round), and an interval behind every ratio; each section with a weighted
  // figure (resources, main-cipher throughput, latency, the UI's main/ipc, the largest scale) one
  // round more, the workload floor and the crypto floor not.
  expect(c.trials.resources.rust).toHaveLength(3);
  expect(c.trials.workloadFloor).toHaveLength(2);
  expect(c.rounds.resources).toMatchObject({ ran: 3, max: 3 });
  expect(c.rounds.latency).toMatchObject({ ran: 5, max: 5 });
  expect(Object.keys(c.rounds).sort()).toEqual(['latency', 'resources', 'scale 10', 'throughput', 'ui main/ipc']);
  expect(err).toContain('round 3 of at most 3');
  expect(readFileSync(join(dir, 'compare.md'), 'utf8')).toContain("adds rounds while a weighted figure's ratio interval is wider than +/-0.01% of its median");
  expect(c.options.resourceWarmupMs).toBe(3000);
  expect(err).toContain('each after a warm-up of 3 s');
  expect(readFileSync(join(dir, 'compare.md'), 'utf8')).toContain('resources 8 s after 3 s of warm-up');
  expect(c.trials.throughput['aes128-gcm@openssh.com'].ssh2).toHaveLength(5);
  expect(c.trials.throughput['chacha20-poly1305@openssh.com'].ssh2).toHaveLength(4);
  expect(c.trials.latency.rust).toHaveLength(5);
  expect(c.trials.floor).toHaveLength(4);
  for (const path of ['main/ipc', 'utility/ipc', 'direct/socket']) {
    const n = path === 'main/ipc' ? 3 : 2;
    for (const core of ['rust', 'ssh2']) {
      expect(c.trials.ui[path][core]).toHaveLength(n);
      for (const u of c.trials.ui[path][core]) expect(u.linesLost).toBe(0);
    }
    expect(c.intervals[`ui.${path}.cpuPct`].ratio.n).toBe(n);
  }
  expect(out).toContain('ssh2 (main/ipc)');
  expect(c.intervals['resources.cpuPct'].ratio.n).toBe(3);
  expect(c.intervals['throughput.aes128-gcm@openssh.com.cpuSPerGb'].ratio.n).toBe(5);
  expect(out).toMatch(/rust\/ssh2 +\d+\.\d\d \[\d+\.\d\d-\d+\.\d\d\]/);
  expect(c.stability.rust.abnormalEnds).toBe(0);
  expect(typeof c.ratios['resources.cpuPct']).toBe('number');
  // Only the Rust core has a boundary to count; its worker must report the crossings.
  expect(c.boundary.rust.crossingsPerS).toBeGreaterThan(0);
  expect(c.boundary.ssh2.crossingsPerS).toBeNull();
  // One answer, followed at most by a caution that a core's plan verdict is undecided and a note
  // naming the figures close to a plan limit; which of them a run prints depends on its figures.
  const answerAt = c.summary.findIndex((x: string) => x.startsWith('Answer:'));
  expect(answerAt).toBeGreaterThan(0);
  expect(c.summary.filter((x: string) => x.startsWith('Answer:'))).toHaveLength(1);
  for (const rest of c.summary.slice(answerAt + 1)) expect(rest).toMatch(/^(Caution|Undecided): /);
  expect(existsSync(join(dir, 'compare.md')) && existsSync(join(dir, 'compare.html'))).toBe(true);
}, 600_000);

const noSshd = sshdUnavailableReason();
if (noSshd) it(`bench:compare --target openssh is skipped: ${noSshd}`, (ctx) => ctx.skip(noSshd));
it.skipIf(noSshd)(
  'bench:compare --target openssh runs every section against sshd on loopback and says so',
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ssh-spike-cmp-ossh-'));
    const { code, err } = await compare(reduced(dir, '--target', 'openssh', '--trials', '1', '--budget', '40s'));
    expect(code, err).toBe(0);
    expect(err).toContain('target: openssh');
    const c = JSON.parse(readFileSync(join(dir, 'compare.json'), 'utf8'));
    expect(c.target).toBe('openssh');
    expect(c.options.target).toEqual({ kind: 'openssh' });
    for (const core of ['rust', 'ssh2']) {
      expect(c.throughput['aes128-gcm@openssh.com'][core].bytes).toBe(20_000_000);
      expect(c.latency[core].exec.count).toBeGreaterThan(0);
      expect(c.scale['10'][core].connected).toBe(10);
      expect(c.stability[core].abnormalEnds).toBe(0);
      expect(c.stability[core].interrupted).toBeGreaterThan(0);
    }
    expect(readFileSync(join(dir, 'compare.md'), 'utf8')).toContain('target: openssh');
  },
  300_000,
);
