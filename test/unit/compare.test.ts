import { describe, expect, it } from 'vitest';
import { type Comparison, type CompareOptions, decide } from '../../src/bench/compare.js';
import { renderCompareHtml, renderCompareMarkdown } from '../../src/bench/render.js';

const lat = (p95Ms: number) => ({ count: 100, p50Ms: p95Ms / 2, p95Ms, p99Ms: p95Ms * 1.2, maxMs: p95Ms * 2 });

function comparison(rustCpu: number): { c: Comparison; o: CompareOptions } {
  const o: CompareOptions = {
    contenders: ['rust', 'ssh2', 'russh-napi'],
    quick: true,
    phaseMs: 10_000,
    scalePhaseMs: 10_000,
    bulkBytes: 1e8,
    ciphers: ['aes128-gcm@openssh.com'],
    scaleSizes: [10, 1000],
    sessions: 10,
    kex: 'curve25519-sha256',
    cipher: 'aes128-gcm@openssh.com',
    seed: 1,
    busy: false,
  };
  const bulk = (cpuSPerGb: number) => ({ bytes: 1e8, wallMs: 250, cpuMs: 100, mbPerS: 400, cpuSPerGb, rssMb: 90 });
  const scale = (n: number, rssMb: number) => ({ sessions: n, connected: n, rssMb, rssPerSessionKb: (rssMb * 1024) / n, cpuPct: 1, cpuPerSessionPct: 1 / n });
  const c: Comparison = {
    schema: 'ssh-spike/compare@1',
    createdAt: '2026-11-30T12:00:00.000Z',
    machine: { cpus: 2, node: 'v20.20.2', platform: 'linux-x64' },
    options: o,
    contenders: o.contenders,
    skipped: [],
    stability: {
      rust: { scenarios: [], recovered: 30, interrupted: 30, abnormalEnds: 0, compression: 6 },
      ssh2: { scenarios: [], recovered: 26, interrupted: 30, abnormalEnds: 0, compression: 6 },
      'russh-napi': { skipped: 'no reconnect manager' },
    },
    resources: {
      rust: { cpuPct: rustCpu, rssPeakMb: 60, rssMeanMb: 58, echoP95Ms: 1.2 },
      ssh2: { cpuPct: 4, rssPeakMb: 70, rssMeanMb: 68, echoP95Ms: 1.5 },
      'russh-napi': { cpuPct: 6, rssPeakMb: 75, rssMeanMb: 70, echoP95Ms: 1.4 },
    },
    throughput: { 'aes128-gcm@openssh.com': { rust: bulk(0.8), ssh2: bulk(1.4), 'russh-napi': bulk(2.1) } },
    throughputBusy: {},
    floor: { blockBytes: 32768, ciphers: { 'aes128-gcm@openssh.com': { mbPerS: 2500, cpuSPerGb: 0.4 } } },
    latency: {
      rust: { handshake: lat(4), exec: lat(0.4), echo: lat(0.5) },
      ssh2: { handshake: lat(20), exec: lat(0.9), echo: lat(0.6) },
      'russh-napi': { handshake: lat(5), exec: lat(1), echo: lat(0.4) },
    },
    scale: { '10': { rust: scale(10, 60), ssh2: scale(10, 70), 'russh-napi': scale(10, 70) }, '1000': { rust: scale(1000, 150), ssh2: scale(1000, 260), 'russh-napi': scale(1000, 300) } },
    boundary: {},
    ratios: {},
    plan: {},
    targets: [],
    summary: [],
  };
  return { c, o };
}

const answer = (c: Comparison) => c.summary.find((x) => x.startsWith('Answer:'));

describe('bench:compare decision', () => {
  it('ratios and targets come from the figures', () => {
    const { c, o } = comparison(1.8);
    decide(c, o);
    expect(c.ratios['resources.cpuPct']).toBeCloseTo(0.45, 6);
    const t = Object.fromEntries(c.targets.map((x) => [x.id, x.pass]));
    expect(t).toEqual({
      'cpu-mid': true,
      // 0.8 / 1.4 = 0.57 of ssh2's CPU per GB, but 2.0 x the cipher's own cost on this CPU
      'cpu-bulk-aes128-gcm@openssh.com': true,
      'floor-bulk-aes128-gcm@openssh.com': false,
      'rss-bulk': true,
      'handshake-p95': true,
      'exec-p95': true,
      'echo-p95': true,
      'echo-p95-load': true,
      rss: true,
      'scale-cpu': false,
      'scale-rss': true,
      'scale-1000': true,
      'beat-russh-napi': false,
    });
    expect(c.targets.find((x) => x.id === 'floor-bulk-aes128-gcm@openssh.com')!.value).toBe('2.00 x floor');
    expect(c.targets.find((x) => x.id === 'beat-russh-napi')!.value).toBe('loses on: echo p95');
    expect(c.summary[0]).toBe('Rust core meets 10 of 13 targets set for it.');
    // ssh2 recovered 26/30 (87%): it misses the plan's reconnect criterion
    expect(c.summary).toContain("ssh2: misses the plan's criteria measured here.");
    expect(answer(c)).toMatch(/^Answer: the Rust core/);
  });

  it('echo under load counts against the Rust core when its pacing holds output longer than ssh2 does', () => {
    const { c, o } = comparison(1.8);
    c.resources.rust!.echoP95Ms = 3;
    decide(c, o);
    expect(c.ratios['resources.echoP95Ms']).toBeCloseTo(2, 6);
    expect(c.targets.find((x) => x.id === 'echo-p95-load')).toMatchObject({ pass: false, value: 'ratio 2.00' });
  });

  it('a heavier Rust core does not win by default', () => {
    const { c, o } = comparison(5.5);
    c.stability.ssh2 = { scenarios: [], recovered: 30, interrupted: 30, abnormalEnds: 0, compression: 6 };
    c.resources.ssh2!.cpuPct = 4.5;
    decide(c, o);
    expect(c.plan.rust!.find((x) => x.criterion.startsWith('CPU'))!.pass).toBe(false);
    expect(answer(c)).toMatch(/^Answer: the ssh2 core/);
  });

  it('when both meet the plan, a lighter Rust core still has to clear its targets', () => {
    const { c, o } = comparison(3.5);
    c.stability.ssh2 = { scenarios: [], recovered: 30, interrupted: 30, abnormalEnds: 0, compression: 6 };
    decide(c, o);
    expect(c.ratios['resources.cpuPct']).toBeCloseTo(0.875, 6);
    expect(answer(c)).toBe('Answer: the ssh2 core (both meet the plan; the Rust core misses 4 of its targets: cpu-mid, floor-bulk-aes128-gcm@openssh.com, scale-cpu, beat-russh-napi).');
  });

  it('a Rust core that clears every target is the answer', () => {
    const { c, o } = comparison(1.8);
    c.stability.ssh2 = { scenarios: [], recovered: 30, interrupted: 30, abnormalEnds: 0, compression: 6 };
    c.throughput['aes128-gcm@openssh.com']!.rust!.cpuSPerGb = 0.6;
    c.scale['1000']!.rust!.cpuPct = 0.5;
    c.latency['russh-napi']!.echo = lat(0.9);
    decide(c, o);
    expect(c.targets.every((t) => t.pass === true)).toBe(true);
    expect(answer(c)).toMatch(/^Answer: the Rust core \(both meet the plan; it clears every target set for it, CPU 0\.45x/);
  });

  it('an answer that hangs on a figure within 10% of a plan limit says it is marginal', () => {
    const { c, o } = comparison(3.8);
    c.stability.ssh2 = { scenarios: [], recovered: 30, interrupted: 30, abnormalEnds: 0, compression: 6 };
    c.resources.ssh2!.cpuPct = 5.02;
    decide(c, o);
    expect(answer(c)).toMatch(/^Answer: the Rust core \(ssh2 misses/);
    expect(c.summary.at(-1)).toMatch(/^Marginal: ssh2 CPU 5\.02% against the plan's 5% \(within 10%\)/);

    const clear = comparison(3.8);
    clear.c.stability.ssh2 = { scenarios: [], recovered: 30, interrupted: 30, abnormalEnds: 0, compression: 6 };
    clear.c.resources.ssh2!.cpuPct = 4;
    clear.c.resources['russh-napi']!.cpuPct = 5.1; // the third contender does not decide the answer
    decide(clear.c, clear.o);
    expect(clear.c.summary.some((x) => x.startsWith('Marginal'))).toBe(false);
  });

  it('with --busy, the rise of each core\'s CPU per GB is compared', () => {
    const { c, o } = comparison(1.8);
    o.busy = true;
    const bulk = (cpuSPerGb: number) => ({ bytes: 1e8, wallMs: 250, cpuMs: 100, mbPerS: 400, cpuSPerGb, rssMb: 90 });
    // rust 0.8 -> 1.2 (x1.5), ssh2 1.4 -> 1.54 (x1.1): rust rises 1.36 times as much
    c.throughputBusy = { 'aes128-gcm@openssh.com': { rust: bulk(1.2), ssh2: bulk(1.54) } };
    decide(c, o);
    expect(c.ratios['throughputBusy.aes128-gcm@openssh.com.rise']).toBeCloseTo(1.5 / 1.1, 6);
    expect(c.targets.find((x) => x.id === 'busy-rise')!.pass).toBe(false);
  });

  it('renders every section in markdown and HTML', () => {
    const { c, o } = comparison(1.8);
    decide(c, o);
    const md = renderCompareMarkdown(c);
    for (const s of ['## 1. Stability', '## 2. Resources', '## 3. Throughput', '## 4. Latency', '## 5. Scale', '## 6. Boundary cost', 'rust/ssh2']) expect(md).toContain(s);
    expect(renderCompareHtml(c)).not.toMatch(/<script|https?:\/\//);
  });
});
